"""The HTML report in real headless Chromium: renders at desktop and phone widths, with no
console errors and no network requests (every resource is inline)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest
from builders import RepShape, build_set

from formcheck.config import Config
from formcheck.pipeline import analyze_series
from formcheck.report.outputs import write_outputs
from formcheck.video.writer import VideoSink

pytestmark = pytest.mark.browser

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


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    series, _ = build_set([RepShape(), RepShape(top_trunk_deg=15.0), RepShape(down_s=0.4)])
    report = analyze_series(series, Config(), "built.mp4")
    folder = tmp_path_factory.mktemp("browser")
    clip = folder / "built.mp4"
    w, h = series.image_size
    with VideoSink(clip, w, h, series.fps) as sink:
        for _ in range(len(series)):
            sink.write(np.full((h, w, 3), 90, np.uint8))
    write_outputs(clip, report, folder / "out")
    return folder / "out"


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_page_renders_without_errors(report_dir: Path, width: int) -> None:
    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is not installed (.ci/run installs Debian's chromium)")
    shot = report_dir / f"shot_{width}.png"
    with tempfile.TemporaryDirectory() as profile:
        run = subprocess.run(
            [
                CHROMIUM,
                *FLAGS,
                f"--user-data-dir={profile}",
                f"--screenshot={shot}",
                f"--window-size={width},2400",
                (report_dir / "report.html").as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    log = run.stderr
    assert run.returncode == 0, log[-2000:]
    console = [line for line in log.splitlines() if "CONSOLE" in line or "Uncaught" in line]
    assert not console, console
    assert "ERR_NAME_NOT_RESOLVED" not in log and "Failed to load resource" not in log
    image = cv2.imread(str(shot))
    assert image is not None and image.shape[1] == width
    assert image.std() > 10  # not a blank page


def test_the_checks_catch_a_bad_page(tmp_path: Path, proxy: tuple[int, list[bytes]]) -> None:
    """The same checks on a page with a console error and an external image do fail."""
    page = tmp_path / "bad.html"
    page.write_text('<img src="http://example.com/x.png"><script>console.error("boom")</script>')
    log = open_page(page, 400, tmp_path / "bad.png", proxy[0]).stderr
    assert any("CONSOLE" in line for line in log.splitlines())
    assert proxy[1], "the external image request was not seen"
