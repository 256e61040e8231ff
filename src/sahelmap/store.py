"""Imported datasets on disk: one Parquet file per label under the user's data directory.

Layout of ``<user_data_dir>/datasets/`` (``paths.user_data_dir()``, ``$SAHELMAP_DATA_DIR`` when set):

- ``<label>.parquet``: the dataset's valid rows, canonical columns. Its Parquet metadata holds the
  manifest, so data and manifest can never disagree.
- ``<label>.json``: the same manifest as a small JSON file for people and other tools (label, format,
  source file, rows, date range, imported_at, the last imports).
- ``<label>.rejected.csv``: the rejection report of the last import (file, row, column, value, reason).
- ``.lock``: held while a dataset is written or removed, so two imports cannot interleave.

Every file is written atomically: a temporary file in the same directory, fsync, ``os.replace``. A process
killed mid-write leaves the previous version readable and at worst a stray temporary file, removed by
the next write.

Re-importing under the same label merges by ``event_id``: a new id is added; for an id already stored,
the row with the newer ``timestamp`` (ACLED's last-modified time) wins, and the incoming row wins a tie
or when neither has a timestamp (UCDP). Re-importing the same file changes nothing, not even the files.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import json
import os
import re
import secrets
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Final

import filelock
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sahelmap import linking, paths, schema
from sahelmap.errors import StoreError
from sahelmap.validate import REPORT_COLUMNS, Rejections, ValidationResult, empty_report

STORE_SUBDIR: Final = "datasets"
LOCK_NAME: Final = ".lock"
LOCK_TIMEOUT_S: Final = 120.0
METADATA_KEY: Final = b"sahelmap"
LABEL_PATTERN: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
RESERVED_LABELS: Final = frozenset({schema.CURATED_DATASET})
HISTORY_KEPT: Final = 20  # imports remembered in a manifest
# Formats whose event ids name one event wherever it is stored: the same id under two labels is a copy.
GLOBAL_ID_FORMATS: Final = linking.GLOBAL_ID_FORMATS


@dataclass(frozen=True)
class DatasetInfo:
    label: str
    format: str
    source_file: str
    rows: int
    date_min: str | None
    date_max: str | None
    imported_at: str
    rows_read: int  # of the last import
    rejected: int  # of the last import
    imports: tuple[dict[str, Any], ...] = ()
    report_sha256: str = ""  # of <label>.rejected.csv as this import wrote it (see save_dataset)


@dataclass(frozen=True)
class SaveSummary:
    info: DatasetInfo
    new: int  # ids not stored before
    updated: int  # stored ids whose row changed
    unchanged: int  # incoming rows identical to, or older than, the stored ones
    changed: bool  # whether the stored dataset changed at all
    path: Path
    report_path: Path
    # Ids of a format whose ids are global (ACLED, UCDP) already stored under other labels: label -> count.
    elsewhere: dict[str, int] = field(default_factory=dict)


# --- where -----------------------------------------------------------------------------------


def store_dir(data_dir: Path | None = None) -> Path:
    return (data_dir or paths.user_data_dir()) / STORE_SUBDIR


def check_label(label: str) -> str:
    """The label if it can name a stored dataset; StoreError saying what is wrong otherwise."""
    if label.strip().lower() in RESERVED_LABELS:
        raise StoreError(
            f"the label {label!r} is reserved for the bundled table; choose another with --label"
        )
    if not LABEL_PATTERN.fullmatch(label):
        raise StoreError(
            f"the label {label!r} is not usable: use 1 to 64 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    return label


def dataset_path(label: str, data_dir: Path | None = None) -> Path:
    return store_dir(data_dir) / f"{check_label(label)}.parquet"


def manifest_path(label: str, data_dir: Path | None = None) -> Path:
    return store_dir(data_dir) / f"{check_label(label)}.json"


def report_path(label: str, data_dir: Path | None = None) -> Path:
    return store_dir(data_dir) / f"{check_label(label)}.rejected.csv"


@contextlib.contextmanager
def locked(data_dir: Path | None = None, timeout: float = LOCK_TIMEOUT_S) -> Iterator[Path]:
    """Hold the store's lock (released by the OS if the process dies); yields the store directory."""
    directory = store_dir(data_dir)
    lock_file = directory / LOCK_NAME
    try:
        directory.mkdir(parents=True, exist_ok=True)
        if lock_file.is_symlink():  # never lock (or create, or truncate) a file elsewhere
            raise StoreError(f"{lock_file}: the lock file is a symbolic link; remove it and try again")
        lock = filelock.FileLock(str(lock_file), timeout=timeout)
        lock.acquire()
    except filelock.Timeout:
        raise StoreError(
            f"{directory}: another import is writing there; try again when it has finished"
        ) from None
    except OSError as error:
        raise StoreError(f"{directory}: {_cannot_use(error)}") from None
    try:
        yield directory
    finally:
        lock.release()


