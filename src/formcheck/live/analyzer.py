"""The live analyzer: one pose per frame in, what to show and which reps were assessed out.

Two paths share the recorded landmarks:

- per frame, O(1): the newest landmarks low-passed causally (one-pole filter), the hip
  angle and hip height measured on them, the causal `RepCounter` and the current phase;
- per rep, once the hips are back down: the offline pipeline (`analyze_series`) run on the
  last ``live.window_s`` seconds recorded so far, with the causal smoother. The reps it finds
  that ended since the last assessed one are the live verdicts, so live faults are the same
  rules, thresholds and code as ``formcheck analyze``, seeing only the past.
"""

from __future__ import annotations

import bisect
import logging
import math
import time
from dataclasses import dataclass, replace

import numpy as np

from formcheck.analysis.metrics import compute_metrics
from formcheck.analysis.reps import RepCounter, RepState
from formcheck.analysis.view import View
from formcheck.config import Config
from formcheck.errors import FormcheckError
from formcheck.landmarks.clean import CausalSmoother, Smoother, ZeroPhaseSmoother
from formcheck.landmarks.series import PoseFrame, PoseSeries
from formcheck.pipeline import analyze_series
from formcheck.results import Rep, SetReport

log = logging.getLogger(__name__)

#: Hip speed (torso lengths per second) below which the hips count as still (phase display).
STILL_SPEED = 0.15
#: A rep is assessed once it has ended at least this long ago (s).
SETTLE_S = 0.2
#: Assessment attempts for one rep are at least this far apart (s), and give up after GIVE_UP_S.
RETRY_S = 0.5
GIVE_UP_S = 8.0


@dataclass(frozen=True)
class LiveFrame:
    """What the analyzer knows after one frame."""

    t_s: float
    pose: PoseFrame | None  # low-passed landmarks (None: nobody seen)
    hip_deg: float  # NaN when unseen
    phase: str  # bottom / up / top / down / "-" (nobody or not started)
    reps_counted: int  # causal counter, moves at each top
    assessed: tuple[Rep, ...]  # reps whose verdict became known on this frame


