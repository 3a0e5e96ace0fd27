"""`plan-assistant serve` in a real process, and the background server used by tests and benchmarks."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx
from fastapi.testclient import TestClient

from assistant.api import create_app
from assistant.config import Settings
from assistant.server import serve_in_thread


def test_serve_in_thread_starts_and_stops(settings: Settings) -> None:
    with serve_in_thread(create_app(settings)) as url:
        assert url.startswith("http://127.0.0.1:")
        assert httpx.get(f"{url}/healthz", timeout=30).json()["status"] == "ok"
    try:
        httpx.get(f"{url}/healthz", timeout=2)
        raise AssertionError("the server still answers")
    except httpx.TransportError:
        pass


def test_cli_serve_runs_the_app(settings: Settings) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cmd = [sys.executable, "-m", "assistant.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [*cmd, "--store", str(settings.store_dir)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, text=True
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
                time.sleep(0.3)
        else:
            raise AssertionError("plan-assistant serve did not come up")
        assert health.json()["documents"] >= 5
        page = httpx.get(f"http://127.0.0.1:{port}/", timeout=10)
        assert page.status_code == 200 and "Planassistent" in page.text
    finally:
        proc.terminate()
        output = proc.communicate(timeout=30)[0]
    assert f"http://localhost:{port}/" in output


def test_the_app_reuses_one_assistant(settings: Settings) -> None:
    app = create_app(settings)
    with TestClient(app) as client:
        client.post("/api/ask", json={"question": "Hvilke mål har strategien?"})
        first = app.state.assistant
        client.post("/api/ask", json={"question": "Hvilke tiltak er forsinket?"})
        assert app.state.assistant is first
