"""Concurrent sessions against a real `streamlit run app.py`, through Streamlit's own websocket protocol.

The script starts the server itself on a free loopback port, with ``SAHELMAP_DATA_DIR`` pointing at a
temporary directory (``--acled PATH`` first imports that ACLED export there with ``sahelmap import``, so
the load is realistic), waits for ``/_stcore/health``, then drives N sessions for a fixed time and stops
everything it started. ``--url`` drives an already running server instead (for example the app behind
nginx, see ``scripts/check_reverse_proxy.sh``); only loopback addresses are accepted.

Each session does what the browser does, without a browser (20 Chromium tabs on a 2-core machine would
measure the browser, not the server): ``GET /_stcore/health`` for the XSRF cookie, a websocket to
``/_stcore/stream`` with that token as the second subprotocol, then ``BackMsg.rerun_script`` messages,
reading ``ForwardMsg`` replies until ``script_finished``. Its loop:

- now and then (and at the start) it opens a shared link: a new session whose first run carries a random
  valid ``query_string`` (``sahelmap.filters.to_query`` of a random FilterSpec: period, actor groups,
  event types, places, sometimes deaths or civilians), as a pasted URL would;
- otherwise it changes one filter in the sidebar: a rerun carrying the new widget state (period slider,
  actor group / event type / place multiselects, deaths, civilians toggle, or the Reset button), with
  the option values taken from the widgets the server sent in the previous run, as the browser would.

Latency is the time from sending the rerun (or, for a link, from opening the connection) to
``script_finished``. Errors: an exception element, an error alert, a "Link:" notice for a link that was
valid, a run that does not finish successfully, a disconnect, a timeout. Server memory is sampled from
``/proc/PID/status`` (VmRSS of the server and its children; VmHWM of the server at the end).

    .venv/bin/python benchmarks/load_sessions.py [--sessions 20] [--duration 60] [--think 1.0]
        [--acled ../shared/realdata/acled_mali_2015-01_2023-03.csv] [--url http://127.0.0.1:8080]
        [--json results.json]

Exit status 0 when at least one rerun completed and no error was counted, 1 otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import ipaddress
import json
import os
import random
import resource
import shutil
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from sahelmap import filters, schema
from sahelmap.filters import ELSEWHERE, FilterSpec

ROOT = Path(__file__).resolve().parents[1]
REAL_ACLED = ROOT.parent / "shared" / "realdata" / "acled_mali_2015-01_2023-03.csv"
XSRF_COOKIE = "_streamlit_xsrf"
FINISHED_SUCCESSFULLY = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_SUCCESSFULLY")
SERVER_START_TIMEOUT_S = 120.0
MAX_RERUNS_PER_SESSION = 100_000  # a bound on top of the duration
MAX_ERRORS_PER_SESSION = 20  # a session that keeps failing stops instead of spinning
FIRST_MONTH, LAST_MONTH = dt.date(2012, 1, 1), dt.date(2025, 12, 1)


# --- what a session sees --------------------------------------------------------------------------


@dataclass
class Widget:
    id: str
    kind: str  # the Element oneof: multiselect, slider, checkbox, number_input, button, ...
    label: str
    options: list[str]


@dataclass
class RunResult:
    seconds: float
    messages: int = 0
    bytes: int = 0
    errors: list[str] = field(default_factory=list)
    widgets: dict[str, Widget] = field(default_factory=dict)  # by user key (the id's suffix)
    query_string: str | None = None  # from page_info_changed
    page_script_hash: str | None = None  # from new_session
    session_id: str | None = None  # from new_session
    alerts: list[str] = field(default_factory=list)  # "FORMAT: body" of every alert
    buttons: list[str] = field(default_factory=list)  # labels of every button
    events_shown: str | None = None  # the "Events" metric


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: {"link": [], "filter": []})
    errors: Counter[str] = field(default_factory=Counter)
    error_examples: list[str] = field(default_factory=list)
    actions: Counter[str] = field(default_factory=Counter)
    bytes_received: int = 0
    messages: int = 0
    events_shown: set[str] = field(default_factory=set)
    sessions_opened: int = 0

    def error(self, kind: str, detail: str) -> None:
        self.errors[kind] += 1
        if len(self.error_examples) < 10:
            self.error_examples.append(f"{kind}: {detail[:300]}")


def user_key(widget_id: str) -> str:
    """'$$ID-<hash>-w_actor' -> 'w_actor' (Streamlit appends the user's key to keyed widget ids)."""
    return widget_id.rsplit("-", 1)[-1] if widget_id.startswith("$$ID-") else widget_id


def read_run(msg: ForwardMsg, result: RunResult, expect_clean_link: bool) -> None:
    """Fold one ForwardMsg of a run into its result (widgets seen, errors, the Events figure)."""
    kind = msg.WhichOneof("type")
    if kind == "new_session":
        result.page_script_hash = msg.new_session.page_script_hash
        result.session_id = msg.new_session.initialize.session_id
    elif kind == "page_info_changed":
        result.query_string = msg.page_info_changed.query_string
    elif kind == "session_event" and msg.session_event.WhichOneof("type") == "script_compilation_exception":
        result.errors.append("compile: " + msg.session_event.script_compilation_exception.message)
    elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
        element = msg.delta.new_element
        ek = element.WhichOneof("type")
        if ek is None:
            return
        proto = getattr(element, ek)
        if ek == "exception":
            result.errors.append(f"exception: {proto.type}: {proto.message}")
        elif ek == "alert":
            result.alerts.append(f"{Alert.Format.Name(proto.format)}: {proto.body}")
            if proto.format == Alert.ERROR:
                result.errors.append("error alert: " + proto.body)
            elif expect_clean_link and proto.body.startswith("Link:"):
                result.errors.append("notice for a valid link: " + proto.body)
        elif ek == "button":
            result.buttons.append(proto.label)
        elif ek == "metric" and proto.label == "Events":
            result.events_shown = proto.body
        widget_id = getattr(proto, "id", "")
        if isinstance(widget_id, str) and widget_id.startswith("$$ID-"):
            options = [str(o) for o in proto.options] if ek in ("multiselect", "slider") else []
            result.widgets[user_key(widget_id)] = Widget(widget_id, ek, getattr(proto, "label", ""), options)


async def run_until_finished(
    ws: ClientConnection, started: float, timeout: float, expect_clean_link: bool = False
) -> RunResult:
    """Read ForwardMsgs until script_finished; raises TimeoutError or ConnectionClosed."""
    result = RunResult(seconds=0.0)
    async with asyncio.timeout(timeout):
        while True:
            data = await ws.recv()
            if isinstance(data, str):
                result.errors.append("text frame from the server")
                continue
            result.messages += 1
            result.bytes += len(data)
            msg = ForwardMsg()
            msg.ParseFromString(data)
            if msg.WhichOneof("type") == "script_finished":
                result.seconds = time.perf_counter() - started
                if msg.script_finished != FINISHED_SUCCESSFULLY:
                    name = ForwardMsg.ScriptFinishedStatus.Name(msg.script_finished)
                    result.errors.append(f"script finished with {name}")
                return result
            read_run(msg, result, expect_clean_link)


# --- random but valid user actions -------------------------------------------------------------------


def random_month(rng: random.Random) -> dt.date:
    months = (LAST_MONTH.year - FIRST_MONTH.year) * 12 + LAST_MONTH.month - FIRST_MONTH.month
    n = rng.randint(0, months)
    return dt.date(FIRST_MONTH.year + n // 12, n % 12 + 1, 1)


def random_spec(rng: random.Random, covers_elsewhere: bool = True) -> FilterSpec:
    """A FilterSpec a user could reach: a period, a few actor groups, event types and places."""
    start = end = None
    if rng.random() < 0.7:
        a, b = sorted((random_month(rng), random_month(rng)))
        start, end = a, b
    places = [*schema.FOCUS_PLACES, *([ELSEWHERE] if covers_elsewhere else [])]
    return FilterSpec(
        start=start,
        end=end,
        actor=tuple(rng.sample(list(schema.ACTOR_GROUPS), rng.choice((0, 1, 1, 2)))),
        type=tuple(rng.sample(list(schema.EVENT_TYPES), rng.choice((0, 1, 1, 2)))),
        place=tuple(rng.sample(places, rng.choice((0, 1, 1, 2)))),
        min_deaths=rng.choice((0, 0, 0, 1, 10)),
        civilians=rng.random() < 0.15,
    )


def random_query(rng: random.Random) -> str:
    return urllib.parse.urlencode(filters.to_query(random_spec(rng)), safe=",")


FILTER_ACTIONS = ("w_actor", "w_type", "w_place", "period", "w_min_deaths", "w_civilians", "reset")
FILTER_WEIGHTS = (3, 3, 3, 3, 1, 1, 1)


def random_widget_change(rng: random.Random, widgets: dict[str, Widget]) -> tuple[str, WidgetState] | None:
    """One sidebar change as the browser would send it, or None if the widget is not on the page."""
    action = rng.choices(FILTER_ACTIONS, FILTER_WEIGHTS)[0]
    if action == "period":
        slider = next((w for key, w in widgets.items() if key.startswith("w_months_")), None)
        if slider is None or not slider.options:
            return None
        i, j = sorted(rng.sample(range(len(slider.options)), 2))
        state = WidgetState(id=slider.id)
        state.string_array_value.data.extend([slider.options[i], slider.options[j]])
        return action, state
    if action == "reset":
        button = next(
            (w for w in widgets.values() if w.kind == "button" and w.label.startswith("Reset")), None
        )
        return None if button is None else (action, WidgetState(id=button.id, trigger_value=True))
    widget = widgets.get(action)
    if widget is None:
        return None
    state = WidgetState(id=widget.id)
    if widget.kind == "multiselect":
        state.string_array_value.data.extend(
            rng.sample(widget.options, min(len(widget.options), rng.randint(0, 2)))
        )
    elif widget.kind == "checkbox":
        state.bool_value = rng.random() < 0.5
    elif widget.kind == "number_input":
        state.double_value = float(rng.choice((0, 1, 5, 10, 50)))
    else:
        return None
    return action, state


# --- one session ---------------------------------------------------------------------------------------


class Session:
    def __init__(self, index: int, base: str, args: argparse.Namespace, stats: Stats, deadline: float):
        self.index, self.base, self.args, self.stats, self.deadline = index, base, args, stats, deadline
        self.rng = random.Random(args.seed * 1000 + index)
        self.ws: ClientConnection | None = None
        self.widgets: dict[str, Widget] = {}
        self.states: dict[str, WidgetState] = {}  # the widget values this client has set, by widget id
        self.query_string = ""
        self.page_script_hash = ""
        self.session_id = ""
        self.cookie: str | None = None
        self.errors = 0

    def fail(self, kind: str, detail: str) -> None:
        self.errors += 1
        self.stats.error(kind, f"session {self.index}: {detail}")

    def record(self, kind: str, result: RunResult) -> None:
        self.stats.latencies[kind].append(result.seconds)
        self.stats.bytes_received += result.bytes
        self.stats.messages += result.messages
        if result.events_shown is not None:
            self.stats.events_shown.add(result.events_shown)
        for error in result.errors:
            self.fail("app error", error)
        self.widgets = result.widgets or self.widgets
        if result.query_string is not None:
            self.query_string = result.query_string
        if result.page_script_hash:
            self.page_script_hash = result.page_script_hash
        if result.session_id:
            self.session_id = result.session_id

    async def close(self) -> None:
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await self.ws.close()
            self.ws = None

    async def open_link(self, query: str | None = None) -> RunResult:
        """A new browser session on a shared link: health (XSRF cookie), websocket, first run."""
        await self.close()
        query = random_query(self.rng) if query is None else query
        started = time.perf_counter()
        cookies = await asyncio.to_thread(browser_cookies, self.base)
        self.cookie = cookie = cookies.get(XSRF_COOKIE)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())} if cookies else {}
        ws_url = self.base.replace("http", "ws", 1) + "/_stcore/stream"
        self.ws = await connect(
            ws_url,
            subprotocols=["streamlit", cookie or ""],
            origin=self.base,
            additional_headers=headers,
            max_size=None,
            open_timeout=self.args.timeout,
            ssl=ssl_context() if ws_url.startswith("wss:") else None,
        )
        self.stats.sessions_opened += 1
        back = BackMsg()
        back.rerun_script.query_string = query
        await self.ws.send(back.SerializeToString())
        result = await run_until_finished(self.ws, started, self.args.timeout, expect_clean_link=True)
        self.states.clear()
        self.query_string = query
        self.stats.actions["open link"] += 1
        self.record("link", result)
        return result

    async def change_filter(self) -> bool:
        change = random_widget_change(self.rng, self.widgets)
        if change is None or self.ws is None:
            return False
        action, state = change
        if state.WhichOneof("value") != "trigger_value":
            self.states[state.id] = state
        back = BackMsg()
        back.rerun_script.query_string = self.query_string
        back.rerun_script.page_script_hash = self.page_script_hash
        current_ids = {w.id for w in self.widgets.values()}
        sent = [s for wid, s in self.states.items() if wid in current_ids and wid != state.id]
        back.rerun_script.widget_states.widgets.extend([*sent, state])
        started = time.perf_counter()
        await self.ws.send(back.SerializeToString())
        result = await run_until_finished(self.ws, started, self.args.timeout)
        if action == "reset":
            self.states.clear()
        self.stats.actions[action] += 1
        self.record("filter", result)
        return True

    async def run(self) -> None:
        await asyncio.sleep(self.index * self.args.stagger)
        reruns = attempts = 0
        while time.monotonic() < self.deadline and attempts < MAX_RERUNS_PER_SESSION:
            attempts += 1
            if self.errors >= MAX_ERRORS_PER_SESSION:
                self.stats.error("session gave up", f"session {self.index} after {self.errors} errors")
                break
            try:
                if self.ws is None or self.rng.random() < self.args.link_share:
                    await self.open_link()
                elif not await self.change_filter():
                    continue
                reruns += 1
            except TimeoutError:
                self.fail("timeout", f"no script_finished within {self.args.timeout:.0f} s")
                await self.close()
            except ConnectionClosed as error:
                self.fail("disconnect", repr(error))
                self.ws = None
            except (OSError, InvalidHandshake) as error:
                self.fail("connect", repr(error))
                self.ws = None
                await asyncio.sleep(1.0)
            if self.args.think > 0:  # reading time, but no pause past the end of the run
                pause = self.rng.uniform(0, 2 * self.args.think)
                await asyncio.sleep(min(pause, max(0.0, self.deadline - time.monotonic())))
        await self.close()


