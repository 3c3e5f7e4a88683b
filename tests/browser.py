"""Running a Streamlit app as a real server for the browser tests."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PROJECT = Path(__file__).resolve().parent.parent
START_TIMEOUT_S = 60


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(
    db_url: str,
    log: Path,
    *,
    public: bool = False,
    env: dict[str, str] | None = None,
    port: int | None = None,
    extra_args: tuple[str, ...] = (),
) -> Iterator[str]:
    """The dashboard (or public view) as `carers-impact serve` runs it, on a loopback port.

    Yields its URL; `env` adds environment variables (settings) for the server,
    `extra_args` Streamlit options (such as `--secrets.files`).
    """
    from carers_impact.cli import streamlit_command

    port = port or free_port()
    command = [*streamlit_command(public=public, port=port, address="127.0.0.1"), *extra_args]
    env = dict(os.environ, **(env or {}), CARERS_DB_URL=db_url)
    base = f"http://127.0.0.1:{port}"
    with running(command, ready_url=f"{base}/_stcore/health", log=log, env=env):
        yield base


@contextlib.contextmanager
def running(
    command: list[str],
    *,
    ready_url: str,
    log: Path,
    env: dict[str, str] | None = None,
    cwd: Path = PROJECT,
) -> Iterator[subprocess.Popen]:
    """A server process, once `ready_url` answers; stopped (by its own id) afterwards."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=cwd, env=env or dict(os.environ), stdout=out, stderr=subprocess.STDOUT
        )
    name = Path(command[0]).name
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if process.poll() is not None:
                pytest.fail(f"{name} exited early:\n{log.read_text()}")
            try:
                with urllib.request.urlopen(ready_url, timeout=2) as reply:
                    if reply.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"{name} did not start in {START_TIMEOUT_S}s:\n{log.read_text()}")
            time.sleep(0.25)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
