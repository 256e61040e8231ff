"""The page in a real browser (Debian chromium through Playwright) on synthetic ACLED-format events.

    .venv/bin/python benchmarks/bench_browser.py [--sizes 100000 1000000] [--changes 20]

For each size: the events are imported into a temporary store, `streamlit run app.py` starts on a
loopback port, and one visit loads the table (the first visitor after a start pays for it; printed).
Then, in a fresh tab:

- first map: from navigation to the first event layer drawn in the map (Leaflet paths in the iframe);
- page complete: until the map, both charts and the table are drawn and Streamlit is idle;
- filter change to map updated: ``--changes`` changes made with the keyboard, as a reader would (the
  period slider's start one month later; an actor group, an event type, a place, each added then
  removed), each timed from the key press to the map showing the new layer (every old path gone, new
  ones drawn). Median, p90, max.

Leaflet and the tiles are served from local copies (tests/browser_support.py). Nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
warnings.filterwarnings("ignore")

MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
DOC = f"document.querySelector('{MAP_FRAME}')?.contentDocument"
# The event layer's marks: circles and cells are SVG paths, cluster bubbles are divs.
MARKS = "path.leaflet-interactive, .marker-cluster"
OLD_MARKS = "path.leaflet-interactive[data-old], .marker-cluster[data-old]"
MAP_DRAWN = f"() => {{ const d = {DOC}; return !!d && d.querySelectorAll('{MARKS}').length > 0; }}"
MARK_OLD = f"() => {DOC}.querySelectorAll('{MARKS}').forEach(p => p.dataset.old = '1')"
MAP_REPLACED = (
    f"() => {{ const d = {DOC}; if (!d) return false;"
    f" return d.querySelectorAll('{MARKS}').length > 0 && d.querySelectorAll('{OLD_MARKS}').length === 0; }}"
)
IDLE = "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
COMPLETE = (
    '() => document.querySelectorAll(\'[data-testid="stVegaLiteChart"] canvas, '
    '[data-testid="stVegaLiteChart"] svg\').length >= 2'
    " && !!document.querySelector('[data-testid=\"stDataFrame\"] canvas')"
    f" && ({MAP_DRAWN})()"
    " && !document.querySelector('[data-testid=\"stStatusWidget\"]')"
)
# (kind, combobox label or slider, text typed): added in this order, then removed in reverse.
MULTISELECTS = [("Actor group", "JNIM"), ("Event type", "Battles"), ("Place", "Gao")]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def change_plan(n: int) -> list[tuple[str, str, str]]:
    """One filter at a time (so that no change leaves the map as it was): each multiselect's option
    added then removed, with the period's start moved a month later in between; repeated."""
    (actor, a), (kind, t), (place, pl) = MULTISELECTS
    cycle = [
        ("period", "", ""),
        ("add", actor, a),
        ("remove", actor, a),
        ("add", kind, t),
        ("period", "", ""),
        ("remove", kind, t),
        ("add", place, pl),
        ("remove", place, pl),
    ]
    return (cycle * (n // len(cycle) + 1))[:n]


def make_change(page: Any, kind: str, label: str, text: str) -> None:
    if kind == "period":
        thumbs = page.locator('[data-testid="stSidebar"] [data-testid="stSlider"] input[type=range]')
        thumbs.first.focus()
        page.keyboard.press("ArrowRight")  # the period starts a month later
        return
    box = page.get_by_role("combobox", name=label, exact=True)
    box.click()
    if kind == "add":
        page.keyboard.type(text)
        page.keyboard.press("Enter")
    else:
        page.keyboard.press("Backspace")  # removes the last chosen option
    page.keyboard.press("Escape")


def measure(size: int, n_changes: int) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright
    from synthetic import prepare_store

    from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, make_router, streamlit_server

    result: dict[str, Any] = {"size": size}
    stage = {"now": "start"}
    with tempfile.TemporaryDirectory(prefix="sahelmap-browser-") as tmp:
        data_dir = Path(tmp)
        result["import_s"] = prepare_store(size, data_dir)
        with streamlit_server(data_dir, timeout=300) as url, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 1400, "height": 1100})
            context.route("**/*", make_router(url))
            try:
                page = context.new_page()
                t0 = time.perf_counter()
                page.goto(url, wait_until="domcontentloaded")
                page.wait_for_function(MAP_DRAWN, timeout=600_000, polling=50)
                result["cold_first_map_s"] = time.perf_counter() - t0
                page.close()

                page = context.new_page()
                t0 = time.perf_counter()
                page.goto(url, wait_until="domcontentloaded")
                page.wait_for_function(MAP_DRAWN, timeout=120_000, polling=50)
                result["first_map_s"] = time.perf_counter() - t0
                stage["now"] = "page complete"
                page.wait_for_function(COMPLETE, timeout=120_000, polling=50)
                result["complete_s"] = time.perf_counter() - t0
                result["exceptions"] = page.locator('[data-testid="stException"]').count()
                times = []
                for kind, label, text in change_plan(n_changes):
                    page.wait_for_function(IDLE, timeout=120_000)
                    page.evaluate(MARK_OLD)
                    t0 = time.perf_counter()
                    make_change(page, kind, label, text)
                    stage["now"] = f"map updated after {kind} {label}"
                    page.wait_for_function(MAP_REPLACED, timeout=120_000, polling=20)
                    times.append(time.perf_counter() - t0)
                result["exceptions"] += page.locator('[data-testid="stException"]').count()
                result["change"] = {
                    "median_s": statistics.median(times),
                    "p90_s": percentile(times, 0.9),
                    "max_s": max(times),
                    "n": len(times),
                }
            except Exception as error:
                page.screenshot(path=str(Path(tempfile.gettempdir()) / "sahelmap-bench-browser.png"))
                raise RuntimeError(f"{stage['now']}: {type(error).__name__}") from error
            finally:
                browser.close()
    return result


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--changes", type=int, default=20)
    args = parser.parse_args(argv)
    os.environ.setdefault("SAHELMAP_READONLY", "1")
    results = []
    for size in args.sizes:
        print(f"... browser, {size:,} events", file=sys.stderr, flush=True)
        try:
            results.append(measure(size, args.changes))
        except Exception as error:  # a benchmark reports what failed and goes on
            results.append({"size": size, "error": f"{type(error).__name__}: {str(error)[:300]}"})
    print("| real browser (chromium, 1,400 px) | " + " | ".join(f"{r['size']:,}" for r in results) + " |")
    print("|---|" + "---|" * len(results))

    def row(name: str, cell) -> None:  # type: ignore[no-untyped-def]
        print(f"| {name} | " + " | ".join(r["error"] if "error" in r else cell(r) for r in results) + " |")

    row("first visit after a start: first map (loads the table)", lambda r: f"{r['cold_first_map_s']:.1f} s")
    row("first map (target <= 4 s at 100k)", lambda r: f"{r['first_map_s']:.1f} s")
    row("page complete: map, charts, table, idle (target <= 8 s at 1M)", lambda r: f"{r['complete_s']:.1f} s")
    row(
        "filter change to map updated: median / p90 / max (target <= 1 s at 100k)",
        lambda r: (
            f"{r['change']['median_s']:.2f} / {r['change']['p90_s']:.2f} / {r['change']['max_s']:.2f} s"
            f" (n={r['change']['n']})"
        ),
    )
    row("exception elements", lambda r: str(r["exceptions"]))
    return results


if __name__ == "__main__":
    main()
