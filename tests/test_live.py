"""Live coaching without the pose model: cue timing, sources, setup check, the live analyzer
against the offline pipeline, and whole sessions driven from built landmark sequences."""

from __future__ import annotations

import json
import os
import stat
import threading
import time
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
import pytest
from builders import FOUR_REPS, SIZE, build_set

from formcheck.config import Config, LiveConfig
from formcheck.errors import CameraError
from formcheck.landmarks.series import PoseSeries
from formcheck.live.analyzer import LiveAnalyzer
from formcheck.live.cues import Cue, CueEngine
from formcheck.live.session import EventLog, SessionOptions, run_session
from formcheck.live.setup import check_setup
from formcheck.live.sources import CameraSource, Captured, FileSource
from formcheck.live.voice import Voice
from formcheck.pipeline import analyze_series
from formcheck.pose.replay import ReplayPose
from formcheck.results import Finding, Phases, Severity
from formcheck.video.reader import VideoReader
from formcheck.video.writer import VideoSink

FPS = 30.0
SHAPES = FOUR_REPS


@pytest.fixture(scope="module")
def built() -> PoseSeries:
    series, _ = build_set(SHAPES, fps=FPS, lead_out_s=1.5)
    return series


def _grey(n: int, value: int = 110) -> list[np.ndarray]:
    return [np.full((SIZE[1], SIZE[0], 3), value, np.uint8) for _ in range(n)]


