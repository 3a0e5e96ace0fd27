"""Runs the app under uvicorn: `plan-assistant serve`, and a background server for tests and benchmarks."""

from __future__ import annotations

import contextlib
import socket
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import uvicorn

from assistant.config import Settings


def run_server(settings: Settings, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Build the Assistant once, index the bundled corpus if the store is empty, and serve until stopped."""
    from assistant.api import create_app
    from assistant.service import Assistant

    assistant = Assistant(settings)
    report = assistant.ensure_corpus(progress=True)
    if report is not None:
        print(f"Indexed the bundled corpus: {report.summary()}", file=sys.stderr)
    app = create_app(settings, assistant)
    shown = "localhost" if host in ("0.0.0.0", "::", "127.0.0.1") else host
    url = settings.public_url or f"http://{shown}:{port}/"
    print(f"Plan Assistant is running at {url}  (API docs: {url.rstrip('/')}/docs; stop with Ctrl+C)", flush=True)
    uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=True)


@contextlib.contextmanager
def serve_in_thread(app: Any, host: str = "127.0.0.1", timeout: float = 30.0) -> Iterator[str]:
    """Serve an ASGI app from a background thread on a free port; yield its base URL and stop on exit."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off", timeout_keep_alive=30))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True, name="uvicorn")
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            sock.close()
            raise RuntimeError(f"The server on {host}:{port} did not start.")
        time.sleep(0.02)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout)
        sock.close()