class LiveAnalyzer:
    """Feed ``push(t_s, pose)`` per processed frame, in time order."""

    def __init__(
        self,
        cfg: Config,
        size: tuple[int, int],
        fps: float,
        *,
        smoothing: str = "causal",
    ) -> None:
        self.cfg = cfg
        self.size = size
        self.fps = fps
        self._smoother: Smoother = (
            CausalSmoother(cfg.cleaning.cutoff_hz)
            if smoothing == "causal"
            else ZeroPhaseSmoother(cfg.cleaning.cutoff_hz)
        )
        self.reset()

    def reset(self) -> None:
        """Forget the set (key r): recorded landmarks, counter, assessed reps."""
        self._t: list[float] = []
        self._poses: list[PoseFrame | None] = []
        self._ema: np.ndarray | None = None
        self._h_prev = math.nan
        self._t_prev = math.nan
        self._speed = 0.0
        self._lo, self._hi = math.inf, -math.inf
        self._counter = RepCounter(self.cfg.reps.min_rise)
        self.reps_counted = 0
        self.reps: list[Rep] = []
        self.view: View | None = None
        self._pending_since: float | None = None
        self._last_try = -math.inf
        self._last_lockout = -math.inf
        self.last_rep_t: float | None = None
        self.assess_seconds: list[float] = []

    # --- per frame -------------------------------------------------------------------------

    def push(self, t_s: float, pose: PoseFrame | None) -> LiveFrame:
        if self._t and t_s <= self._t[-1]:
            t_s = self._t[-1] + 1e-3  # keep time strictly increasing
        self._t.append(t_s)
        self._poses.append(pose)
        shown, hip_deg, h = self._display(t_s, pose)
        if self._counter.update(h) is not None:
            self.reps_counted += 1
            self._pending_since = self._pending_since or t_s
        phase = self._phase(h)
        assessed: tuple[Rep, ...] = ()
        if self._pending_since is not None and self._due(t_s, phase):
            assessed = tuple(self._assess(final=False))
        self._t_prev, self._h_prev = t_s, h
        return LiveFrame(t_s, shown, hip_deg, phase, self.reps_counted, assessed)

    def _display(self, t_s: float, pose: PoseFrame | None) -> tuple[PoseFrame | None, float, float]:
        """Causally low-passed pose, its hip angle and hip height (torso lengths)."""
        if pose is None:
            self._ema = None
            return None, math.nan, math.nan
        dt = t_s - self._t_prev if math.isfinite(self._t_prev) else 0.0
        a = 1.0 - math.exp(-2.0 * math.pi * self.cfg.cleaning.cutoff_hz * dt) if dt > 0 else 1.0
        seen = pose.visibility[:, None] >= self.cfg.cleaning.min_visibility
        xy = np.where(seen, pose.xy_px, np.nan)
        if self._ema is None:
            self._ema = xy.copy()
        else:
            fresh = np.isnan(self._ema) & np.isfinite(xy)
            self._ema = np.where(fresh, xy, self._ema + a * (xy - self._ema))
            self._ema = np.where(np.isfinite(xy), self._ema, np.nan)
        shown = replace(pose, xy_px=self._ema.copy())
        one = PoseSeries.from_frames([t_s], [shown], self.size, self.fps, {})
        side = self.view.metric_side if self.view else None
        m = compute_metrics(one, side)
        return shown, float(m.hip_extension_deg[0]), float(m.hip_height[0])

    def _phase(self, h: float) -> str:
        if not math.isfinite(h):
            return "-"
        if math.isfinite(self._h_prev) and self._t[-1] > self._t_prev:
            v = (h - self._h_prev) / (self._t[-1] - self._t_prev)
            self._speed += 0.3 * (v - self._speed)
        self._lo, self._hi = min(self._lo, h), max(self._hi, h)
        if self._hi - self._lo < self.cfg.reps.min_rise:
            return "bottom"
        if abs(self._speed) < STILL_SPEED:
            return "top" if h > (self._lo + self._hi) / 2 else "bottom"
        return "up" if self._speed > 0 else "down"

    def _due(self, t_s: float, phase: str) -> bool:
        """Try to assess a pending rep once the hips are back down (or rising again)."""
        assert self._pending_since is not None
        if t_s - self._pending_since > GIVE_UP_S:
            log.info("live: gave up assessing the rep counted at %.1f s", self._pending_since)
            self._pending_since = None
            return False
        back_down = phase == "bottom" or self._counter.state is RepState.RISING or phase == "up"
        return back_down and t_s - self._last_try >= RETRY_S

    # --- per rep ---------------------------------------------------------------------------

    def _assess(self, *, final: bool) -> list[Rep]:
        """Run the offline pipeline on the recent window; return the newly finished reps."""
        t0 = time.perf_counter()
        self._last_try = self._t[-1]
        start = bisect.bisect_left(self._t, self._t[-1] - self.cfg.live.window_s)
        report = self._analyze(start)
        self.assess_seconds.append(time.perf_counter() - t0)
        if report is None:
            return []
        self.view = report.view

        new: list[Rep] = []
        for rep in report.reps:
            if rep.lockout_s <= self._last_lockout + SETTLE_S:
                continue
            if not final and not _settled(report.metrics.hip_height, report.metrics.t_s, rep):
                break
            rep = replace(
                rep,
                index=len(self.reps) + 1,
                bottom_i=rep.bottom_i + start,
                lockout_i=rep.lockout_i + start,
                end_i=rep.end_i + start,
            )
            self.reps.append(rep)
            new.append(rep)
            self._last_lockout = rep.lockout_s
            self.last_rep_t = rep.end_s
        if new or final:
            self._pending_since = None
        return new

    def _analyze(self, start: int) -> SetReport | None:
        raw = PoseSeries.from_frames(
            self._t[start:], self._poses[start:], self.size, self.fps, {"source": "live"}
        )
        try:
            return analyze_series(raw, self.cfg, "live", smoother=self._smoother)
        except FormcheckError as exc:  # nobody in the window, and the like
            log.debug("live assessment skipped: %s", exc)
            return None

    def finish(self) -> list[Rep]:
        """End of set: assess what is still pending (a last rep cut short included)."""
        if not self._t:
            return []
        return self._assess(final=True)

    def recent(self, seconds: float) -> PoseSeries:
        """The poses of the last ``seconds`` (the setup check looks at these)."""
        start = bisect.bisect_left(self._t, self._t[-1] - seconds) if self._t else 0
        return PoseSeries.from_frames(
            self._t[start:], self._poses[start:], self.size, self.fps, {"source": "live"}
        )

    def recorded(self) -> PoseSeries:
        """Every processed frame's pose since the last reset (for the session report)."""
        return PoseSeries.from_frames(self._t, self._poses, self.size, self.fps, {"source": "live"})


def _settled(hip_height: np.ndarray, t_s: np.ndarray, rep: Rep) -> bool:
    """The rep has ended: the hips were seen (in 80% of frames) for SETTLE_S after its end.

    A rep that seems to end where the lifter drops out of sight may still be going on.
    """
    after = (t_s > rep.end_s) & (t_s <= rep.end_s + SETTLE_S)
    if not after.any() or t_s[-1] < rep.end_s + SETTLE_S:
        return False
    return bool(np.isfinite(hip_height[after]).mean() >= 0.8)
