"""Two replicas behind nginx (deploy/nginx/sahelmap-replicas.conf), on loopback; skipped without nginx.

1. Routing: nginx with the site as shipped, its upstream pointed at two stub servers that answer with
   their own port. A client keeps its route cookie and reaches the same replica on every request; new
   clients are spread over both.
2. Real sessions: benchmarks/load_sessions.py --replicas 2 --nginx drives Streamlit sessions through it
   with no error, and both replicas served some.
"""

from __future__ import annotations

import http.server
import importlib.util
import json
import shutil
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from tests.factories import ROOT

pytestmark = [
    pytest.mark.slow,  # starts nginx and servers
    pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is absent (apt-get install nginx)"),
]


@pytest.fixture(scope="module")
def load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("load_sessions_r", ROOT / "benchmarks" / "load_sessions.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["load_sessions_r"] = module
    spec.loader.exec_module(module)
    return module


class _Port(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = str(self.server.server_address[1]).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def stubs() -> Iterator[list[int]]:
    servers = [http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Port) for _ in range(2)]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    yield [s.server_address[1] for s in servers]
    for server in servers:
        server.shutdown()
        server.server_close()


def get(load: ModuleType, url: str, cookie: str | None) -> tuple[str, str | None]:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(request, timeout=10, context=load.ssl_context()) as answer:
        set_cookie = answer.headers.get("Set-Cookie")
        return answer.read().decode(), set_cookie


def wait_for(call, attempts: int = 100) -> None:  # type: ignore[no-untyped-def]
    """nginx is up when a request through it succeeds (waits for the state, not a fixed time)."""
    for _ in range(attempts):
        try:
            call()
            return
        except OSError:
            threading.Event().wait(0.1)
    call()


def test_a_client_sticks_to_one_replica_and_clients_spread(load: ModuleType, stubs, tmp_path: Path) -> None:
    proxy, base = load.start_nginx(stubs, tmp_path / "nginx")
    try:
        wait_for(lambda: get(load, base + "/", None))
        seen: set[str] = set()
        for _ in range(24):  # new browsers
            port, set_cookie = get(load, base + "/", None)
            assert set_cookie and set_cookie.startswith("sahelmap_route=") and "HttpOnly" in set_cookie
            cookie = set_cookie.split(";", 1)[0]
            # the same browser, again and again: the same replica, and no new cookie
            again = [get(load, base + f"/_stcore/stream?{i}", cookie) for i in range(5)]
            assert {p for p, _ in again} == {port}
            assert all(c is None for _, c in again)
            seen.add(port)
        assert seen == {str(p) for p in stubs}, "24 browsers all went to one replica"
    finally:
        load.stop_server(proxy)


def test_real_sessions_through_two_replicas(tmp_path: Path) -> None:
    out = tmp_path / "load.json"
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "load_sessions.py"), "--replicas", "2", "--nginx",
         "--sessions", "6", "--duration", "8", "--json", str(out)],
        capture_output=True, text=True, timeout=300, check=False, cwd=ROOT,
    )  # fmt: skip
    assert out.exists(), result.stdout[-3000:] + result.stderr[-3000:]
    report = json.loads(out.read_text())
    assert report["errors"] == 0, result.stdout[-4000:]
    assert report["reruns_completed"] >= 6, report
    assert report["replicas"] == 2 and all(cpu > 0 for cpu in report["server_cpu_s_each"]), report
