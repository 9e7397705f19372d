"""The HTML report in real headless Chromium: renders at desktop and phone widths, with no
console errors and no network requests (every resource is inline)."""

from __future__ import annotations

import re
from pathlib import Path

import cv2
import numpy as np
import pytest
from browser import RecordingProxy, console_errors, dump_dom, open_page, page_requests
from builders import RepShape, build_set

from formcheck.config import Config
from formcheck.pipeline import analyze_series
from formcheck.report.outputs import write_outputs
from formcheck.report.overlay import rep_at
from formcheck.results import SetReport
from formcheck.video.writer import VideoSink

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def report() -> SetReport:
    series, _ = build_set([RepShape(), RepShape(top_trunk_deg=15.0), RepShape(down_s=0.4)])
    return analyze_series(series, Config(), "built.mp4")


@pytest.fixture(scope="module")
def report_dir(report: SetReport, tmp_path_factory: pytest.TempPathFactory) -> Path:
    series = report.series
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


def _moments(report: SetReport) -> list[float]:
    """A moment in each phase of the second rep, and one between reps."""
    rep = report.reps[1]
    inside = [(a + b) / 2 for _, a, b in rep.phases.spans()]
    return [*inside, (report.reps[0].end_s + rep.start_s) / 2 - 0.01]


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_the_page_draws_the_analysis_over_the_clip(
    report: SetReport, report_dir: Path, width: int, proxy: RecordingProxy
) -> None:
    """The canvas over the playing clip shows the frame, rep and phase of the moment shown
    (the clip opened at each moment by a media fragment), with no error and no request."""
    t = report.series.timestamps_s
    for moment in _moments(report):
        copy = report_dir / f"at_{moment:.3f}.html"
        copy.write_text(
            (report_dir / "report.html")
            .read_text()
            .replace('src="clip.mp4"', f'src="clip.mp4#t={moment:.3f}"')
        )
        run = dump_dom(copy.as_uri(), width, proxy.port)
        assert run.returncode == 0, run.stderr[-2000:]
        assert not console_errors(run.stderr), console_errors(run.stderr)
        canvas = re.search(r"<canvas id=\"fc-canvas\"[^>]*>", run.stdout)
        assert canvas, run.stdout[-1500:]
        attrs = dict(re.findall(r'data-(\w+)="([^"]*)"', canvas.group(0)))
        want_frame = int(np.searchsorted(t, moment + 1e-4, side="right")) - 1
        current, _ = rep_at(report, moment)
        assert abs(int(attrs["frame"]) - want_frame) <= 1, (moment, attrs)
        assert attrs["rep"] == (str(current.index) if current else ""), (moment, attrs)
        want_phase = current.phases.at(moment) if current else "-"
        assert attrs["phase"] == want_phase, (moment, attrs)
    assert page_requests(proxy) == []
