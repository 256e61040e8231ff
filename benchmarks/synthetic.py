"""Stores of synthetic ACLED-format events for the benchmarks, built once per `python -m benchmarks`.

``prepare_store(rows, data_dir)`` imports ``rows`` synthetic events (tests/factories.py) into the store
at ``data_dir``. With $SAHELMAP_BENCH_CACHE set (``python -m benchmarks`` sets it to a temporary
directory), the first import of a size is kept there and later ones copy its files, so the 1M-event
store is built once, not once per benchmark. The events never leave temporary directories.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def prepare_store(rows: int, data_dir: Path) -> float:
    """Seconds it took (generating and importing, or copying a kept store)."""
    sys.path.insert(0, str(ROOT))
    from tests.factories import store_synthetic_acled

    started = time.perf_counter()
    cache = os.environ.get("SAHELMAP_BENCH_CACHE")
    kept = Path(cache) / f"store-{rows}" if cache else None
    if kept is not None and kept.exists():
        shutil.copytree(kept, data_dir, dirs_exist_ok=True)
    else:
        store_synthetic_acled(rows, data_dir)
        if kept is not None:
            shutil.copytree(data_dir, kept)
    return time.perf_counter() - started
