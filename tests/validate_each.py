"""`sahelmap validate FILE` for many files, each in its own process, paying the imports once.

    python -m tests.validate_each OUTDIR FILE...

The interpreter imports sahelmap's command once, then forks one child per file. Each child runs the
command's entry point exactly as the installed `sahelmap` script does (``sys.exit(main())`` with
``sys.argv``), its stdout and stderr going to OUTDIR/<i>.out and OUTDIR/<i>.err; an exception that
escapes is printed as a traceback with exit status 1, as Python does. The exit statuses are printed as a
JSON list. A fresh interpreter per file costs about a second of imports each (and the first validation
half a second more of lazy imports): forty files would take longer than every other bad-input test
together. So the parent validates the bundled table once, quietly, before it forks.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import traceback
from pathlib import Path

from sahelmap.cli import main

WARM_UP = Path(__file__).resolve().parents[1] / "data" / "events.csv"


def _exit_code(code: object) -> int:
    """What the interpreter makes of ``sys.exit(code)``."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def _child(path: str, out: Path, err: Path) -> None:
    os.dup2(os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644), 1)
    os.dup2(os.open(err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644), 2)
    sys.argv = ["sahelmap", "validate", path]
    status = 1
    try:
        sys.exit(main())
    except SystemExit as done:
        status = _exit_code(done.code)
    except BaseException:
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)


def validate_each(outdir: Path, paths: list[str]) -> list[int]:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
        main(["validate", str(WARM_UP)])  # loads what the first validation imports lazily
    codes = []
    for i, path in enumerate(paths):
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            _child(path, outdir / f"{i}.out", outdir / f"{i}.err")
        _, status = os.waitpid(pid, 0)
        codes.append(os.waitstatus_to_exitcode(status))
    return codes


if __name__ == "__main__":
    print(json.dumps(validate_each(Path(sys.argv[1]), sys.argv[2:])))
