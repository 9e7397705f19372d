"""Live coaching in real time, deterministically: a virtual clock instead of the wall clock.

`PacedReplay` is a `FrameSource` that releases each frame at its own time on a `VirtualClock`
and hands the consumer only the newest one, dropping the rest, exactly as `FileSource` does in
real time. The consumer's work advances the clock: `SlowPose` charges a fixed cost per frame
(the pose model on a slow machine), and `slow_verdicts` charges a fixed cost per rep
assessment (the offline pipeline blocking the loop). So a run drops the frames a slow machine
drops, the same ones every time, and each event's delay is measured on the same clock.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from formcheck.config import Config
from formcheck.landmarks.series import PoseFrame, PoseSeries
from formcheck.live import analyzer as live_analyzer
from formcheck.live.session import EventLog, SessionOptions, SessionResult, run_session
from formcheck.live.sources import Captured
from formcheck.pose.replay import ReplayPose


@dataclass
class VirtualClock:
    now: float = 0.0

    def spend(self, seconds: float) -> None:
        self.now += seconds


class PacedReplay:
    """Frames at ``timestamps`` released in real time on ``clock``; only the newest is taken."""

    def __init__(
        self, timestamps: np.ndarray, size: tuple[int, int], fps: float, clock: VirtualClock
    ):
        self.t = np.asarray(timestamps, float) - float(timestamps[0])
        self._t0 = float(timestamps[0])
        self.width, self.height = size
        self.fps = fps
        self.clock = clock
        self._next = 0  # first frame not yet released or dropped
        self._dropped = 0
        self._image = np.zeros((self.height, self.width, 3), np.uint8)

    @property
    def dropped(self) -> int:
        return self._dropped

    def next(self, timeout: float = 5.0) -> Captured | None:
        if self._next >= len(self.t):
            return None
        if self.t[self._next] > self.clock.now:  # nothing new yet: the consumer waits
            self.clock.now = float(self.t[self._next])
        newest = int(np.searchsorted(self.t, self.clock.now, side="right")) - 1
        self._dropped += newest - self._next
        self._next = newest + 1
        return Captured(newest, self._t0 + float(self.t[newest]), 0.0, self._image)

    def close(self) -> None:
        pass


class SlowPose(ReplayPose):
    """Replayed landmarks that cost ``cost_s`` of the virtual clock per frame."""

    def __init__(self, series: PoseSeries, clock: VirtualClock, cost_s: float) -> None:
        super().__init__(series)
        self.clock, self.cost_s = clock, cost_s

    def estimate(self, image_bgr: np.ndarray | None, timestamp_s: float) -> PoseFrame | None:
        self.clock.spend(self.cost_s)
        return super().estimate(image_bgr, timestamp_s)


@contextmanager
def slow_verdicts(
    monkeypatch: pytest.MonkeyPatch, clock: VirtualClock, cost_s: float
) -> Iterator[None]:
    """Each live rep assessment (the offline pipeline on the window) costs ``cost_s``."""
    real = live_analyzer.analyze_series

    def timed(*args: Any, **kwargs: Any) -> Any:
        clock.spend(cost_s)
        return real(*args, **kwargs)

    with monkeypatch.context() as m:
        m.setattr(live_analyzer, "analyze_series", timed)
        yield


@dataclass
class _Recorder:
    """Events as emitted, each with the virtual time it was emitted at."""

    clock: VirtualClock
    events: list[dict[str, Any]] = field(default_factory=list)

    def write(self, line: str) -> None:
        if line.strip():
            self.events.append({**json.loads(line), "at": self.clock.now})

    def flush(self) -> None:
        pass


@dataclass(frozen=True)
class PacedRun:
    result: SessionResult
    events: list[dict[str, Any]]
    dropped_share: float
    t0: float  # source time of the first frame (virtual time 0)


def run_paced(
    raw: PoseSeries,
    out_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    *,
    pose_cost_s: float,
    verdict_cost_s: float,
    cfg: Config | None = None,
) -> PacedRun:
    """One live session over ``raw`` in virtual real time on a machine as slow as the costs."""
    clock = VirtualClock()
    source = PacedReplay(raw.timestamps_s, raw.image_size, raw.fps, clock)
    rec = _Recorder(clock)
    with slow_verdicts(monkeypatch, clock, verdict_cost_s):
        result = run_session(
            source,
            SlowPose(raw, clock, pose_cost_s),
            cfg or Config(),
            SessionOptions(out_dir=out_dir, clip=out_dir.name),
            EventLog(rec),
        )
    total = result.frames + result.dropped
    return PacedRun(result, rec.events, result.dropped / max(total, 1), float(raw.timestamps_s[0]))


def rep_delays(run: PacedRun) -> list[tuple[int, float]]:
    """(rep number, seconds from the report's end of that rep to its live event)."""
    assert run.result.report is not None
    ends = {r.index: r.end_s for r in run.result.report.reps}
    return [
        (e["rep"], e["at"] + run.t0 - ends.get(e["rep"], np.nan))
        for e in run.events
        if e["event"] == "rep"
    ]
