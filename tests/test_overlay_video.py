"""Annotated video: the overlay drawn from a SetReport, and annotated.mp4 (no pose model)."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np
import pytest
from builders import SIZE, RepShape, build_set

from formcheck.config import Config
from formcheck.errors import InputError
from formcheck.pipeline import analyze_series
from formcheck.report import outputs
from formcheck.report.outputs import write_outputs
from formcheck.report.overlay import draw_overlay, rep_at
from formcheck.report.video import write_annotated_video
from formcheck.results import NotJudged, SetReport, Unjudged
from formcheck.video.writer import VideoSink, join_mp4

FPS = 30.0


@pytest.fixture(scope="module")
def report() -> SetReport:
    series, _ = build_set(
        [RepShape(top_s=1.0, down_s=1.2), RepShape(top_s=1.0, down_s=0.4)], fps=FPS
    )
    rep = analyze_series(series, Config(), "x")
    assert rep.rep_count == 2
    return rep


def _plain_frames(n: int) -> list[np.ndarray]:
    w, h = SIZE
    frames = []
    for k in range(n):
        img = np.full((h, w, 3), 90, np.uint8)
        img[:, : (k * 7) % w] = 120  # a moving edge so frames are not all alike
        frames.append(img)
    return frames


@pytest.fixture(scope="module")
def plain_clip(report: SetReport, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("clip") / "plain.mp4"
    with VideoSink(path, *SIZE, FPS) as sink:
        for img in _plain_frames(len(report.series)):
            sink.write(img)
    return path


def _read_all(path: Path) -> tuple[list[np.ndarray], float]:
    cap = cv2.VideoCapture(str(path))
    fps = float(cap.get(cv2.CAP_PROP_FPS))
    frames = []
    while True:
        ok, img = cap.read()
        if not ok:
            break
        frames.append(img)
    cap.release()
    return frames, fps


def test_draw_overlay_keeps_shape_and_input(report: SetReport) -> None:
    frame = np.full((SIZE[1], SIZE[0], 3), 90, np.uint8)
    before = frame.copy()
    for i in (0, len(report.series) // 2, len(report.series) - 1):
        out = draw_overlay(frame, report, i)
        assert out.shape == frame.shape and out.dtype == np.uint8
        assert np.array_equal(frame, before)  # the input is not drawn on
        assert np.count_nonzero(np.any(out != frame, axis=-1)) > 1000


def test_draw_overlay_scales_to_other_sizes(report: SetReport) -> None:
    for w, h in ((360, 640), (1920, 1080), (321, 241)):
        frame = np.zeros((h, w, 3), np.uint8)
        out = draw_overlay(frame, report, 10)
        assert out.shape == (h, w, 3)


def test_phase_and_rep_follow_the_rep_times(report: SetReport) -> None:
    r = report.reps[0]
    assert rep_at(report, r.lockout_s) == (r, None)
    assert r.phases.at(r.lockout_s) == "top"
    assert r.phases.at(r.start_s + 0.01) in ("bottom", "up")
    assert r.phases.at(r.end_s - 0.01) == "down"
    current, done = rep_at(report, report.reps[1].lockout_s)
    assert current is report.reps[1] and done is r


@pytest.mark.parametrize("parts", [1, 2])
def test_annotated_video_matches_the_clip(
    report: SetReport, plain_clip: Path, tmp_path: Path, parts: int
) -> None:
    out = tmp_path / "annotated.mp4"
    info = write_annotated_video(plain_clip, report, out, parts=parts)
    assert info["frames"] == len(report.series) and info["parts"] == parts
    assert info["codec"] in ("h264", "mp4v")
    plain, fps_in = _read_all(plain_clip)
    annotated, fps_out = _read_all(out)
    assert len(annotated) == len(plain) == len(report.series)
    assert fps_out == pytest.approx(fps_in, rel=1e-3)
    assert len(annotated) / fps_out == pytest.approx(len(plain) / fps_in, abs=1e-3)
    for k in (0, len(plain) // 2, len(plain) - 1):
        diff = np.abs(annotated[k].astype(int) - plain[k].astype(int)).max(axis=-1)
        assert np.count_nonzero(diff > 40) > 1000  # the overlay is drawn on every frame


def test_odd_frame_size_is_cropped_to_even(report: SetReport, tmp_path: Path) -> None:
    src = tmp_path / "odd.avi"
    writer = cv2.VideoWriter(str(src), cv2.VideoWriter.fourcc(*"MJPG"), FPS, (641, 361))
    for _ in range(12):
        writer.write(np.full((361, 641, 3), 90, np.uint8))
    writer.release()
    out = tmp_path / "annotated.mp4"
    info = write_annotated_video(src, report, out)
    assert info["frames"] == 12
    cap = cv2.VideoCapture(str(out))
    size = (cap.get(cv2.CAP_PROP_FRAME_WIDTH), cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
    cap.release()
    assert size == (640, 360)


def test_landmarks_input_has_no_video(report: SetReport, tmp_path: Path) -> None:
    path = tmp_path / "l.npz"
    report.series.save(path)
    with pytest.raises(InputError, match="no video to annotate"):
        write_annotated_video(path, report, tmp_path / "annotated.mp4")


@pytest.mark.parametrize("parts", [1, 2])
def test_drawing_errors_reach_the_caller(
    report: SetReport,
    plain_clip: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    parts: int,
) -> None:
    import formcheck.report.video as video

    def boom(frame: np.ndarray, rep: SetReport, i: int) -> np.ndarray:
        if i == 20:
            raise RuntimeError("boom")
        return frame

    monkeypatch.setattr(video, "draw_overlay", boom)
    with pytest.raises(RuntimeError, match="boom"):
        write_annotated_video(plain_clip, report, tmp_path / "annotated.mp4", parts=parts)


def test_a_video_annotated_in_its_own_process_is_the_same(
    report: SetReport, plain_clip: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above `APART_PIXELS` the video pass runs in a fresh process: the same frames, the
    same key frames for the HTML page (as one pass here: it is not split apart)."""
    monkeypatch.setattr(outputs, "PARTS", 1)
    here = write_outputs(plain_clip, report, tmp_path / "here", annotated=True)
    monkeypatch.setattr(outputs, "APART_PIXELS", 0)
    apart = write_outputs(plain_clip, report, tmp_path / "apart", annotated=True)
    assert here.video and apart.video
    a, _ = _read_all(here.video)
    b, _ = _read_all(apart.video)
    assert len(a) == len(b) == len(report.series)
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    assert apart.keyframes == here.keyframes and len(here.keyframes) == report.rep_count
    assert sorted(p.name for p in (tmp_path / "apart").iterdir()) == [
        "annotated.mp4",
        "report.html",
        "report.json",
    ]  # the report handed to the video process is not left behind


