"""A real browser against a real server: start Streamlit on loopback, serve Leaflet from local copies.

streamlit-folium asks CDNs for Leaflet; this machine (and many users' networks) cannot reach them.
The route handler answers those requests from the xstatic packages and tile requests with a tiny PNG.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.factories import ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# A 1x1 light sand-coloured tile stands in for the basemap tiles this machine cannot fetch.
TINY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c49444154789c"
    "6378f1ec2100056902b078e2739f0000000049454e44ae426082"
)


def require_browser() -> None:
    """Skip without chromium, unless CI says the browser test must run."""
    missing = not CHROMIUM.exists()
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing = True
    if missing:
        reason = "Debian chromium and the playwright package are needed (apt-get install chromium)"
        if os.environ.get("SAHELMAP_REQUIRE_BROWSER"):
            pytest.fail(reason)
        pytest.skip(reason)


def local_assets() -> dict[str, Path]:
    """File names streamlit-folium asks a CDN for -> local copies shipped by xstatic packages."""
    import xstatic.pkg.leaflet as leaflet
    import xstatic.pkg.leaflet_markercluster as cluster

    lf, mc = Path(leaflet.BASE_DIR), Path(cluster.BASE_DIR)
    return {
        "/leaflet.js": lf / "leaflet.js",
        "/leaflet.css": lf / "leaflet.css",
        "/leaflet.markercluster.js": mc / "leaflet.markercluster.js",
        "/MarkerCluster.css": mc / "MarkerCluster.css",
        "/MarkerCluster.Default.css": mc / "MarkerCluster.Default.css",
    }


def make_router(origin: str):  # type: ignore[no-untyped-def]
    assets = local_assets()

    def route(r) -> None:  # type: ignore[no-untyped-def]
        url = r.request.url
        if url.startswith(origin) or url.startswith(("data:", "blob:")):
            r.continue_()
            return
        path = url.split("?")[0]
        for end, file in assets.items():
            if path.endswith(end):
                kind = "text/css" if end.endswith(".css") else "application/javascript"
                r.fulfill(status=200, body=file.read_bytes(), content_type=kind)
                return
        if path.endswith((".png", ".jpg", ".jpeg")) or "tile" in url:
            r.fulfill(status=200, body=TINY_PNG, content_type="image/png")
            return
        kind = "text/css" if path.endswith(".css") else "application/javascript"
        r.fulfill(status=200, body=b"", content_type=kind)

    return route


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def streamlit_server(data_dir: Path, timeout: float = 90) -> Iterator[str]:
    """Run app.py on a free loopback port; yield its URL once /_stcore/health answers."""
    port = free_port()
    env = {**os.environ, "SAHELMAP_DATA_DIR": str(data_dir)}
    log = (data_dir / "server.log").open("w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "app.py"),
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--server.fileWatcherType",
            "none",  # files edited while the test runs must not offer a rerun banner
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    "streamlit did not start: " + (data_dir / "server.log").read_text()[-2000:]
                )
            time.sleep(0.25)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@contextlib.contextmanager
def browser_context(url: str, **options: Any) -> Iterator[Any]:
    """A real server's page context in Debian's Chromium, 1,400 px wide, with the CDNs and tiles answered
    locally (make_router); ``options`` go to ``new_context`` (locale, accept_downloads, viewport)."""
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(**{"viewport": {"width": 1400, "height": 1100}, **options})
            context.route("**/*", make_router(url))
            yield context
        finally:
            browser.close()
