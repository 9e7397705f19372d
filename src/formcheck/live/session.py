"""One live coaching session: frames -> pose -> live analyzer -> cues -> screen / events,
then the same report.json / report.html as ``formcheck analyze`` for what was recorded.

`run_session` is the loop. It never queues frames (the source hands over the freshest), and
the session report is written however the set ends: the source ended, a key, no rep for
``live.end_after_s``, or the camera failing mid-set (then the error is re-raised after).
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from formcheck.config import Config
from formcheck.errors import CameraError, FormcheckError
from formcheck.landmarks.series import PoseSeries
from formcheck.live.analyzer import LiveAnalyzer, LiveFrame
from formcheck.live.cues import Cue, CueEngine
from formcheck.live.screen import draw_live, draw_summary
from formcheck.live.setup import SetupStatus, check_setup
from formcheck.live.sources import FrameSource
from formcheck.live.voice import Voice
from formcheck.pipeline import analyze_series
from formcheck.pose.base import PoseBackend
from formcheck.report.json_report import write_atomic
from formcheck.report.outputs import write_outputs
from formcheck.report.video import even_size
from formcheck.results import Rep, SetReport
from formcheck.video.writer import VideoSink

log = logging.getLogger(__name__)

#: Seconds between two setup checks before the first rep.
SETUP_EVERY_S = 0.5
#: Seconds the summary screen stays up when no key is pressed.
SUMMARY_S = 8.0


class Window:
    """An OpenCV window; ``show`` returns the key pressed (-1 for none)."""

    name = "formcheck live"

    def __init__(self) -> None:
        import cv2

        cv2.namedWindow(self.name, cv2.WINDOW_NORMAL)  # call can_open_window() first

    def show(self, img: np.ndarray, wait_ms: int = 1) -> int:
        import cv2

        cv2.imshow(self.name, img)
        return int(cv2.waitKey(wait_ms)) & 0xFF

    def close(self) -> None:
        import cv2

        cv2.destroyWindow(self.name)


def can_open_window() -> bool:
    """Whether OpenCV's window (Qt) can start: checked in a child process, because Qt
    aborts the whole process when it finds no display."""
    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        return False
    probe = "import cv2; cv2.namedWindow('probe'); cv2.waitKey(1); cv2.destroyAllWindows()"
    try:
        done = subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, timeout=20, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


class EventLog:
    """Cue, rep, setup and end events as JSON lines (time, rep, cue, fault, ...)."""

    def __init__(self, *streams: TextIO) -> None:
        self.streams = streams
        self.count = 0

    def emit(self, kind: str, t_s: float, **fields: Any) -> None:
        line = json.dumps({"event": kind, "t": round(t_s, 3), **fields})
        for s in self.streams:
            s.write(line + "\n")
            s.flush()
        self.count += 1


@dataclass
class SessionResult:
    out_dir: Path
    ended_by: str
    report: SetReport | None = None
    live_reps: list[Rep] = field(default_factory=list)
    frames: int = 0
    dropped: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    assess_ms: list[float] = field(default_factory=list)
    error: FormcheckError | None = None
    report_error: FormcheckError | None = None  # why the session report could not be made


@dataclass(frozen=True)
class SessionOptions:
    out_dir: Path
    clip: str = "live"
    record: bool = False
    smoothing: str = "past"
    show: bool = False  # a window
    voice: bool = False


def run_session(
    source: FrameSource,
    backend: PoseBackend,
    cfg: Config,
    opts: SessionOptions,
    events: EventLog,
) -> SessionResult:
    """Coach one set; returns what happened (the report is on disk in ``opts.out_dir``)."""
    opts.out_dir.mkdir(parents=True, exist_ok=True)
    loop = _Loop(source, backend, cfg, opts, events)
    result = loop.run()
    _finish(loop, result)
    return result


class _Loop:
    def __init__(
        self,
        source: FrameSource,
        backend: PoseBackend,
        cfg: Config,
        opts: SessionOptions,
        events: EventLog,
    ) -> None:
        self.source, self.backend, self.cfg, self.opts, self.events = (
            source,
            backend,
            cfg,
            opts,
            events,
        )
        self.analyzer = LiveAnalyzer(
            cfg, (source.width, source.height), source.fps, smoothing=opts.smoothing
        )
        self.cues = CueEngine(cfg.live)
        self.window = Window() if opts.show else None
        self.voice = Voice() if opts.voice else None
        self.recorder: VideoSink | None = None
        self.setup: SetupStatus | None = None
        self._setup_key: object = None
        self._setup_t = -1e9
        self.last_image: np.ndarray | None = None
        self.last_frame: LiveFrame | None = None

    def _open_recorder(self) -> None:
        if self.recorder is not None:
            self.recorder.close()
        w, h = even_size(self.source.width, self.source.height)
        self.recorder = VideoSink(self.opts.out_dir / "raw.mp4", w, h, self.source.fps)
        self.recorder.__enter__()
        self._t0: float | None = None

    def run(self) -> SessionResult:
        result = SessionResult(self.opts.out_dir, "the source ended")
        paused = False
        if self.opts.record:
            self._open_recorder()
        try:
            while True:
                cap = self.source.next()
                if cap is None:
                    break
                self.last_image = cap.image
                if paused:
                    if self.window is not None:
                        key = self.window.show(self._screen(None, paused=True), 30)
                        paused = key != ord(" ")
                        if key == ord("q"):
                            result.ended_by = "key q"
                            break
                    continue
                pose = self.backend.estimate(cap.image, cap.t_s)
                lf = self.analyzer.push(cap.t_s, pose)
                self.last_frame = lf
                result.frames += 1
                if self.recorder is not None:
                    self._t0 = cap.t_s if self._t0 is None else self._t0
                    w, h = self.recorder.width, self.recorder.height
                    self.recorder.write(cap.image[:h, :w], cap.t_s - self._t0)
                self._check_setup(cap.image, cap.t_s)
                for rep in lf.assessed:  # the source's time now: the frame's, plus the work since
                    self._rep_event(rep, cap.t_s, cap.t_s + time.perf_counter() - cap.arrived)
                cue = self.cues.tick(cap.t_s)
                if cue is not None:
                    self._cue_event(cue, cap.t_s)
                if self.window is not None:
                    key = self.window.show(self._screen(lf))
                    if key in (ord("q"), ord("e")):
                        result.ended_by = f"key {chr(key)}"
                        break
                    if key == ord(" "):
                        paused = True
                    if key == ord("r"):
                        self._reset(cap.t_s)
                result.latencies_ms.append(1000.0 * (time.perf_counter() - cap.arrived))
                last = self.analyzer.last_rep_t
                if last is not None and cap.t_s - last > self.cfg.live.end_after_s:
                    result.ended_by = f"no rep for {self.cfg.live.end_after_s:.0f} s"
                    break
        except CameraError as exc:
            result.ended_by, result.error = str(exc), exc
        finally:
            if self.recorder is not None:
                self.recorder.close()
            result.dropped = self.source.dropped
        return result

    def _screen(self, lf: LiveFrame | None, paused: bool = False) -> np.ndarray:
        assert self.last_image is not None
        lf = lf or self.last_frame
        if lf is None:
            return self.last_image
        view = self.analyzer.view
        side = (view.metric_side or view.near_side) if view else None
        return draw_live(
            self.last_image,
            lf,
            side=side,
            reps_done=len(self.analyzer.reps),
            cue=self.cues.current,
            setup=self.setup,
            paused=paused,
        )

    def _reset(self, t_s: float) -> None:
        self.analyzer.reset()
        self.cues.reset()
        self.setup, self._setup_key = None, None
        if self.recorder is not None:
            self._open_recorder()
        self.events.emit("reset", t_s)

    def _check_setup(self, image: np.ndarray, t_s: float) -> None:
        if self.analyzer.reps or t_s - self._setup_t < SETUP_EVERY_S:
            return
        self._setup_t = t_s
        recent = self.analyzer.recent(self.cfg.live.setup_s)
        self.setup = check_setup(image, recent, self.cfg)
        key = (self.setup.ready, self.setup.problems, self.setup.advice, self.setup.view)
        if key != self._setup_key:
            self._setup_key = key
            self.events.emit(
                "setup",
                t_s,
                ready=self.setup.ready,
                problems=list(self.setup.problems),
                advice=list(self.setup.advice),
                view=self.setup.view,
                judged=list(self.setup.judged),
                not_judged=list(self.setup.not_judged),
            )

    def _rep_event(self, rep: Rep, t_s: float, now_s: float | None = None) -> None:
        """``t_s``: the frame the verdict came on; ``now_s``: the source's clock as it is
        given (the verdict took time after the frame arrived)."""
        self.events.emit(
            "rep",
            t_s,
            rep=rep.index,
            lockout_s=round(rep.lockout_s, 3),
            end_s=round(rep.end_s, 3),
            delay_s=round((t_s if now_s is None else now_s) - rep.end_s, 3),
            tempo=rep.tempo.label,
            faults=[f.code for f in rep.faults],
            not_judged={c: nj.why for c, nj in rep.not_judged.items()},
            bar_mean_velocity_m_s=(
                None
                if rep.bar is None or rep.bar.mean_velocity_m_s is None
                else round(rep.bar.mean_velocity_m_s, 3)
            ),
            score=rep.score,
        )
        self.cues.offer_rep(rep, t_s)

    def _cue_event(self, cue: Cue, t_s: float) -> None:
        self.events.emit("cue", t_s, rep=cue.rep, cue=cue.text, fault=cue.fault)
        if self.voice is not None:
            self.voice.say(cue.text)


def _finish(loop: _Loop, result: SessionResult) -> None:
    """Assess what is pending, then write the session report of everything recorded."""
    an = loop.analyzer
    series = an.recorded()
    t_end = float(series.timestamps_s[-1]) if len(series) else 0.0
    for rep in an.finish():
        loop._rep_event(rep, t_end)
    result.live_reps = list(an.reps)
    result.assess_ms = [1000.0 * s for s in an.assess_seconds]
    if len(series):
        series.save(loop.opts.out_dir / "landmarks.npz")
        try:
            result.report = _session_report(series, loop)
        except FormcheckError as exc:  # too short, nobody seen...: said by the caller
            result.report_error = exc
    summary: dict[str, Any] = {"ended_by": result.ended_by, "frames": result.frames}
    if result.report is not None:
        s = result.report.summary
        summary.update(reps=s.rep_count, score=s.score, top_faults=[c for c, _ in s.top_faults])
    loop.events.emit("end", t_end, **summary)
    quit_now = result.ended_by == "key q"
    if loop.window is not None and result.report is not None and loop.last_image is not None:
        screen = draw_summary(loop.last_image, result.report, str(loop.opts.out_dir))
        start = time.perf_counter()
        while not quit_now and time.perf_counter() - start < SUMMARY_S:
            if loop.window.show(screen, 100) != 255:
                break
    if loop.window is not None:
        loop.window.close()
    if loop.voice is not None:
        loop.voice.close()


def _session_report(series: PoseSeries, loop: _Loop) -> SetReport:
    """The offline analysis of the recorded landmarks, written like ``formcheck analyze``;
    when it cannot be made, session.json says why and the error is raised."""
    out = loop.opts.out_dir
    try:
        report = analyze_series(series, loop.cfg, loop.opts.clip)
    except FormcheckError as exc:
        write_atomic(out / "session.json", json.dumps({"error": str(exc)}) + "\n")
        raise
    raw = out / "raw.mp4"
    source = raw if raw.exists() else out / "landmarks.npz"
    write_outputs(source, report, out, video=raw.exists(), annotated=True)  # --record: to share
    return report
