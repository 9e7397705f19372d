"""The HTML report in real headless Chromium: renders at desktop and phone widths, with no
console errors and no network requests (every resource is inline)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from browser import RecordingProxy, console_errors, open_page, page_requests
from builders import RepShape, build_set

from formcheck.config import Config
from formcheck.pipeline import analyze_series
from formcheck.report.outputs import write_outputs
from formcheck.video.writer import VideoSink

pytestmark = pytest.mark.browser


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
def test_page_renders_without_errors(report_dir: Path, width: int, proxy: RecordingProxy) -> None:
    shot = report_dir / f"shot_{width}.png"
    run = open_page(report_dir / "report.html", width, shot, proxy.port)
    log = run.stderr
    assert run.returncode == 0, log[-2000:]
    assert not console_errors(log), console_errors(log)
    assert page_requests(proxy) == []  # every request the page made would pass the proxy
    image = cv2.imread(str(shot))
    assert image is not None and image.shape[1] == width
    assert image.std() > 10  # not a blank page


def test_the_checks_catch_a_bad_page(tmp_path: Path, proxy: RecordingProxy) -> None:
    """The same checks on a page with a console error and an external image do fail."""
    page = tmp_path / "bad.html"
    page.write_text('<img src="http://example.com/x.png"><script>console.error("boom")</script>')
    log = open_page(page, 400, tmp_path / "bad.png", proxy.port).stderr
    assert any("CONSOLE" in line for line in log.splitlines())
    assert page_requests(proxy), "the external image request was not seen"