def ssl_context() -> ssl.SSLContext:
    """For https:// loopback URLs: the certificate of a local test proxy is self-signed, so it is not
    verified (check_loopback admits nothing but loopback addresses)."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def browser_cookies(base: str) -> dict[str, str]:
    """GET /_stcore/health as the browser does first: Streamlit sets the XSRF cookie there, and nginx in
    front of several replicas its route cookie (deploy/nginx/sahelmap-replicas.conf)."""
    cookies: dict[str, str] = {}
    with urllib.request.urlopen(base + "/_stcore/health", timeout=30, context=ssl_context()) as response:
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            cookies[name.strip()] = rest.split(";", 1)[0]
    return cookies


def xsrf_cookie(base: str) -> str | None:
    return browser_cookies(base).get(XSRF_COOKIE)


# --- the server -------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def check_loopback(url: str) -> str:
    """The URL without a trailing slash, if its host is a loopback address; SystemExit otherwise."""
    parsed = urllib.parse.urlsplit(url)
    host = parsed.hostname or ""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, parsed.port or 80)}
    except OSError as error:
        raise SystemExit(f"--url: cannot resolve {host!r}: {error}") from None
    loopback = all(ipaddress.ip_address(a).is_loopback for a in addresses)
    if parsed.scheme not in ("http", "https") or not loopback:
        raise SystemExit(f"--url must be http(s):// on a loopback address (127.0.0.0/8, ::1), not {url!r}")
    return url.rstrip("/")


def wait_for_health(base: str, server: subprocess.Popen[bytes] | None, timeout: float) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if server is not None and server.poll() is not None:
            raise SystemExit(f"the server exited with status {server.returncode} before it was healthy")
        try:
            with urllib.request.urlopen(base + "/_stcore/health", timeout=5, context=ssl_context()) as answer:
                if answer.read().strip() == b"ok":
                    return time.perf_counter() - started
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    raise SystemExit(f"{base}/_stcore/health did not answer 'ok' within {timeout:.0f} s")


def process_tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        with contextlib.suppress(OSError):
            for task in os.listdir(f"/proc/{current}/task"):
                with contextlib.suppress(OSError):
                    todo += [
                        int(c) for c in Path(f"/proc/{current}/task/{task}/children").read_text().split()
                    ]
    return pids


def status_kb(pid: int, field_name: str) -> int:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1])
    return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its children so far (/proc/PID/stat)."""
    total = 0
    for p in process_tree(pid):
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / os.sysconf("SC_CLK_TCK")


