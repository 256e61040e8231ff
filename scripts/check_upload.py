"""Upload one event file to a running sahelmap, as the browser's "Add your data" does, and report.

It speaks Streamlit's own protocol (the session client of ``benchmarks/load_sessions.py``): open a session,
ask for an upload URL (``BackMsg.file_urls_request``), PUT the file there with the XSRF token, rerun with
the uploader's state, and read what the page shows: the upload summary and whether the
"Keep as dataset" button is offered (it is hidden when the server runs with ``SAHELMAP_READONLY=1``).
Loopback addresses only.

    .venv/bin/python scripts/check_upload.py --url http://127.0.0.1:8501 FILE [--expect-keep no]

Exit status: 0 when the upload was read and the button matched --expect-keep; 1 otherwise; 2 when the
upload URL refused the file (the status, e.g. 413 from a proxy's body-size limit, is printed).
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import load_sessions as client  # noqa: E402
from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402
from streamlit.proto.WidgetStates_pb2 import WidgetState  # noqa: E402


def multipart(name: str, data: bytes) -> tuple[bytes, str]:
    boundary = "sahelmap" + secrets.token_hex(12)
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode()
    return head + data + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def put_file(base: str, path: str, cookie: str | None, name: str, data: bytes) -> int:
    body, content_type = multipart(name, data)
    headers = {"Content-Type": content_type}
    if cookie:
        headers |= {"X-Xsrftoken": cookie, "Cookie": f"{client.XSRF_COOKIE}={cookie}"}
    # base passed client.check_loopback: http(s) on a loopback address, nothing else
    request = urllib.request.Request(base + path, data=body, method="PUT", headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=120, context=client.ssl_context()) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


async def upload(base: str, file: Path, timeout: float) -> tuple[int, client.RunResult | None]:
    args = argparse.Namespace(seed=0, timeout=timeout, stagger=0, think=0, link_share=0)
    session = client.Session(0, base, args, client.Stats(), time.monotonic() + timeout)
    try:
        await session.open_link(query="")
        uploader = session.widgets.get("w_upload")
        if uploader is None or session.ws is None:
            raise SystemExit("the page shows no file uploader (key w_upload)")
        request = BackMsg()
        request.file_urls_request.request_id = "1"
        request.file_urls_request.file_names.append(file.name)
        request.file_urls_request.session_id = session.session_id
        await session.ws.send(request.SerializeToString())
        async with asyncio.timeout(timeout):
            while True:
                msg = ForwardMsg()
                msg.ParseFromString(await session.ws.recv())
                if msg.WhichOneof("type") == "file_urls_response":
                    break
        if msg.file_urls_response.error_msg:
            raise SystemExit("upload URL refused: " + msg.file_urls_response.error_msg)
        urls = msg.file_urls_response.file_urls[0]
        data = file.read_bytes()
        status = await asyncio.to_thread(put_file, base, urls.upload_url, session.cookie, file.name, data)
        print(f"PUT {urls.upload_url} ({len(data) / 1e6:.1f} MB): HTTP {status}")
        if status not in (200, 204):
            return status, None
        state = WidgetState(id=uploader.id)
        info = state.file_uploader_state_value.uploaded_file_info.add()
        info.name, info.size, info.file_id = file.name, len(data), urls.file_id
        info.file_urls.CopyFrom(urls)
        rerun = BackMsg()
        rerun.rerun_script.query_string = session.query_string
        rerun.rerun_script.page_script_hash = session.page_script_hash
        rerun.rerun_script.widget_states.widgets.append(state)
        started = time.perf_counter()
        await session.ws.send(rerun.SerializeToString())
        return status, await client.run_until_finished(session.ws, started, timeout)
    finally:
        await session.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--url", default="http://127.0.0.1:8501", help="the app (loopback only)")
    parser.add_argument("--expect-keep", choices=("yes", "no"), help="whether 'Keep as dataset' must show")
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args(argv)
    base = client.check_loopback(args.url)
    _, result = asyncio.run(upload(base, args.file, args.timeout))
    if result is None:
        return 2
    summaries = [a for a in result.alerts if "rows read" in a or "not read" in a]
    keep = [b for b in result.buttons if b.startswith("Keep as dataset")]
    print(f"rerun with the upload: {result.seconds:.2f} s")
    for line in summaries or ["(no summary of the upload on the page)"]:
        print("  " + line)
    print(f"  'Keep as dataset' button: {'shown' if keep else 'hidden'}")
    for error in result.errors:
        print("  error: " + error)
    ok = bool(summaries) and not result.errors and all(a.startswith("SUCCESS") for a in summaries)
    if args.expect_keep is not None:
        ok = ok and bool(keep) == (args.expect_keep == "yes")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
