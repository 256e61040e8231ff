"""The `sahelmap` command: validate files (and, with the same code as the app, import and export)."""

from __future__ import annotations

import functools
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import click

from sahelmap import compare, export, extract, i18n, paths, schema, store
from sahelmap.errors import EXIT_OK, EXIT_REJECTED, EXIT_UNREADABLE, QueryError, ReadError, SahelmapError
from sahelmap.events import derive_columns, load_events
from sahelmap.i18n import _, ngettext
from sahelmap.ingest.registry import FORMATS, Ingested, read_dataset
from sahelmap.ingest.textfile import read_path
from sahelmap.text import report_line


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Explore armed-conflict events in Mali: check, import and export event tables."""


def _summarise(ingested: Ingested, name: str) -> list[str]:
    result = ingested.result
    lines = [
        f"{name} ({ingested.format}): {result.rows_read} rows read, {len(result.valid)} valid, "
        f"{result.n_rejected} rejected"
    ]
    lines += [f"  note: {n}" for n in ingested.notices]
    valid = result.valid
    if len(valid):
        lines.append(f"  dates: {valid['event_date'].min():%Y-%m-%d} .. {valid['event_date'].max():%Y-%m-%d}")
        derived = derive_columns(valid)
        counts = derived["focus_place"].value_counts().reindex(list(schema.FOCUS_PLACES), fill_value=0)
        lines.append("  focus places: " + ", ".join(f"{p} {n}" for p, n in counts.items()))
        lines.append(f"  elsewhere: {int(derived['focus_place'].isna().sum())}")
    lines += [report_line(r.file, r.row, r.column, r.reason, r.value) for r in result.report.itertuples()]
    return lines


format_option = click.option(
    "--format",
    "fmt",
    default="auto",
    show_default=True,
    type=click.Choice(["auto", *FORMATS]),
    help="File format; auto detects it from the header (ACLED CSV or API JSON, UCDP GED CSV, sahelmap CSV).",
)


date_order_option = click.option(
    "--date-order",
    type=click.Choice(["dmy", "mdy"]),
    default=None,
    help="How to read dates such as 3/1/2023: dmy (day first, 3 January) or mdy (month first, 1 March). "
    "By default a date that can only be one (28/02/2019) decides for the whole file, and a file whose "
    "dates could all be either is refused.",
)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@format_option
@date_order_option
def validate(files: tuple[Path, ...], fmt: str, date_order: str | None) -> None:
    """Check event files; print counts and every rejected row as file:row: column: reason.

    Exit status: 0 all rows valid, 1 some rows rejected, 2 a file could not be read.
    """
    status = EXIT_OK
    for path in files:
        try:
            ingested = read_dataset(read_path(path), str(path), fmt=fmt, date_order=date_order)
        except ReadError as error:
            click.echo(f"error: {error}", err=True)
            status = max(status, EXIT_UNREADABLE)
            continue
        click.echo("\n".join(_summarise(ingested, str(path))))
        if ingested.result.n_rejected or len(ingested.result.file_errors()):
            status = max(status, EXIT_REJECTED)
    sys.exit(status)


# --- import, datasets, remove: the local store of imported datasets (sahelmap.store) -------------

MAX_REPORT_LINES = 20  # report lines echoed by import; the full report is saved beside the dataset


def _stage(message: str, started: float) -> None:
    """Stage-by-stage progress on stderr: a large file takes a while to read, check and store."""
    click.echo(f"[{time.perf_counter() - started:5.1f} s] {message}", err=True)


def _report_lines(ingested: Ingested, limit: int = MAX_REPORT_LINES) -> list[str]:
    report = ingested.result.report
    lines = [report_line(r.file, r.row, r.column, r.reason, r.value) for r in report.head(limit).itertuples()]
    if len(report) > limit:
        lines.append(f"... and {len(report) - limit} more lines in the rejection report")
    return lines


@main.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@format_option
@click.option(
    "--label",
    default=None,
    help="Name of the stored dataset (default: the format's name, e.g. acled). Importing again under "
    "the same label merges: per event_id the newer version is kept, nothing is duplicated.",
)
@click.option(
    "--replace",
    is_flag=True,
    help="Replace the dataset's rows with this file's instead of merging; needed to store a file of "
    "another format under an existing label (a label keeps its format).",
)
@date_order_option
def import_(file: Path, fmt: str, label: str | None, replace: bool, date_order: str | None) -> None:
    """Import an event file into the local store, where the app finds it.

    Prints rows read, stored and rejected, the dataset's date range and where the rejection report was
    saved. Exit status: 0 every row stored, 1 some rows rejected (the valid ones are stored), 2 the file
    could not be read or stored.
    """
    started = time.perf_counter()
    try:
        if label is not None:
            store.check_label(label)
        _stage(f"reading and checking {file}", started)
        # The bytes are passed without a name, so read_dataset can free them once parsed (large files).
        ingested = read_dataset(read_path(file), str(file), fmt=fmt, label=label, date_order=date_order)
        result = ingested.result
        chosen = store.check_label(label or ingested.format)
        _stage(
            f"{result.rows_read} rows checked, {result.n_rejected} rejected; storing as {chosen!r}", started
        )
        summary = None
        if len(result.valid) or store.dataset_path(chosen).exists():
            summary = store.save_dataset(
                result, chosen, fmt=ingested.format, source_file=str(file), replace=replace
            )
    except SahelmapError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(error.exit_code)
    except OSError as error:
        click.echo(f"error: {file}: cannot store the dataset ({error.strerror or error})", err=True)
        sys.exit(EXIT_UNREADABLE)
    _stage("done", started)
    lines = [f"  note: {n}" for n in ingested.notices]
    if summary is None:
        head = f"{file} ({ingested.format}): {result.rows_read} rows read, 0 stored"
        head += f", {result.n_rejected} rejected"
        lines.append("  nothing stored: no row is valid")
    else:
        info = summary.info
        head = (
            f"{file} ({ingested.format}): {result.rows_read} rows read, "
            f"{summary.new + summary.updated} stored ({summary.new} new, {summary.updated} updated), "
            f"{summary.unchanged} unchanged, {result.n_rejected} rejected"
        )
        lines.append(f"  dataset {info.label!r}: {info.rows} events, {info.date_min} .. {info.date_max}")
        if not summary.changed:
            lines.append("  the stored dataset already held these rows: nothing changed")
        for other, count in summary.elsewhere.items():
            # An ACLED or UCDP id names one event: the loaded table counts it once (under the first label).
            warning = f"warning: {count} of these events are already stored under {other!r}"
            click.echo(warning + "; the dashboard counts each of them once", err=True)
            lines.append(f"  {warning}")
        lines.append(f"  stored in: {summary.path}")
        lines.append(f"  rejection report: {summary.report_path}")
    click.echo("\n".join([head, *lines, *_report_lines(ingested)]))
    sys.exit(EXIT_REJECTED if result.n_rejected or len(result.file_errors()) else EXIT_OK)


@main.command("datasets")
def datasets_() -> None:
    """List the imported datasets: label, format, events, dates, import time and source file."""
    infos, damaged = store.inspect_datasets()
    for path, reason in damaged:
        click.echo(f"damaged: {path}: {reason}; remove it (sahelmap remove {path.stem}) and import again")
    if not infos:
        click.echo(f"no imported datasets in {store.store_dir()}")
        sys.exit(EXIT_REJECTED if damaged else EXIT_OK)
    rows = [("label", "format", "events", "dates", "imported (UTC)", "source file")]
    rows += [
        (i.label, i.format, str(i.rows), f"{i.date_min} .. {i.date_max}", i.imported_at, i.source_file)
        for i in infos
    ]
    widths = [max(len(r[c]) for r in rows) for c in range(len(rows[0]))]
    for r in rows:
        click.echo("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip())
    click.echo(
        f"({len(infos)} datasets in {store.store_dir()}" + (f", {len(damaged)} damaged)" if damaged else ")")
    )
    if damaged:
        sys.exit(EXIT_REJECTED)


@main.command("remove")
@click.argument("label")
def remove_(label: str) -> None:
    """Delete an imported dataset, its manifest and its rejection report.

    Exit status: 0 removed, 1 no dataset has that label, 2 the label is invalid or reserved.
    """
    try:
        found = store.remove_dataset(label)
    except SahelmapError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(error.exit_code)
    if not found:
        click.echo(f"no dataset labelled {label!r} in {store.store_dir()}", err=True)
        sys.exit(EXIT_REJECTED)
    click.echo(f"removed dataset {label!r}")


# --- export, compare: the page's extracts and comparisons; --lang writes their human text in French ------


def in_chosen_language(command: Callable[..., None]) -> Callable[..., None]:
    """Give a command the --lang option and run it in that language (every message, summary and file
    name it writes)."""

    @functools.wraps(command)
    def run(*args: Any, lang: str | None = None, **kwargs: Any) -> None:
        with i18n.using(lang or i18n.DEFAULT):
            command(*args, **kwargs)

    return click.option(
        "--lang",
        type=click.Choice(list(i18n.LANGUAGES), case_sensitive=False),
        default=None,
        help="Language of the description, the file name, the README, the summary and the messages "
        "(default: en). Column names and JSON keys are the same in every language.",
    )(run)


def cannot_write(path: Path, error: OSError) -> str:
    return _("error: {path}: cannot write ({reason})").format(path=path, reason=error.strerror or error)


@main.command("export")
@click.option(
    "--query",
    default="",
    metavar="QUERY STRING",
    help="The filters, exactly as the app's URL carries them after '?', e.g. 'actor=wagner&place=gao'.",
)
@click.option(
    "--format", "fmt", default="csv", show_default=True, type=click.Choice(list(export.EXTRACT_FORMATS))
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False, allow_dash=True),
    help="File to write ('-': standard output); default: the app's file name for this filter, in the "
    "current directory.",
)
@click.option("--curated-only", is_flag=True, help="Leave out imported datasets, as a fresh install shows.")
@in_chosen_language
def export_(query: str, fmt: str, output: Path | None, curated_only: bool) -> None:
    """Write the extract the app's download button gives for the same URL.

    Exit status: 0 written, 2 an invalid query parameter (named in the message) or an unwritable file.
    """
    table = load_events(include_stored=not curated_only)
    try:
        spec, notices = extract.spec_from_query_string(query, table, strict=True)
    except SahelmapError as error:
        click.echo(_("error: {message}").format(message=error), err=True)
        sys.exit(error.exit_code)
    for notice in notices:  # a search cut to its maximum length, say: the extract is for the cut text
        click.echo(_("note: {message}").format(message=notice), err=True)
    view = extract.view_of(table, spec)
    data = view.extract(fmt)
    to_stdout = output is not None and str(output) == "-"
    target = output or Path(view.stem + export.EXTRACT_FORMATS[fmt])
    if to_stdout:
        click.echo(data, nl=False)  # bytes go to the binary stream, unchanged
    else:
        try:
            # A full disk or a killed process leaves the previous file whole, never a truncated one.
            store.atomic_write(target, lambda tmp: Path(tmp).write_bytes(data))
        except OSError as error:
            click.echo(cannot_write(target, error), err=True)
            sys.exit(EXIT_UNREADABLE)
    # With -o - the data owns stdout: the summary goes to stderr.
    say = functools.partial(click.echo, err=to_stdout)
    where = _("standard output") if to_stdout else target
    n = len(view.filtered)
    wrote = ngettext("wrote {n} event to {where}", "wrote {n} events to {where}", n)
    say(view.description + "\n" + wrote.format(n=i18n.number(n), where=where))
    for line in view.attributions:
        say(_("  cite: {citation}").format(citation=line))


@main.command("compare")
@click.option(
    "--query",
    default="",
    metavar="QUERY STRING",
    help="The filters, exactly as the app's URL carries them after '?'; a comparison link's a, b and by "
    "are read too (the options below override them). The dashboard's own from/to do not apply.",
)
@click.option("--a", "period_a", metavar="FROM..TO", help="Period A, e.g. 2021-01-01..2021-12-31 (or 2021).")
@click.option("--b", "period_b", metavar="FROM..TO", help="Period B, e.g. 2022-01-01..2022-12-31 (or 2022).")
@click.option("--by", type=click.Choice(list(compare.BREAKDOWNS)), default=None, help="The breakdown's rows.")
@click.option("--format", "fmt", default="csv", show_default=True, type=click.Choice(["csv", "json"]))
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False, allow_dash=True),
    default="-",
    show_default=True,
    help="File to write ('-': standard output).",
)
@click.option("--curated-only", is_flag=True, help="Leave out imported datasets, as a fresh install shows.")
@in_chosen_language
def compare_(
    query: str,
    period_a: str | None,
    period_b: str | None,
    by: str | None,
    fmt: str,
    output: Path,
    curated_only: bool,
) -> None:
    """Compare two periods under the same filters, as the page's "Compare two periods" does.

    Events, reported deaths, events targeting civilians and their deaths in A and B, for the whole filter
    and by actor group, place, region or event type. Exit status: 0 written, 2 an invalid parameter or an
    unwritable file. With --lang fr, the summary, the period labels and the citations are in French; the
    JSON keys and CSV columns stay the same in every language.
    """
    table = load_events(include_stored=not curated_only)
    params = parse_qs(query.lstrip("?"), keep_blank_values=True)
    for key, value in (("a", period_a), ("b", period_b), ("by", by)):
        if value:
            params[key] = [value]
    try:
        if "a" not in params or "b" not in params:
            raise QueryError(_("give both periods: --a FROM..TO and --b FROM..TO (or a and b in --query)"))
        request, notices = compare.request_from_query(params, table.choices, strict=True)
    except SahelmapError as error:
        click.echo(_("error: {message}").format(message=error), err=True)
        sys.exit(error.exit_code)
    assert request is not None  # both periods were given
    for notice in notices:
        click.echo(_("note: {message}").format(message=notice), err=True)
    result = compare.compare_table(table, request)
    data = result.to_json().encode("utf-8") if fmt == "json" else result.to_csv()
    to_stdout = str(output) == "-"
    if to_stdout:
        click.echo(data, nl=False)
    else:
        try:
            store.atomic_write(output, lambda tmp: Path(tmp).write_bytes(data))
        except OSError as error:
            click.echo(cannot_write(output, error), err=True)
            sys.exit(EXIT_UNREADABLE)
    say = functools.partial(click.echo, err=to_stdout)
    say(result.summary())
    if not to_stdout:
        say(_("wrote the comparison to {path}").format(path=output))
    for line in result.attributions:
        say(_("  cite: {citation}").format(citation=line))


@main.command("app", context_settings={"ignore_unknown_options": True})
@click.argument("streamlit_args", nargs=-1, type=click.UNPROCESSED)
def app_(streamlit_args: tuple[str, ...]) -> None:
    """Start the dashboard (any further options go to `streamlit run`, e.g. --server.port 8502)."""
    from streamlit.web import cli as streamlit_cli  # only this command needs streamlit

    sys.argv = ["streamlit", "run", str(paths.app_script()), *streamlit_args]
    sys.exit(streamlit_cli.main())


if __name__ == "__main__":
    main()