class MemorySampler(threading.Thread):
    """Samples the summed VmRSS of a process and its children every `interval` seconds."""

    def __init__(self, pid: int, interval: float = 0.25):
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_kb = 0
        self.samples: list[int] = []
        self.stop_event = threading.Event()

    def run(self) -> None:
        while not self.stop_event.is_set():
            rss = sum(status_kb(p, "VmRSS") for p in process_tree(self.pid))
            self.samples.append(rss)
            self.peak_kb = max(self.peak_kb, rss)
            self.stop_event.wait(self.interval)


def import_acled(path: Path, data_dir: Path) -> float:
    env = {**os.environ, "SAHELMAP_DATA_DIR": str(data_dir)}
    command = [sys.executable, "-m", "sahelmap.cli", "import", str(path), "--label", "acled"]
    started = time.perf_counter()
    done = subprocess.run(
        command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False
    )
    if done.returncode not in (0, 1):  # 1: some rows rejected, the valid ones stored
        raise SystemExit(f"sahelmap import failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    print(done.stdout.strip())
    return time.perf_counter() - started


def store_synthetic(rows: int, data_dir: Path) -> float:
    """Import ``rows`` synthetic ACLED-format events (tests/factories.py) into the temporary store."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from synthetic import prepare_store

    return prepare_store(rows, data_dir)


REPLICAS_SITE = ROOT / "deploy" / "nginx" / "sahelmap-replicas.conf"


def nginx_site(site: str, https_port: int, http_port: int, app_ports: list[int], work: Path) -> str:
    """deploy/nginx/sahelmap-replicas.conf with loopback addresses, a local certificate and these replicas."""
    upstream = "".join(f"    server 127.0.0.1:{p};\n" for p in app_ports)
    site, n = __import__("re").subn(r"(    server 127\.0\.0\.1:\d+;\n)+", upstream, site)
    if n != 1:
        raise SystemExit(f"{REPLICAS_SITE}: expected one upstream list of `server 127.0.0.1:PORT;` lines")
    replacements = {
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen 443 ssl;": f"listen 127.0.0.1:{https_port} ssl;",
        "/etc/letsencrypt/live/sahelmap.example.org/fullchain.pem": str(work / "cert.pem"),
        "/etc/letsencrypt/live/sahelmap.example.org/privkey.pem": str(work / "key.pem"),
        "root /var/www/html;": f"root {work / 'www'};",
    }
    for old, new in replacements.items():
        if old not in site:
            raise SystemExit(f"{REPLICAS_SITE}: {old!r} not found")
        site = site.replace(old, new)
    return "\n".join(line for line in site.splitlines() if "listen [::]" not in line) + "\n"


def start_nginx(app_ports: list[int], work: Path) -> tuple[subprocess.Popen[bytes], str]:
    """nginx (Debian's, on PATH) with the replicas site on loopback ports; https with a self-signed
    certificate made here. Returns the process and the base URL."""
    if shutil.which("nginx") is None or shutil.which("openssl") is None:
        raise SystemExit("--nginx needs nginx and openssl (apt-get install -y nginx)")
    work.mkdir(parents=True, exist_ok=True)
    work.chmod(0o755)  # nginx workers (not root) reach their temporary directories below it
    (work / "www").mkdir(exist_ok=True)
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-keyout", str(work / "key.pem"), "-out", str(work / "cert.pem")],
        check=True, capture_output=True,
    )  # fmt: skip
    https_port, http_port = free_port(), free_port()
    (work / "site.conf").write_text(
        nginx_site(REPLICAS_SITE.read_text(), https_port, http_port, app_ports, work)
    )
    (work / "nginx.conf").write_text(
        f"""worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/error.log;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {work}/client_body;
    proxy_temp_path {work}/proxy;
    fastcgi_temp_path {work}/fastcgi;
    uwsgi_temp_path {work}/uwsgi;
    scgi_temp_path {work}/scgi;
    include {work}/site.conf;
}}
"""
    )
    conf = ["-p", str(work), "-c", str(work / "nginx.conf")]
    subprocess.run(["nginx", "-t", "-q", *conf], check=True)
    process = subprocess.Popen(
        ["nginx", *conf, "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
    )
    return process, f"https://127.0.0.1:{https_port}"


def start_server(port: int, data_dir: Path, log_path: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SAHELMAP_DATA_DIR": str(data_dir), "SAHELMAP_READONLY": "1"}
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--server.fileWatcherType",
        "none",
        "--browser.gatherUsageStats",
        "false",
    ]
    with log_path.open("wb") as log:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def stop_server(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=15)


# --- driving and reporting ----------------------------------------------------------------------------


async def drive(base: str, args: argparse.Namespace) -> tuple[Stats, float]:
    stats = Stats()
    started = time.monotonic()
    deadline = started + args.duration
    sessions = [Session(i, base, args, stats, deadline) for i in range(args.sessions)]
    # Each session stops by itself after the deadline (its last rerun may finish up to --timeout later).
    await asyncio.wait_for(
        asyncio.gather(*(s.run() for s in sessions)), timeout=args.duration + args.timeout + 60
    )
    return stats, time.monotonic() - started


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def summarise(
    stats: Stats, elapsed: float, args: argparse.Namespace, extra: dict[str, Any]
) -> dict[str, Any]:
    every = stats.latencies["link"] + stats.latencies["filter"]

    def figures(values: list[float]) -> dict[str, float | int]:
        return {
            "n": len(values),
            "p50_s": round(percentile(values, 50), 3),
            "p95_s": round(percentile(values, 95), 3),
            "max_s": round(max(values), 3) if values else float("nan"),
        }

    return {
        "sessions": args.sessions,
        "duration_s": round(elapsed, 1),
        "think_s": args.think,
        "reruns_completed": len(every),
        "reruns_per_s": round(len(every) / elapsed, 2) if elapsed else 0.0,
        "errors": sum(stats.errors.values()),
        "errors_by_kind": dict(stats.errors),
        "error_examples": stats.error_examples,
        "latency_all": figures(every),
        "latency_filter_change": figures(stats.latencies["filter"]),
        "latency_open_link": figures(stats.latencies["link"]),
        "actions": dict(stats.actions),
        "websocket_sessions_opened": stats.sessions_opened,
        "distinct_event_counts_shown": len(stats.events_shown),
        "mb_received": round(stats.bytes_received / 1e6, 1),
        "client_cpu_s": round(sum(resource.getrusage(resource.RUSAGE_SELF)[:2]), 1),
        "load_average": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        **extra,
    }


def print_report(r: dict[str, Any]) -> None:
    def line(name: str, f: dict[str, Any]) -> str:
        n, p50, p95, top = f["n"], f["p50_s"], f["p95_s"], f["max_s"]
        return f"  {name:<22} n={n:<5} p50 {p50:.2f} s   p95 {p95:.2f} s   max {top:.2f} s"

    print()
    print(f"target                  {r['target']}")
    if r.get("code"):
        print(f"code                    {r['code']}")
    if r.get("dataset"):
        print(f"data                    {r['dataset']}")
    print(f"sessions                {r['sessions']} (think time uniform 0-{2 * r['think_s']:.1f} s)")
    print(f"duration                {r['duration_s']} s")
    print(f"reruns completed        {r['reruns_completed']} ({r['reruns_per_s']}/s)")
    print(f"errors                  {r['errors']} {r['errors_by_kind'] or ''}")
    for example in r["error_examples"]:
        print(f"    {example}")
    print("rerun latency under load")
    print(line("all", r["latency_all"]))
    print(line("filter change", r["latency_filter_change"]))
    print(line("open a link (new ws)", r["latency_open_link"]))
    print(f"actions                 {r['actions']}")
    print(f"distinct 'Events' shown {r['distinct_event_counts_shown']}  (filters took effect)")
    opened = r["websocket_sessions_opened"]
    print(f"received                {r['mb_received']} MB over {opened} websocket sessions")
    if "server_rss_peak_mb" in r:
        print(f"server RSS idle         {r['server_rss_idle_mb']} MB (after the warm-up run)")
        print(
            f"server RSS peak         {r['server_rss_peak_mb']} MB sampled (VmHWM {r['server_vmhwm_mb']} MB)"
        )
    if "server_cpu_s" in r:
        print(f"server CPU              {r['server_cpu_s']} s = {r['server_cpu_cores']} cores on average")
    if r.get("replicas", 1) > 1:
        print(
            f"CPU of each replica     {r['server_cpu_s_each']} s during the load (sessions spread by route)"
        )
    print(f"load client CPU         {r['client_cpu_s']} s (same machine)")
    print(f"machine load average    {r['load_average']} (1, 5, 15 min, at the end)")


def warm_up(base: str, args: argparse.Namespace) -> float:
    """One session's first run, so the shared table is loaded before the clock starts."""
    stats = Stats()
    session = Session(-1, base, args, stats, time.monotonic())

    async def once() -> None:
        await session.open_link()
        await session.close()

    try:
        asyncio.run(once())
    except (OSError, InvalidHandshake, ConnectionClosed, TimeoutError) as error:
        raise SystemExit(f"the warm-up session failed: {error!r}") from None
    if stats.errors:
        raise SystemExit(f"the warm-up run failed: {stats.error_examples}")
    return stats.latencies["link"][0]


