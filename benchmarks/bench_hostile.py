"""Time and peak memory of the upload reader (``uploads.read_upload``) on the worst 50 MB shapes we know.

Each shape is generated in a temporary directory (never committed) and read in a fresh child process,
so its peak RSS (``resource.getrusage``) is that read's alone. Target (issue 9): every shape <= 5 s and
<= 500 MB peak.

    .venv/bin/python benchmarks/bench_hostile.py [--mb 50] [--only "every field"]
"""

from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from sahelmap import schema

TARGET_S, TARGET_RSS_MB = 5.0, 500.0
# The curated layout, as an upload carries it.
HEADER = ",".join(c for c in schema.CANONICAL_COLUMNS if c not in ("dataset", "timestamp"))
GOOD = (
    "E-{i},2022-03-12,,1,Battles,Armed clash,Military Forces of Mali (2021-),,"
    "Unidentified Armed Group (Mali),,"
    "Gao,Gao,Gao,16.27,-0.04,1,2,false,Synthetic,Test Wire,,2022-03-13,Headline"
)
BAD = "E-{i},31/02/2022,x,9,Picnic,Nap,NA,,,,,,,north,west,7,-3,maybe,,,,yesterday,"


def _rows(size: int, row: Callable[[int], str]) -> bytes:
    lines, total, i = [HEADER], 0, 0
    while total < size:
        line = row(i)
        lines.append(line)
        total += len(line) + 1
        i += 1
    return ("\n".join(lines) + "\n").encode()


SHAPES: dict[str, Callable[[int], bytes]] = {
    # 40,000 repeated column names: quadratic in the parser before issue 9
    "40,000 repeated column names": lambda size: b",".join([b"a"] * 40_000) + b"\n1\n",
    "blank rows only (delimiters)": lambda size: (HEADER + "\n" + ("," * 21 + "\n") * (size // 22)).encode(),
    "blank lines only": lambda size: (HEADER + "\n" + "\n" * size).encode(),
    "every field of every row bad": lambda size: _rows(size, lambda i: BAD.format(i=i)),
    "valid rows": lambda size: _rows(size, lambda i: GOOD.format(i=i)),
    "one line, no delimiter": lambda size: b"x" * size,
    "one huge cell": lambda size: (
        HEADER + "\n" + GOOD.format(i=0).replace("Synthetic", "n" * size)
    ).encode(),
    "too many fields on every row": lambda size: _rows(size, lambda i: GOOD.format(i=i) + ",x,y"),
    "deeply nested JSON": lambda size: b"[" * (size // 2) + b"]" * (size // 2),
    "gzip bomb (50 MB of zeros packed)": lambda size: gzip.compress(b"0" * (20 * size), compresslevel=9),
    "NDJSON of bad records": lambda size: b"\n".join(
        json.dumps({"event_id_cnty": f"X{i}", "event_date": "x", "event_type": "y", "actor1": "z"}).encode()
        for i in range(size // 90)
    ),
    # The same records as one JSON list: parsed whole by the json module (Python objects), not by lines
    "JSON list of bad records": lambda size: json.dumps(
        [
            {"event_id_cnty": f"X{i}", "event_date": "x", "event_type": "y", "actor1": "z"}
            for i in range(size // 90)
        ]
    ).encode(),
}


def measure(path: Path) -> dict[str, float | str]:
    """One read in a child process: seconds, peak RSS and the outcome."""
    code = f"""
import json, time
from pathlib import Path
from sahelmap.uploads import read_upload
data = Path({str(path)!r}).read_bytes()
start = time.perf_counter()
upload = read_upload(data, {path.name!r})
seconds = time.perf_counter() - start
# VmHWM, not ru_maxrss: ru_maxrss keeps the parent's peak across fork and exec
status = Path("/proc/self/status").read_text()
peak = int(status.split("VmHWM:")[1].split()[0]) / 1024
outcome = upload.error or upload.summary()
print(json.dumps({{"seconds": seconds, "peak_mb": peak, "outcome": outcome[:120]}}))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mb", type=int, default=50, help="size of each generated file (default 50 MB)")
    parser.add_argument("--only", default="", help="measure only the shapes whose name contains this")
    args = parser.parse_args()
    size = (args.mb << 20) - (1 << 16)  # just under the upload limit, which would refuse it unread
    print("| shape | file size | time | peak RSS | outcome |\n|---|---|---|---|---|")
    failed = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, make in SHAPES.items():
            if args.only not in name:
                continue
            path = Path(tmp) / "upload.csv"
            path.write_bytes(make(size))
            figures = measure(path)
            seconds, peak = float(figures["seconds"]), float(figures["peak_mb"])
            ok = seconds <= TARGET_S and peak <= TARGET_RSS_MB
            if not ok:
                failed.append(name)
            print(
                f"| {name} | {path.stat().st_size / 2**20:.1f} MB | {seconds:.2f} s | {peak:.0f} MB | "
                f"{str(figures['outcome']).replace('|', '/')} |{'' if ok else ' **over target**'}"
            )
            path.unlink()
    print(f"\ntarget: <= {TARGET_S} s and <= {TARGET_RSS_MB:.0f} MB each; over: {failed or 'none'}")


if __name__ == "__main__":
    main()
