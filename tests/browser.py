"""Headless Chromium for page tests: flags, a recording proxy, and opening a page."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-features=NetworkTimeServiceQuerying",  # Chromium's own clock check
    "--enable-logging=stderr",
    "--v=0",
    "--proxy-bypass-list=<-loopback>",  # even loopback requests go through the proxy below
]


@pytest.fixture
def proxy() -> Iterator[tuple[int, list[bytes]]]:
    """A local 'proxy' that records every connection the browser makes and answers nothing."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    seen: list[bytes] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(1.0)
                try:
                    seen.append(conn.recv(200))
                except OSError:
                    seen.append(b"?")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], seen
    stop.set()
    thread.join()
    server.close()


def console_errors(log: str) -> list[str]:
    """Console messages and uncaught errors in Chromium's stderr log."""
    return [line for line in log.splitlines() if "CONSOLE" in line or "Uncaught" in line]


def open_page(
    page: Path, width: int, shot: Path, proxy_port: int
) -> subprocess.CompletedProcess[str]:
    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is not installed (.ci/run installs Debian's chromium)")
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run(
            [
                CHROMIUM,
                *FLAGS,
                f"--proxy-server=http://127.0.0.1:{proxy_port}",
                f"--user-data-dir={profile}",
                f"--screenshot={shot}",
                f"--window-size={width},2400",
                page.as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )


#: Hosts Chromium itself talks to (updates, clock, safe browsing), whatever the page does.
CHROMIUM_OWN_HOSTS = (b"googleapis.com", b"google.com", b"gvt1.com", b"gstatic.com")


def page_requests(seen: list[bytes]) -> list[bytes]:
    """The recorded requests that the page made (Chromium's own background traffic removed)."""

    def host(req: bytes) -> bytes:
        first = req.split(b"\r\n", 1)[0].split(b" ")
        return first[1] if len(first) > 1 else b""

    return [r for r in seen if not any(h in host(r) for h in CHROMIUM_OWN_HOSTS)]
