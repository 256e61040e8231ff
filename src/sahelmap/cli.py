"""The `sahelmap` command: validate files (and, with the same code as the app, import and export)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from sahelmap import actors, paths, schema
from sahelmap.events import derive_columns
from sahelmap.gazetteer import load_gazetteer
from sahelmap.ingest.registry import FORMATS, Ingested, read_dataset
from sahelmap.ingest.textfile import ReadError, read_path

EXIT_OK, EXIT_REJECTED, EXIT_UNREADABLE = 0, 1, 2


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
        derived = derive_columns(
            valid, load_gazetteer(paths.places_path()), actors.read_rules(paths.actor_rules_path())
        )
        counts = derived["focus_place"].value_counts().reindex(list(schema.FOCUS_PLACES), fill_value=0)
        lines.append("  focus places: " + ", ".join(f"{p} {n}" for p, n in counts.items()))
        lines.append(f"  elsewhere: {int(derived['focus_place'].isna().sum())}")
    for line in result.report.itertuples(index=False):
        where = f"{line.file}:{line.row}" if line.row is not None and not _isna(line.row) else line.file
        lines.append(
            f"{where}: {line.column}: {line.reason}" + (f" (value: {line.value!r})" if line.value else "")
        )
    return lines


def _isna(value: object) -> bool:
    return value is None or value != value or str(value) == "<NA>"


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    default="auto",
    show_default=True,
    type=click.Choice(["auto", *FORMATS]),
    help="File format; auto detects it from the header.",
)
def validate(files: tuple[Path, ...], fmt: str) -> None:
    """Check event files; print counts and every rejected row as file:row: column: reason.

    Exit status: 0 all rows valid, 1 some rows rejected, 2 a file could not be read.
    """
    status = EXIT_OK
    for path in files:
        try:
            ingested = read_dataset(read_path(path), str(path), fmt=fmt)
        except ReadError as error:
            click.echo(f"error: {error}", err=True)
            status = max(status, EXIT_UNREADABLE)
            continue
        click.echo("\n".join(_summarise(ingested, str(path))))
        if ingested.result.n_rejected or len(ingested.result.file_errors()):
            status = max(status, EXIT_REJECTED)
    sys.exit(status)


if __name__ == "__main__":
    main()