def _cannot_use(error: OSError) -> str:
    """Why the store directory cannot be used, in words (read-only, a file in the way, ...)."""
    where = f" ({error.filename})" if error.filename else ""
    reason = error.strerror or str(error)
    return f"cannot use the data directory: {reason}{where}; set SAHELMAP_DATA_DIR to another"


# --- atomic files ------------------------------------------------------------------------------


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):  # not every filesystem lets a directory be opened
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def atomic_write(path: Path, write: Callable[[str], object]) -> None:
    """Call ``write(temporary path)``, make it durable, then move it over ``path`` in one step."""
    atomic_write_all([(path, write)])


def atomic_write_all(files: list[tuple[Path, Callable[[str], object]]]) -> None:
    """Write every file to a temporary beside it first, then move them into place in the given order.

    A failure while writing (a full disk) leaves every old file as it was. Put the file whose
    arrival commits the change last (see save_dataset).
    """
    temporaries: list[str] = []
    try:
        for path, write in files:
            tmp = str(path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp")
            # O_EXCL: never another's file; mode 0o666 less the umask, as for any file the user creates.
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
            temporaries.append(tmp)
            write(tmp)
            fd = os.open(tmp, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        for tmp, (path, _) in zip(list(temporaries), files, strict=True):
            os.replace(tmp, path)
            temporaries.remove(tmp)
    except BaseException:
        for tmp in temporaries:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        raise
    for directory in {path.parent for path, _ in files}:
        _fsync_dir(directory)


def _write_bytes(path: Path, data: bytes) -> None:
    def write(tmp: str) -> None:
        Path(tmp).write_bytes(data)

    atomic_write(path, write)


def _remove_stray_temporaries(directory: Path) -> None:
    """Temporary files of writers killed mid-write (only called with the lock held)."""
    for stray in directory.glob(".*.tmp"):
        with contextlib.suppress(FileNotFoundError):
            stray.unlink()


# --- frames ------------------------------------------------------------------------------------


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """The canonical columns with the table's dtypes (Parquet keeps most; categories need restoring)."""
    return schema.coerce(frame.reindex(columns=list(schema.CANONICAL_COLUMNS)))


def _row_hashes(frame: pd.DataFrame) -> pd.Series:
    """One hash per row of content, indexed by event_id: equal rows hash equal."""
    hashes = pd.util.hash_pandas_object(frame, index=False)
    return pd.Series(hashes.to_numpy(), index=frame["event_id"].to_numpy())


def merge(stored: pd.DataFrame | None, incoming: pd.DataFrame) -> tuple[pd.DataFrame, int, int, int]:
    """(merged rows, new, updated, unchanged): the newer ``timestamp`` wins per event_id; see module doc."""
    if stored is None or stored.empty:
        return incoming.reset_index(drop=True), len(incoming), 0, 0
    stored_ts = stored.set_index("event_id")["timestamp"]
    known = incoming["event_id"].isin(stored_ts.index)
    previous_ts = incoming["event_id"].map(stored_ts)
    is_newer = (previous_ts > incoming["timestamp"]).fillna(False).astype("bool")
    stored_is_newer = known & previous_ts.notna() & (incoming["timestamp"].isna() | is_newer)
    winners = incoming[~stored_is_newer]
    replacing = winners[winners["event_id"].isin(stored_ts.index)]
    old_hash = _row_hashes(stored[stored["event_id"].isin(replacing["event_id"])])
    new_hash = _row_hashes(replacing)
    differs = new_hash.to_numpy() != old_hash.reindex(new_hash.index).to_numpy()
    updated = int(differs.sum())
    new = int((~known).sum())
    unchanged = len(incoming) - new - updated
    if new == 0 and updated == 0:
        return stored, 0, 0, unchanged
    replaced_ids = replacing["event_id"][differs]
    kept = stored[~stored["event_id"].isin(replaced_ids)]
    fresh = winners[~winners["event_id"].isin(stored_ts.index) | winners["event_id"].isin(replaced_ids)]
    return pd.concat([kept, fresh], ignore_index=True), new, updated, unchanged


def _read_frame(path: Path) -> pd.DataFrame:
    return _typed(pq.read_table(path).to_pandas())


def _report_bytes(report: pd.DataFrame) -> bytes:
    buffer = io.StringIO()
    report.reindex(columns=list(REPORT_COLUMNS)).to_csv(buffer, index=False)
    return buffer.getvalue().encode("utf-8")


def read_report(path: Path) -> pd.DataFrame:
    if not path.exists():
        return empty_report()
    report = pd.read_csv(path, dtype="str", keep_default_na=False)
    report["row"] = pd.to_numeric(report["row"].mask(report["row"].eq(""))).astype("Int64")
    return report


# --- manifests ---------------------------------------------------------------------------------


def _info_from_json(text: str | bytes) -> DatasetInfo:
    fields = json.loads(text)
    fields["imports"] = tuple(fields.get("imports", ()))
    return DatasetInfo(**{k: v for k, v in fields.items() if k in DatasetInfo.__dataclass_fields__})


def _info_json(info: DatasetInfo) -> str:
    return json.dumps({**asdict(info), "imports": list(info.imports)}, indent=2, ensure_ascii=False)


def read_info(path: Path) -> DatasetInfo:
    """The manifest stored inside a dataset's Parquet file."""
    metadata = pq.read_schema(path).metadata or {}
    if METADATA_KEY not in metadata:
        raise StoreError(f"{path}: not a sahelmap dataset (no manifest in its metadata)")
    return _info_from_json(metadata[METADATA_KEY])


def _date(value: pd.Timestamp) -> str | None:
    return None if pd.isna(value) else value.date().isoformat()


# --- the API -------------------------------------------------------------------------------------


def save_dataset(
    result: ValidationResult,
    label: str,
    *,
    fmt: str,
    source_file: str,
    data_dir: Path | None = None,
    lock_timeout: float = LOCK_TIMEOUT_S,
    now: dt.datetime | None = None,
    replace: bool = False,
) -> SaveSummary:
    """Merge a validated import into the dataset ``label`` and write it (and its report) atomically.

    A label keeps its format: a file of another format is refused unless ``replace``, which stores the
    file's rows instead of the label's old ones.
    """
    check_label(label)
    incoming = _typed(result.valid.assign(dataset=label))
    now = now or dt.datetime.now(dt.UTC)
    with locked(data_dir, lock_timeout) as directory:
        _remove_stray_temporaries(directory)
        path, report_file = dataset_path(label, data_dir), report_path(label, data_dir)
        try:
            stored = _read_frame(path) if path.exists() and not replace else None
            previous = read_info(path) if path.exists() else None
        except (pa.ArrowException, ValueError, KeyError, TypeError) as error:
            raise StoreError(
                f"{path}: the stored dataset cannot be read ({error}); "
                f"remove it (sahelmap remove {label}) and import again"
            ) from None
        if previous is not None and previous.format != fmt and not replace:
            raise StoreError(
                f"the dataset {label!r} holds {previous.format} data and this file is {fmt}: "
                f"import it under another --label, or give --replace to replace {label!r} with it"
            )
        elsewhere = _stored_elsewhere(incoming["event_id"], label, fmt, directory) if len(incoming) else {}
        merged, new, updated, unchanged = merge(stored, incoming)
        changed = stored is None or new > 0 or updated > 0
        report = _report_bytes(result.report)
        digest = hashlib.sha256(report).hexdigest()
        if not changed and previous is not None and previous.report_sha256 == digest:
            if not report_file.exists() or report_file.read_bytes() != report:
                _write_bytes(report_file, report)  # a lost or edited copy, of the report the data names
            return SaveSummary(previous, 0, 0, unchanged, False, path, report_file, elsewhere)
        imported_at = now.isoformat(timespec="seconds")
        record: dict[str, Any] = {
            "source_file": Path(source_file).name,
            "imported_at": imported_at,
            "rows_read": result.rows_read,
            "new": new,
            "updated": updated,
            "rejected": result.n_rejected,
        }
        info = DatasetInfo(
            label=label,
            format=fmt,
            source_file=Path(source_file).name,
            rows=len(merged),
            date_min=_date(merged["event_date"].min()),
            date_max=_date(merged["event_date"].max()),
            imported_at=imported_at,
            rows_read=result.rows_read,
            rejected=result.n_rejected,
            imports=((*(previous.imports if previous else ()), record))[-HISTORY_KEPT:],
            report_sha256=digest,
        )
        table = pa.Table.from_pandas(merged, preserve_index=False)
        table = table.replace_schema_metadata(
            {**(table.schema.metadata or {}), METADATA_KEY: _info_json(info)}
        )
        # One commit: every file is written to a temporary first (a full disk fails here and changes
        # nothing), then the report is moved into place and the Parquet file last. The Parquet file's
        # manifest names the report by its hash, so a crash between the two moves leaves a report that
        # load_stored recognises as not the stored data's, never one silently describing other rows.
        # (The report is not kept inside the Parquet metadata: it can be large, and every listing of
        # the datasets reads that metadata.)
        manifest = _info_json(info).encode("utf-8")
        atomic_write_all(
            [
                (report_file, lambda tmp: Path(tmp).write_bytes(report)),
                (path, lambda tmp: pq.write_table(table, tmp, compression="zstd")),
                (manifest_path(label, data_dir), lambda tmp: Path(tmp).write_bytes(manifest)),
            ]
        )
    return SaveSummary(info, new, updated, unchanged, changed, path, report_file, elsewhere)


def _stored_elsewhere(ids: pd.Series, label: str, fmt: str, directory: Path) -> dict[str, int]:
    """How many of ``ids`` each other label of a global-id format (ACLED, UCDP) already holds."""
    if fmt not in GLOBAL_ID_FORMATS:
        return {}
    counts = {}
    for other in sorted(directory.glob("*.parquet")):
        if other.stem == label:
            continue
        with contextlib.suppress(StoreError, OSError, pa.ArrowException, ValueError, TypeError):
            if read_info(other).format in GLOBAL_ID_FORMATS:
                stored_ids = pq.read_table(other, columns=["event_id"]).column("event_id").to_pandas()
                found = int(ids.isin(stored_ids).sum())
                if found:
                    counts[other.stem] = found
    return counts


def inspect_datasets(data_dir: Path | None = None) -> tuple[list[DatasetInfo], list[tuple[Path, str]]]:
    """The stored datasets' manifests by label, and the damaged files with the reason each cannot be read."""
    directory = store_dir(data_dir)
    infos, damaged = [], []
    for path in sorted(directory.glob("*.parquet")) if directory.exists() else []:
        try:
            infos.append(read_info(path))
        except (StoreError, OSError, pa.ArrowException, ValueError, TypeError) as error:
            damaged.append((path, str(error)[:300]))
    return infos, damaged


def list_datasets(data_dir: Path | None = None) -> list[DatasetInfo]:
    """The readable stored datasets' manifests, by label (inspect_datasets also names the damaged ones)."""
    return inspect_datasets(data_dir)[0]


def version(data_dir: Path | None = None) -> tuple[tuple[str, int, int], ...]:
    """Changes whenever a dataset is written or removed: names, sizes and times, no file opened.

    Cheap enough to ask on every page rerun (list_datasets reads every file's manifest).
    """
    directory = store_dir(data_dir)
    stamps = []
    for path in sorted(directory.glob("*.parquet")) if directory.exists() else []:
        with contextlib.suppress(FileNotFoundError):  # removed while we look
            stat = path.stat()
            stamps.append((path.name, stat.st_size, stat.st_mtime_ns))
    return tuple(stamps)


def load_stored(data_dir: Path | None = None) -> list[ValidationResult]:
    """Every stored dataset as validated rows with the report of its last import.

    A file that cannot be read becomes a report line instead of an error, so the app still opens.
    """
    directory = store_dir(data_dir)
    results = []
    for path in sorted(directory.glob("*.parquet")) if directory.exists() else []:
        label = path.stem
        try:
            valid = _read_frame(path)
        except (OSError, pa.ArrowException, ValueError, KeyError, TypeError) as error:
            line = _report_line(path, f"stored dataset cannot be read ({error}); import it again")
            results.append(
                ValidationResult(_typed(pd.DataFrame()), Rejections.of_frames(line, pd.DataFrame()), 0)
            )
            continue
        report = read_report(directory / f"{label}.rejected.csv")
        with contextlib.suppress(StoreError, OSError, pa.ArrowException, ValueError, TypeError):
            expected = read_info(path).report_sha256
            if expected and not _report_matches(directory / f"{label}.rejected.csv", expected):
                report = _report_line(
                    path,
                    "its rejection report is not the one of the stored rows (an interrupted "
                    "import?); import the file again",
                )
        results.append(ValidationResult(valid, Rejections.of_frames(report, pd.DataFrame()), len(valid)))
    return results


def _report_line(path: Path, reason: str) -> pd.DataFrame:
    """A one-line report about a stored file as a whole."""
    return pd.DataFrame(
        {
            "file": [str(path)],
            "row": pd.array([pd.NA], dtype="Int64"),
            "column": [""],
            "value": [""],
            "reason": [reason],
        }
    )


def _report_matches(path: Path, digest: str) -> bool:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest() == digest
    except OSError:
        return False


def remove_dataset(label: str, data_dir: Path | None = None) -> bool:
    """Delete a stored dataset and its manifest and report; False if there was none."""
    check_label(label)
    with locked(data_dir):
        files = [dataset_path(label, data_dir), manifest_path(label, data_dir), report_path(label, data_dir)]
        found = False
        for file in files:
            try:
                file.unlink()
                found = True
            except FileNotFoundError:
                pass
            except OSError as error:
                raise StoreError(f"{file}: cannot remove it ({error.strerror or error})") from None
        _fsync_dir(store_dir(data_dir))
    return found
