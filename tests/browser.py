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


class RecordingProxy:
    """A local 'proxy' that records the first bytes of every connection and answers nothing.

    Each connection is read in its own thread, so a connection Chromium opens and never uses
    (a preconnect) cannot hold up a real request behind it. Such a connection sends no bytes
    and is not a request: `requests()` leaves it out.
    """

    def __init__(self) -> None:
        self._server = socket.socket()
        self._server.bind(("127.0.0.1", 0))
        self._server.listen(64)
        self._server.settimeout(0.2)
        self.port: int = self._server.getsockname()[1]
        self._seen: list[bytes] = []
        self._lock = threading.Lock()
        self._readers: list[threading.Thread] = []
        self._stop = threading.Event()
        self._acceptor = threading.Thread(target=self._accept, daemon=True)
        self._acceptor.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except OSError:
                continue
            reader = threading.Thread(target=self._read, args=(conn,), daemon=True)
            reader.start()
            self._readers.append(reader)

    def _read(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(2.0)
            try:
                data = conn.recv(200)
            except OSError:
                data = b""
        with self._lock:
            self._seen.append(data)

    def requests(self) -> list[bytes]:
        """Every request made so far; call once the browser has exited."""
        self.close()
        with self._lock:
            return [d for d in self._seen if d]

    def close(self) -> None:
        if not self._stop.is_set():
            self._stop.set()
            self._acceptor.join()
            self._server.setblocking(False)
            while True:  # connections still queued when the browser exited
                try:
                    conn, _ = self._server.accept()
                except OSError:
                    break
                self._read(conn)
            for reader in self._readers:
                reader.join()
            self._server.close()


@pytest.fixture
def proxy() -> Iterator[RecordingProxy]:
    recorder = RecordingProxy()
    yield recorder
    recorder.close()


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


def dump_dom(page: str, width: int, proxy_port: int) -> subprocess.CompletedProcess[str]:
    """The page's DOM once it has loaded and its media had 5 s of (virtual) time to play; the
    page may be a file URI with a query or fragment."""
    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is not installed (.ci/run installs Debian's chromium)")
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run(
            [
                CHROMIUM,
                *FLAGS,
                f"--proxy-server=http://127.0.0.1:{proxy_port}",
                f"--user-data-dir={profile}",
                "--virtual-time-budget=5000",
                f"--window-size={width},2400",
                "--dump-dom",
                page,
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )


#: Hosts Chromium itself talks to (updates, clock, safe browsing), whatever the page does.
CHROMIUM_OWN_HOSTS = (b"googleapis.com", b"google.com", b"gvt1.com", b"gstatic.com")


def page_requests(recorder: RecordingProxy) -> list[bytes]:
    """The recorded requests that the page made (Chromium's own background traffic removed)."""

    def host(req: bytes) -> bytes:
        first = req.split(b"\r\n", 1)[0].split(b" ")
        return first[1] if len(first) > 1 else b""

    return [r for r in recorder.requests() if not any(h in host(r) for h in CHROMIUM_OWN_HOSTS)]