def test_a_long_clip_is_annotated_in_its_own_process(
    report: SetReport, plain_clip: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A clip with more analysed frames than `APART_FRAMES` is annotated in a fresh process
    whatever its frame size (the analysis held here grows with the clip)."""
    calls: list[Path] = []
    real = outputs._annotate_apart

    def spy(source: Path, *args: Any) -> Any:
        calls.append(source)
        return real(source, *args)

    monkeypatch.setattr(outputs, "_annotate_apart", spy)
    write_outputs(plain_clip, report, tmp_path / "short", annotated=True)
    assert calls == []  # small frames, a short clip: in this process
    monkeypatch.setattr(outputs, "APART_FRAMES", len(report.series) - 1)
    written = write_outputs(plain_clip, report, tmp_path / "long", annotated=True)
    assert calls == [plain_clip] and written.video is not None
    assert len(written.keyframes) == report.rep_count


def test_warnings_and_errors_of_the_video_process_reach_this_one(
    report: SetReport,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    short = tmp_path / "short.mp4"  # fewer frames than the analysis covers
    with VideoSink(short, *SIZE, FPS) as sink:
        for img in _plain_frames(20):
            sink.write(img)
    monkeypatch.setattr(outputs, "APART_PIXELS", 0)
    with caplog.at_level(logging.WARNING, logger="formcheck"):
        written = write_outputs(short, report, tmp_path / "out", annotated=True)
    assert written.video is not None
    assert any("annotated 20 frames" in r.getMessage() for r in caplog.records)
    with pytest.raises(InputError, match="not a readable video"):
        write_outputs(tmp_path / "out" / "report.json", report, tmp_path / "bad")


def test_a_video_rendered_in_parts_is_joined_whole(
    report: SetReport, plain_clip: Path, tmp_path: Path
) -> None:
    """Two ranges rendered at once and joined without re-encoding: every frame once, evenly
    timed across the join, the same pictures as one pass (up to the encoder's losses), the
    same key frames, and no part file left behind."""
    one_k: dict[int, bytes] = {}
    two_k: dict[int, bytes] = {}
    one = write_annotated_video(plain_clip, report, tmp_path / "one.mp4", keyframes=one_k)
    two = write_annotated_video(plain_clip, report, tmp_path / "two.mp4", keyframes=two_k, parts=2)
    assert one["parts"] == 1 and two["parts"] == 2
    assert one["frames"] == two["frames"] == len(report.series)
    a, _ = _read_all(tmp_path / "one.mp4")
    b, fps = _read_all(tmp_path / "two.mp4")
    assert len(b) == len(a) == len(report.series) and fps == pytest.approx(FPS)
    for x, y in zip(a, b, strict=True):
        assert cv2.PSNR(x, y) > 35  # two lossy encodes of the same drawn frame
    with av.open(str(tmp_path / "two.mp4")) as c:
        stream = c.streams.video[0]
        times = sorted(float(f.time) for f in c.decode(stream) if f.time is not None)
    assert np.allclose(np.diff(times), 1 / FPS, atol=1e-3)  # no gap or overlap at the join
    assert two_k == one_k and len(one_k) == report.rep_count
    assert sorted(p.name for p in tmp_path.iterdir()) == ["one.mp4", "two.mp4"]


def test_parts_that_do_not_match_are_not_joined(tmp_path: Path) -> None:
    parts = []
    for k, size in enumerate(((64, 48), (96, 64))):
        parts.append(tmp_path / f"p{k}.mp4")
        with VideoSink(parts[-1], *size, FPS) as sink:
            for _ in range(5):
                sink.write(np.zeros((size[1], size[0], 3), np.uint8))
    with pytest.raises(ValueError, match=r"p1\.mp4: its H\.264 parameters differ"):
        join_mp4(parts, tmp_path / "joined.mp4")


def test_an_error_in_one_part_stops_the_pass_and_leaves_no_part_file(
    report: SetReport, plain_clip: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import formcheck.report.video as video

    def boom(frame: np.ndarray, rep: SetReport, i: int) -> np.ndarray:
        if i == len(rep.series) - 5:  # in the second part
            raise RuntimeError("boom")
        return frame

    monkeypatch.setattr(video, "draw_overlay", boom)
    with pytest.raises(RuntimeError, match="boom"):
        write_annotated_video(plain_clip, report, tmp_path / "annotated.mp4", parts=2)
    assert list(tmp_path.iterdir()) == []


def test_a_clip_shorter_than_its_analysis_still_joins_in_parts(
    report: SetReport, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Fewer frames than the analysis covers leave the second part empty: the video has the
    frames there were, and says so."""
    short = tmp_path / "short.mp4"
    with VideoSink(short, *SIZE, FPS) as sink:
        for img in _plain_frames(20):
            sink.write(img)
    out = tmp_path / "out" / "annotated.mp4"
    with caplog.at_level(logging.WARNING):
        info = write_annotated_video(short, report, out, parts=2)
    assert info["parts"] == 2 and info["frames"] == 20
    assert len(_read_all(out)[0]) == 20
    assert "annotated 20 frames" in caplog.text
    assert sorted(p.name for p in out.parent.iterdir()) == ["annotated.mp4"]


@pytest.mark.parametrize(
    ("not_judged", "drawn"),
    [
        ({}, True),
        # a small lifter's head and heels: the hip angle is still measured and shown
        (
            {
                "neck_craning": NotJudged(Unjudged.TOO_SMALL, "the lifter is too small"),
                "heels_lifting": NotJudged(Unjudged.TOO_SMALL, "too small"),
            },
            True,
        ),
        ({"incomplete_lockout": NotJudged(Unjudged.LOAD, "hip hidden by the load")}, False),
        ({"incomplete_lockout": NotJudged(Unjudged.SHOT, "not seen in this shot")}, False),
    ],
)
def test_hip_angle_shown_unless_the_lockout_was_not_judged(
    report: SetReport, not_judged: dict[str, NotJudged], drawn: bool
) -> None:
    """The overlay hides the hip angle (its gauge and arc) only where the lockout, which is
    judged on it, was not judged; any other code not judged leaves it."""
    rep = report.reps[0]
    changed = replace(report, reps=(replace(rep, not_judged=not_judged), *report.reps[1:]))
    i = rep.lockout_i
    frame = np.full((SIZE[1], SIZE[0], 3), 90, np.uint8)
    shown = draw_overlay(frame.copy(), changed, i)
    gauge = (slice(10, 60), slice(SIZE[0] - 240, SIZE[0] - 20))  # the gauge's bar, top right
    with_gauge = draw_overlay(frame.copy(), report, i)
    assert np.array_equal(shown[gauge], with_gauge[gauge]) is drawn


@pytest.mark.parametrize("apart", [False, True])
def test_the_verdict_comes_before_the_video_and_the_video_reports_progress(
    report: SetReport,
    plain_clip: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    apart: bool,
) -> None:
    """report.json is written, and ``on_json`` told, before any video frame is made; the video
    pass reports its frames through ``progress``, in this process or in its own."""
    if apart:
        monkeypatch.setattr(outputs, "APART_PIXELS", 0)
    out = tmp_path / "out"
    told: list[tuple[Path, bool, bool]] = []
    seen: list[tuple[int, int]] = []

    def on_json(path: Path) -> None:
        made = (out / "annotated.tmp.mp4").exists() or (out / "annotated.mp4").exists()
        told.append((path, path.is_file(), made))

    written = write_outputs(
        plain_clip,
        report,
        out,
        annotated=True,
        on_json=on_json,
        progress=lambda d, t: seen.append((d, t)),
    )
    assert told == [(out / "report.json", True, False)]
    assert written.video is not None
    n = len(report.series)
    assert seen and seen[-1] == (n, n)  # the last report: every frame
    assert all(d <= t == n for d, t in seen)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_by_default_the_page_plays_the_clip_and_draws_over_it(
    report: SetReport, plain_clip: Path, tmp_path: Path
) -> None:
    """No frame re-encoded: the clip is copied beside the page, the page draws the analysis
    over it, and the key frames (found by seeking) are the lockout frames annotated.mp4's pass
    grabs, overlay included."""
    page = write_outputs(plain_clip, report, tmp_path / "page")
    assert page.overlay and page.video == tmp_path / "page" / "clip.mp4"
    assert page.video.read_bytes() == plain_clip.read_bytes()
    assert sorted(p.name for p in (tmp_path / "page").iterdir()) == [
        "clip.mp4",
        "report.html",
        "report.json",
    ]
    html = (tmp_path / "page" / "report.html").read_text()
    assert 'src="clip.mp4"' in html and 'id="fc-canvas"' in html and "annotated.mp4" not in html
    drawn = write_outputs(plain_clip, report, tmp_path / "drawn", annotated=True)
    assert not drawn.overlay and drawn.video == tmp_path / "drawn" / "annotated.mp4"
    assert sorted(page.keyframes) == sorted(drawn.keyframes) == [r.index for r in report.reps]
    for k, jpeg in page.keyframes.items():
        a = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
        b = cv2.imdecode(np.frombuffer(drawn.keyframes[k], np.uint8), cv2.IMREAD_COLOR)
        assert a.shape == b.shape
        assert np.abs(a.astype(int) - b.astype(int)).mean() < 2.0  # JPEG of the same picture


def test_a_clip_no_browser_plays_gets_annotated_mp4(report: SetReport, tmp_path: Path) -> None:
    clip = tmp_path / "plain.avi"  # MJPEG in AVI: no browser plays it
    w, h = SIZE
    writer = cv2.VideoWriter(str(clip), cv2.VideoWriter.fourcc(*"MJPG"), FPS, (w, h))
    for img in _plain_frames(len(report.series)):
        writer.write(img)
    writer.release()
    written = write_outputs(clip, report, tmp_path / "out")
    assert not written.overlay and written.video == tmp_path / "out" / "annotated.mp4"
    assert not (tmp_path / "out" / "clip.avi").exists()


def test_a_clip_already_in_the_folder_is_not_copied(
    report: SetReport, plain_clip: Path, tmp_path: Path
) -> None:
    """A live session's raw.mp4 is played where it is."""
    out = tmp_path / "session"
    out.mkdir()
    raw = out / "raw.mp4"
    raw.write_bytes(plain_clip.read_bytes())
    written = write_outputs(raw, report, out)
    assert written.overlay and written.video == raw
    assert sorted(p.name for p in out.iterdir()) == ["raw.mp4", "report.html", "report.json"]