@pytest.fixture(scope="module")
def grey_clip(built: PoseSeries, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A plain clip with as many frames as the built set (the poses come from replay)."""
    path = tmp_path_factory.mktemp("live") / "grey.mp4"
    with VideoSink(path, *SIZE, FPS) as sink:
        for img in _grey(len(built)):
            sink.write(img)
    return path


def _codes(rep: object) -> set[str]:
    return {f.code for f in rep.faults}  # type: ignore[attr-defined]


# --- the live analyzer against the offline pipeline ----------------------------------------


@pytest.mark.parametrize("smoothing", ["past", "causal"])
def test_live_reps_and_faults_match_offline(built: PoseSeries, smoothing: str) -> None:
    cfg = Config()
    offline = analyze_series(built, cfg, "built")
    live = LiveAnalyzer(cfg, SIZE, FPS, smoothing=smoothing)
    seen_at: list[float] = []
    for i in range(len(built)):
        lf = live.push(float(built.timestamps_s[i]), built.frame(i))
        seen_at += [lf.t_s for _ in lf.assessed]
    live.finish()
    assert offline.rep_count == len(SHAPES)
    assert len(live.reps) == offline.rep_count
    assert [_codes(r) for r in live.reps] == [_codes(r) for r in offline.reps]
    assert {"incomplete_lockout"} <= _codes(live.reps[1])
    # each verdict comes after its rep ended, within a second and a half
    for rep, t in zip(live.reps[: len(seen_at)], seen_at, strict=False):
        assert rep.end_s < t < rep.end_s + 1.5


def test_live_analyzer_reset_forgets_the_set(built: PoseSeries) -> None:
    live = LiveAnalyzer(Config(), SIZE, FPS)
    for i in range(len(built)):
        live.push(float(built.timestamps_s[i]), built.frame(i))
    assert live.reps
    live.reset()
    assert live.reps == [] and len(live.recorded()) == 0 and live.reps_counted == 0


def test_live_analyzer_shows_phases(built: PoseSeries) -> None:
    live = LiveAnalyzer(Config(), SIZE, FPS)
    phases = [live.push(float(t), built.frame(i)).phase for i, t in enumerate(built.timestamps_s)]
    assert {"bottom", "up", "top", "down"} <= set(phases)


def test_nobody_gives_no_rep_and_no_crash() -> None:
    live = LiveAnalyzer(Config(), SIZE, FPS)
    for k in range(200):
        lf = live.push(k / FPS, None)
        assert lf.phase == "-" and np.isnan(lf.hip_deg)
    assert live.finish() == []


# --- cues -----------------------------------------------------------------------------------


def _cue(fault: str, rep: int, sev: str = "moderate", t: float = 0.0) -> Cue:
    return Cue(fault, fault, rep, Severity(sev), t)


def test_one_cue_at_a_time_shown_long_enough() -> None:
    cfg = LiveConfig()
    eng = CueEngine(cfg)
    eng.offer(_cue("no_top_pause", 1))
    eng.offer(_cue("rushed_eccentric", 1))
    first = eng.tick(0.0)
    assert first is not None
    assert eng.tick(cfg.cue_min_show_s - 0.1) is None  # still showing the first
    second = eng.tick(cfg.cue_min_show_s + 0.01)
    assert second is not None and second.fault != first.fault
    assert eng.current is second


def test_most_severe_cue_first_and_no_repeat_within_a_rep() -> None:
    eng = CueEngine(LiveConfig())
    eng.offer(_cue("neck_craning", 2, "minor"))
    eng.offer(_cue("incomplete_lockout", 2, "major"))
    assert eng.tick(0.0).fault == "incomplete_lockout"  # type: ignore[union-attr]
    eng.offer(_cue("incomplete_lockout", 2, "major", 0.5))  # same rep, same fault: ignored
    nxt = eng.tick(3.0)
    assert nxt is not None and nxt.fault == "neck_craning"
    eng.offer(_cue("incomplete_lockout", 3, "major", 3.0))  # next rep: may be given again
    assert eng.tick(6.0).fault == "incomplete_lockout"  # type: ignore[union-attr]


def test_stale_cues_are_dropped_and_the_screen_clears() -> None:
    cfg = LiveConfig()
    eng = CueEngine(cfg)
    eng.offer(_cue("bounce", 1))
    eng.offer(_cue("heels_lifting", 1))
    eng.tick(0.0)
    assert eng.tick(cfg.cue_max_wait_s + 1.0) is None  # the second waited too long
    assert eng.current is None  # nothing new for a while: no cue on screen


def test_rep_faults_become_short_cues() -> None:
    from formcheck.analysis.rules import RULES
    from formcheck.results import Rep, Tempo

    finding = Finding(
        code="no_top_pause",
        severity=Severity.MINOR,
        value=0.1,
        threshold=0.5,
        unit="s",
        confidence=1.0,
        cue="long cue",
        source=RULES["no_top_pause"].sources[0],
        message="top hold 0.1 s",
    )
    phases = Phases(0, 0, 1, 1.05, 1.1, 2, Tempo(0, 1, 0.1, 0.9), 0, 30, 60)
    rep = Rep(1, phases, 180, 60, 1.0, False, None, 90, (finding,))
    eng = CueEngine(LiveConfig())
    eng.offer_rep(rep, 2.0)
    assert eng.tick(2.0).text == "squeeze and pause at the top"  # type: ignore[union-attr]


# --- sources --------------------------------------------------------------------------------


def test_file_source_every_frame_gives_all_frames_in_order(grey_clip: Path) -> None:
    with FileSource(grey_clip, every_frame=True) as src:
        got = []
        while (cap := src.next()) is not None:
            got.append(cap.index)
    with VideoReader(grey_clip) as r:
        n = sum(1 for _ in r)
    assert got == list(range(n)) and src.dropped == 0


def test_paced_file_source_starts_playing_when_first_asked(grey_clip: Path) -> None:
    """The clip plays from the consumer's first frame: time spent between opening it and
    asking (the pose model loading) does not skip its start."""
    with FileSource(grey_clip) as src:
        time.sleep(10.0 / FPS)  # ten frame periods of "loading the model"
        first = src.next()
        assert first is not None and first.index == 0 and src.dropped == 0


def test_paced_file_source_drops_stale_frames_for_a_slow_consumer(grey_clip: Path) -> None:
    src = FileSource(grey_clip)
    got: list[Captured] = []
    start = time.perf_counter()
    while (cap := src.next()) is not None and len(got) < 15:
        got.append(cap)
        time.sleep(3.0 / FPS)  # three frame periods per frame: a consumer far too slow
    src.close()
    idx = [c.index for c in got]
    assert idx == sorted(set(idx))  # never an old frame again
    assert idx[-1] - idx[0] >= 2 * (len(idx) - 1) - 2  # it skipped ahead instead of queueing
    assert src.dropped > 0
    # each frame was handed over fresh: it arrived at most about one period before it was read
    assert time.perf_counter() - start < 15 * 4.0 / FPS + 1.0


class _FakeCapture:
    """Stands in for cv2.VideoCapture: ``good`` frames, then nothing."""

    def __init__(self, good: int, opened: bool = True) -> None:
        self.good, self.opened, self.released = good, opened, False

    def isOpened(self) -> bool:
        return self.opened

    def read(self) -> tuple[bool, np.ndarray | None]:
        if self.good <= 0:
            return False, None
        self.good -= 1
        time.sleep(0.005)
        return True, np.zeros((48, 64, 3), np.uint8)

    def get(self, prop: int) -> float:
        return 30.0

    def release(self) -> None:
        self.released = True


def test_camera_that_cannot_open_is_one_clear_error() -> None:
    fake = _FakeCapture(0, opened=False)
    with pytest.raises(CameraError, match="camera 3: cannot be opened"):
        CameraSource(3, capture=fake)  # type: ignore[arg-type]
    assert fake.released


def test_camera_unplugged_mid_set_raises_from_next(monkeypatch: pytest.MonkeyPatch) -> None:
    import formcheck.live.sources as sources

    monkeypatch.setattr(sources, "CAMERA_LOST_S", 0.2)
    src = CameraSource(0, capture=_FakeCapture(20))  # type: ignore[arg-type]
    frames = 0
    with pytest.raises(CameraError, match="stopped delivering frames"):
        while src.next(timeout=3.0) is not None:
            frames += 1
    src.close()
    assert 1 <= frames <= 21


# --- setup check ----------------------------------------------------------------------------


def test_setup_side_view_is_ready_and_names_what_it_judges(built: PoseSeries) -> None:
    recent = _window(built, 0, 30)
    s = check_setup(_grey(1)[0], recent, Config())
    assert s.ready and not s.problems
    assert s.view and s.view.startswith("side")
    assert "incomplete_lockout" in s.judged and "knees_caving" in s.not_judged
    # hips tilting: no camera position helps (the pose model's hips do not follow the pelvis)
    assert "pelvic_tilt_rotation" not in s.judged + s.not_judged
    (blind,) = [a for a in s.advice if a.startswith("not judged from any camera position")]
    assert "hips tilting or rotating" in blind and "heels lifting" in blind


def test_setup_too_dark_nobody_and_feet_out_of_frame(built: PoseSeries) -> None:
    cfg = Config()
    dark = check_setup(_grey(1, 10)[0], _window(built, 0, 30), cfg)
    assert not dark.ready and dark.problems[0].startswith("too dark")
    nobody = PoseSeries.from_frames([k / FPS for k in range(30)], [None] * 30, SIZE, FPS)
    want = ("step into view, or bring the camera closer: nobody found",)
    assert check_setup(_grey(1)[0], nobody, cfg).problems == want
    shifted = _window(built, 0, 30)
    xy = shifted.xy_px.copy()
    xy[..., 0] += SIZE[0] * 0.6  # the lifter's feet end up beyond the right edge
    out = check_setup(_grey(1)[0], shifted.with_arrays(xy_px=xy), cfg)
    assert "step back: feet out of frame" in out.problems and not out.ready


def _window(series: PoseSeries, a: int, b: int) -> PoseSeries:
    return PoseSeries.from_frames(
        series.timestamps_s[a:b], [series.frame(i) for i in range(a, b)], SIZE, FPS
    )


# --- whole sessions -------------------------------------------------------------------------


def _session(tmp: Path, source: object, backend: object, **kw: object) -> tuple:
    lines: list[str] = []

    class _Sink:
        def write(self, s: str) -> None:
            lines.extend(x for x in s.splitlines() if x)

        def flush(self) -> None:
            pass

    opts = SessionOptions(out_dir=tmp, clip="built", **kw)  # type: ignore[arg-type]
    result = run_session(source, backend, Config(), opts, EventLog(_Sink()))  # type: ignore[arg-type]
    return result, [json.loads(x) for x in lines]


def test_headless_session_from_a_file(built: PoseSeries, grey_clip: Path, tmp_path: Path) -> None:
    with FileSource(grey_clip, every_frame=True) as src:
        result, events = _session(tmp_path, src, ReplayPose(built), record=True)
    kinds = [e["event"] for e in events]
    assert kinds[0] == "setup" and kinds[-1] == "end"
    reps = [e for e in events if e["event"] == "rep"]
    assert [e["rep"] for e in reps] == [1, 2, 3, 4]
    assert "incomplete_lockout" in reps[1]["faults"]
    cues = [e for e in events if e["event"] == "cue"]
    assert cues and all({"t", "rep", "cue", "fault"} <= set(e) for e in cues)
    assert any(e["fault"] == "incomplete_lockout" for e in cues)
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["rep_count"] == 4 == events[-1]["reps"]
    assert (tmp_path / "report.html").is_file() and (tmp_path / "landmarks.npz").is_file()
    for name in ("raw.mp4", "annotated.mp4"):
        with VideoReader(tmp_path / name) as r:
            assert sum(1 for _ in r) == result.frames
    assert len(result.latencies_ms) == result.frames == len(built)


class _DyingCamera:
    """A FrameSource that plays ``frames`` captures, then fails like an unplugged camera."""

    width, height, fps, dropped = SIZE[0], SIZE[1], FPS, 0

    def __init__(self, series: PoseSeries, frames: int) -> None:
        self.series, self.left, self.k = series, frames, 0

    def next(self, timeout: float = 5.0) -> Captured | None:
        if self.left == 0:
            raise CameraError("camera 0: stopped delivering frames (unplugged?)")
        self.left -= 1
        t = float(self.series.timestamps_s[self.k])
        self.k += 1
        return Captured(self.k - 1, t, time.perf_counter(), _grey(1)[0])

    def close(self) -> None:
        pass


def test_camera_lost_mid_set_still_writes_the_session_report(
    built: PoseSeries, tmp_path: Path
) -> None:
    half = len(built) // 2
    result, events = _session(tmp_path, _DyingCamera(built, half), ReplayPose(built))
    assert isinstance(result.error, CameraError)
    assert "unplugged" in result.ended_by and events[-1]["event"] == "end"
    report = json.loads((tmp_path / "report.json").read_text())
    assert 1 <= report["rep_count"] < len(SHAPES)
    assert report["video"]["frames"] == half


def test_no_rep_for_a_while_ends_the_set(built: PoseSeries, tmp_path: Path) -> None:
    """After the last rep the lifter stays down: the set ends by itself."""
    n = len(built)
    extra = int(20 * FPS)
    still = built.frame(n - 1)
    assert still is not None
    t_end = float(built.timestamps_s[-1])
    times = [*map(float, built.timestamps_s), *(t_end + (k + 1) / FPS for k in range(extra))]
    frames = [built.frame(i) for i in range(n)] + [replace(still) for _ in range(extra)]
    longer = PoseSeries.from_frames(times, frames, SIZE, FPS)
    cfg_end = Config().live.end_after_s
    result, events = _session(tmp_path, _DyingCamera(longer, len(longer)), ReplayPose(longer))
    assert result.ended_by == f"no rep for {cfg_end:.0f} s" and result.error is None
    assert events[-1]["reps"] == len(SHAPES)


# --- voice ----------------------------------------------------------------------------------


def test_voice_is_silently_off_without_an_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    v = Voice()
    assert not v.available and v.say("tuck your chin") is False


def test_voice_speaks_through_espeak(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    said = tmp_path / "said.txt"
    fake = tmp_path / "espeak-ng"
    fake.write_text(f'#!/bin/sh\necho "$@" >> {said}\n')
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}/usr/bin:/bin")
    v = Voice()
    assert v.available and v.say("slow the lowering")
    deadline = time.time() + 5  # the shell creates the file before it writes the line
    while "slow the lowering" not in (said.read_text() if said.exists() else ""):
        assert time.time() < deadline, "espeak-ng was not called within 5 s"
        time.sleep(0.05)


# --- recording with real time ---------------------------------------------------------------


def test_sink_keeps_the_real_time_of_each_frame(tmp_path: Path) -> None:
    """A camera that dropped frames: the recording keeps their real times (VFR)."""
    path = tmp_path / "vfr.mp4"
    times = [0.0, 1 / 30, 4 / 30, 5 / 30, 9 / 30]
    with VideoSink(path, 64, 48, 30.0) as sink:
        for t in times:
            sink.write(np.zeros((48, 64, 3), np.uint8), t)
    cap = cv2.VideoCapture(str(path))
    got = []
    while cap.read()[0]:
        got.append(cap.get(cv2.CAP_PROP_POS_MSEC) / 1000.0)
    cap.release()
    assert got == pytest.approx(times, abs=2e-3)


def test_threads_do_not_outlive_a_session(built: PoseSeries, tmp_path: Path) -> None:
    clip = tmp_path / "short.mp4"
    with VideoSink(clip, *SIZE, FPS) as sink:
        for img in _grey(45):
            sink.write(img)
    before = threading.active_count()
    with FileSource(clip) as src:
        result, _ = _session(tmp_path / "out", src, ReplayPose(built))
    assert result.frames > 0 and result.ended_by == "the source ended"
    time.sleep(0.1)
    assert threading.active_count() <= before


class _ScriptedWindow:
    """Stands in for the OpenCV window: presses ``keys`` at the given frame numbers."""

    def __init__(self, keys: dict[int, str]) -> None:
        self.keys, self.shown, self.closed = keys, 0, False

    def show(self, img: np.ndarray, wait_ms: int = 1) -> int:
        assert img.ndim == 3
        self.shown += 1
        key = self.keys.get(self.shown)
        return ord(key) if key else 255

    def close(self) -> None:
        self.closed = True


def test_keys_pause_reset_and_quit(
    built: PoseSeries, grey_clip: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import formcheck.live.session as session

    window = _ScriptedWindow({100: " ", 110: " ", 200: "r", 400: "q"})
    monkeypatch.setattr(session, "Window", lambda: window)
    monkeypatch.setattr(session, "SUMMARY_S", 0.2)
    with FileSource(grey_clip, every_frame=True) as src:
        result, events = _session(tmp_path, src, ReplayPose(built), show=True)
    assert result.ended_by == "key q" and window.closed
    assert [e["event"] for e in events].count("reset") == 1
    # 400 screens shown: frames 101-110 while paused (not analysed), all others analysed
    assert result.frames == 400 - 10
    # the report covers the set after the reset only
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["video"]["frames"] < result.frames - 150


def test_live_screen_and_summary_draw_at_phone_and_desktop_sizes(built: PoseSeries) -> None:
    from formcheck.live.screen import draw_live, draw_summary
    from formcheck.live.setup import check_setup

    live = LiveAnalyzer(Config(), SIZE, FPS)
    frames = [live.push(float(t), built.frame(i)) for i, t in enumerate(built.timestamps_s)]
    report = analyze_series(built, Config(), "built")
    setup = check_setup(_grey(1)[0], _window(built, 0, 30), Config())
    cue = Cue("squeeze and pause at the top", "no_top_pause", 3, Severity.MODERATE, 0.0)
    for w, h in ((960, 540), (390, 844), (1920, 1080)):
        img = np.full((h, w, 3), 90, np.uint8)
        out = draw_live(img, frames[60], side="left", reps_done=2, cue=cue, setup=setup)
        assert out.shape == img.shape and np.count_nonzero(out != img) > 0.02 * img.size
        summary = draw_summary(img, report, "formcheck-out/live")
        assert summary.shape == img.shape and np.count_nonzero(summary != img) > 0.5 * img.size