def code_version() -> str:
    """The commit the server runs, and whether the work tree differs from it."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
        return done.stdout.strip()

    sha = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--untracked-files=no", "--", "app.py", "src", ".streamlit")
    return sha + (" + uncommitted changes to app.py/src" if dirty else "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=20, help="concurrent sessions (default 20)")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load (default 60)")
    parser.add_argument(
        "--think",
        type=float,
        default=1.0,
        help="mean pause between a session's actions, uniform 0..2x (default 1.0; 0 = back to back)",
    )
    parser.add_argument(
        "--link-share", type=float, default=0.1, help="share of actions that open a new link (default 0.1)"
    )
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds a rerun may take (default 60)")
    parser.add_argument("--stagger", type=float, default=0.05, help="seconds between session starts")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--acled", type=Path, help="import this ACLED export into the temporary store first")
    parser.add_argument("--url", help="drive a running server (loopback only) instead of starting one")
    parser.add_argument(
        "--synthetic", type=int, default=0, help="import this many synthetic ACLED-format events first"
    )
    parser.add_argument("--replicas", type=int, default=1, help="server processes to start (default 1)")
    parser.add_argument(
        "--nginx",
        action="store_true",
        help="put nginx in front (deploy/nginx/sahelmap-replicas.conf, sticky sessions); "
        "needed for --replicas > 1",
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    if not 1 <= args.sessions <= 200 or not 0 < args.duration <= 3600:
        parser.error("--sessions must be 1..200 and --duration 0..3600 s")
    if not 1 <= args.replicas <= 8 or (args.replicas > 1 and not args.nginx):
        parser.error("--replicas must be 1..8, and more than 1 needs --nginx")
    if args.url and (args.nginx or args.replicas > 1 or args.synthetic):
        parser.error("--nginx, --replicas and --synthetic start servers: not with --url")

    extra: dict[str, Any] = {}
    log = ""
    servers: list[subprocess.Popen[bytes]] = []
    ports: list[int] = []
    proxy = None
    samplers: list[MemorySampler] = []
    workdir = Path(tempfile.mkdtemp(prefix="sahelmap-load-"))
    try:
        if args.url:
            if args.acled:
                parser.error("--acled imports into the server this script starts; not with --url")
            base = check_loopback(args.url)
            wait_for_health(base, None, 30)
            extra["target"] = f"{base} (running server)"
        else:
            data_dir = workdir / "data"
            extra["dataset"] = "bundled curated table"
            if args.acled:
                seconds = import_acled(args.acled.resolve(), data_dir)
                extra["dataset"] = f"bundled curated table + {args.acled.name} (import {seconds:.1f} s)"
            if args.synthetic:
                seconds = store_synthetic(args.synthetic, data_dir)
                extra["dataset"] = f"{extra['dataset']} + {args.synthetic:,} synthetic ACLED-format events"
                print(f"stored {args.synthetic:,} synthetic events in {seconds:.1f} s")
            ports = [free_port() for _ in range(args.replicas)]
            for i, port in enumerate(ports):
                servers.append(start_server(port, data_dir, workdir / f"server{i}.log"))
            for server, port in zip(servers, ports, strict=True):
                ready = wait_for_health(f"http://127.0.0.1:{port}", server, SERVER_START_TIMEOUT_S)
                print(f"server healthy after {ready:.1f} s; pid {server.pid}, port {port}")
            base = f"http://127.0.0.1:{ports[0]}"
            extra["target"] = f"streamlit run app.py on {base}, SAHELMAP_DATA_DIR={data_dir}"
            if args.nginx:
                proxy, base = start_nginx(ports, workdir / "nginx")
                wait_for_health(base, proxy, 30)
                extra["target"] = (
                    f"nginx {base} (deploy/nginx/sahelmap-replicas.conf, hash on a route cookie) -> "
                    f"{args.replicas} x streamlit run app.py on ports {', '.join(map(str, ports))}"
                )
            extra["replicas"] = args.replicas
            extra["code"] = code_version()
        # Every replica loads its own copy of the table: warm each up directly, then once through nginx.
        for port in ports if servers else []:
            warm_up(f"http://127.0.0.1:{port}", args)
        first = warm_up(base, args)
        print(f"warm-up run (loads the table) {first:.2f} s")
        if servers:
            extra["server_rss_idle_mb"] = round(
                sum(status_kb(p, "VmRSS") for s in servers for p in process_tree(s.pid)) / 1024, 1
            )
            samplers = [MemorySampler(s.pid) for s in servers]
            for sampler in samplers:
                sampler.start()
            cpu_before_each = [cpu_seconds(s.pid) for s in servers]
            cpu_before = sum(cpu_before_each)
        print(f"driving {args.sessions} sessions for {args.duration:.0f} s ...")
        stats, elapsed = asyncio.run(drive(base, args))
        if servers:
            for sampler in samplers:
                sampler.stop_event.set()
                sampler.join(timeout=5)
            extra["server_rss_peak_mb"] = round(sum(x.peak_kb for x in samplers) / 1024, 1)
            extra["server_vmhwm_mb"] = round(sum(status_kb(s.pid, "VmHWM") for s in servers) / 1024, 1)
            extra["server_cpu_s"] = round(sum(cpu_seconds(s.pid) for s in servers) - cpu_before, 1)
            extra["server_cpu_cores"] = round(extra["server_cpu_s"] / elapsed, 2)
            extra["server_cpu_s_each"] = [
                round(cpu_seconds(s.pid) - before, 1)
                for s, before in zip(servers, cpu_before_each, strict=True)
            ]
            for server in servers:
                if server.poll() is not None:
                    stats.error("server exited", f"status {server.returncode}")
        report = summarise(stats, elapsed, args, extra)
    finally:
        for sampler in samplers:
            sampler.stop_event.set()
        if proxy is not None:
            stop_server(proxy)
        for i, server in enumerate(servers):
            stop_server(server)
            log += (workdir / f"server{i}.log").read_text(errors="replace")
        shutil.rmtree(workdir, ignore_errors=True)
    if log.count("Traceback"):
        report["errors"] += log.count("Traceback")
        report["errors_by_kind"]["traceback in the server log"] = log.count("Traceback")
        print("server log, last lines:\n" + "\n".join(log.splitlines()[-30:]))
    print_report(report)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0 if report["reruns_completed"] and not report["errors"] else 1


if __name__ == "__main__":
    sys.exit(main())
