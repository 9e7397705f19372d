"""The live analyzer: one pose per frame in, what to show and which reps were assessed out.

Two paths share the recorded landmarks:

- per frame, cheap: the newest landmarks low-passed causally (one-pole filter), the hip
  angle and hip height measured on them, and the reps stage (`RepSegmenter`): the count and
  the phase now;
- per rep, once the hips are back down: the offline pipeline (`analyze_series`) run on the
  last ``live.window_s`` seconds recorded so far (reaching further back while a counted rep is
  still unassessed). The reps it finds that ended since the last assessed one are the live
  verdicts, so live faults are the same rules, thresholds and code as ``formcheck analyze``,
  seeing only the past.

Everything here is timed by the frames' timestamps, never by how many frames arrived: a live
source drops frames whenever the loop is busy (a verdict itself takes 0.1-0.3 s), so "has the
rep ended?" asks how much time has passed since its end, not whether frames were recorded in
the moments after it (those may be exactly the frames dropped while the last try ran).
"""

from __future__ import annotations

import bisect
import logging
import math
import time
from dataclasses import dataclass, replace

import numpy as np

from formcheck.analysis.metrics import compute_metrics, nanmedian, point
from formcheck.analysis.reps import RepSegmenter
from formcheck.analysis.view import View
from formcheck.config import Config, LiveConfig
from formcheck.errors import FormcheckError
from formcheck.landmarks.clean import CausalSmoother, Smoother, ZeroPhaseSmoother, warm_imports
from formcheck.landmarks.series import PoseFrame, PoseSeries
from formcheck.pipeline import analyze_series
from formcheck.results import Rep, SetReport

log = logging.getLogger(__name__)

#: The live hip height's reference (feet and torso over ``live.reference_s``) is taken
#: again this often (s): its cost, not a threshold (the medians move slowly).
REFERENCE_EVERY_S = 0.5


@dataclass(frozen=True)
class _Counted:
    """A rep the live counter counted: when, and the times of its bottom and top."""

    counted_s: float
    bottom_s: float
    top_s: float


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
        # scipy.signal takes ~0.6-1 s to import: not in the middle of the first rep's verdict
        warm_imports()
        self.reset()

    def reset(self) -> None:
        """Forget the set (key r): recorded landmarks, counter, assessed reps."""
        self._t: list[float] = []
        self._poses: list[PoseFrame | None] = []
        self._ema: np.ndarray | None = None
        self._feet_y: list[float] = []  # per frame, as self._t: ankle height (px)
        self._torso: list[float] = []  # and torso length (px)
        self._reference = (math.nan, math.nan, -math.inf)  # feet y, torso, when taken
        self._t_prev = math.nan
        self._reps = RepSegmenter(self.cfg.reps)  # the count and the phase now
        self.reps_counted = 0
        self.reps: list[Rep] = []
        self.view: View | None = None
        self._pending: list[_Counted] = []  # counted by the live counter, not yet assessed
        self._bottom_since: float | None = None  # the hips have looked still at the bottom since
        self._last_try = -math.inf
        self._last_end = -math.inf
        self.last_rep_t: float | None = None
        self.assess_seconds: list[float] = []

    # --- per frame -------------------------------------------------------------------------

    def push(self, t_s: float, pose: PoseFrame | None) -> LiveFrame:
        if self._t and t_s <= self._t[-1]:
            t_s = self._t[-1] + 1e-3  # keep time strictly increasing
        self._t.append(t_s)
        self._poses.append(pose)
        shown, hip_deg, h = self._display(t_s, pose)
        event = self._reps.update(t_s, h)
        if event is not None:
            self.reps_counted += 1
            self._pending.append(_Counted(t_s, self._t[event.bottom_i], self._t[event.top_i]))
        phase = self._reps.phase_now
        if phase != "bottom":
            self._bottom_since = None
        elif self._bottom_since is None:
            self._bottom_since = t_s
        assessed: tuple[Rep, ...] = ()
        if self._pending and self._due(t_s, phase):
            assessed = tuple(self._assess(final=False))
        self._t_prev = t_s
        return LiveFrame(t_s, shown, hip_deg, phase, self.reps_counted, assessed)

    def _display(self, t_s: float, pose: PoseFrame | None) -> tuple[PoseFrame | None, float, float]:
        """Causally low-passed pose, its hip angle and hip height (torso lengths).

        The hip height is measured as offline (`compute_metrics` over a clip): against the
        feet's and the torso's median over the last ``live.reference_s``, not this frame's own. A
        frame's own feet rise with the hips in a single-leg set (the midpoint of a planted
        and a raised foot), which left the height flat and the reps uncounted.
        """
        if pose is None:
            self._ema = None
            self._feet_y.append(math.nan)
            self._torso.append(math.nan)
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
        xy = self._ema[None]
        hip_y = float(point(xy, "hip", side)[0, 1])
        self._feet_y.append(float(point(xy, "ankle", side)[0, 1]))
        self._torso.append(m.torso_px)
        feet_y, torso, taken = self._reference
        if t_s - taken >= REFERENCE_EVERY_S or not math.isfinite(feet_y / torso):
            recent = bisect.bisect_left(self._t, t_s - self.cfg.live.reference_s)
            feet_y = nanmedian(np.asarray(self._feet_y[recent:]))
            torso = nanmedian(np.asarray(self._torso[recent:]))
            self._reference = (feet_y, torso, t_s)
        return shown, float(m.hip_extension_deg[0]), (feet_y - hip_y) / torso

    def _due(self, t_s: float, phase: str) -> bool:
        """Try to assess a pending rep once the hips have been still at the bottom for
        ``settle_s`` (a verdict tried sooner finds the rep not yet ended, and its cost drops
        frames for nothing), once they rise again, or ``try_anyway_s`` after its top;
        tries are ``retry_s`` apart."""
        first = self._pending[0]
        if t_s - first.counted_s > self.cfg.live.give_up_s:
            log.info("live: gave up assessing the rep counted at %.1f s", first.counted_s)
            self._pending.pop(0)
            return False
        rising = phase == "up" or self._reps.rising
        still = (
            self._bottom_since is not None and t_s - self._bottom_since >= self.cfg.live.settle_s
        )
        waited = t_s - first.counted_s >= self.cfg.live.try_anyway_s
        return (rising or still or waited) and t_s - self._last_try >= self.cfg.live.retry_s

    # --- per rep ---------------------------------------------------------------------------

    def _assess(self, *, final: bool) -> list[Rep]:
        """Run the offline pipeline on the recent window; return the newly finished reps."""
        t0 = time.perf_counter()
        now = self._t[-1]
        self._last_try = now
        # the window reaches back to the first unassessed rep, however long it waited
        first = self._pending[0].bottom_s if self._pending else math.inf
        since = min(now - self.cfg.live.window_s, first - self.cfg.live.context_s)
        if final:  # and at the end, back to the last verdict: nothing unassessed is lost
            since = min(since, self._last_end - self.cfg.live.context_s)
        start = bisect.bisect_left(self._t, since)
        report = self._analyze(start)
        self.assess_seconds.append(time.perf_counter() - t0)
        if report is None:
            return []
        self.view = report.view

        new: list[Rep] = []
        waiting = False
        for rep in report.reps:
            # assessed already: its top is before the last verdict's end (a re-analysis may
            # move a rep's lockout by most of its top hold, never past its end)
            if rep.lockout_s <= self._last_end:
                continue
            if not final and not _over(report, rep, self.cfg.live):
                waiting = True
                break
            rep = replace(
                rep,
                index=len(self.reps) + 1,
                phases=rep.phases.shifted(start),
            )
            self.reps.append(rep)
            new.append(rep)
            self._last_end = rep.end_s
            self.last_rep_t = rep.end_s
        if final:
            self._pending.clear()
        elif new:  # the counted tops up to the last verdict's end are judged
            self._pending = [c for c in self._pending if c.top_s > self._last_end]
        elif (
            not waiting
            and self._pending
            and now - self._pending[0].counted_s >= self.cfg.live.not_a_rep_s
        ):
            log.debug("live: the rise counted at %.1f s is not a rep", self._pending[0].counted_s)
            self._pending.pop(0)
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


def _over(report: SetReport, rep: Rep, cfg: LiveConfig) -> bool:
    """The rep is over: its descent, from the highest point of the rep to the lowest after
    it, was seen all the way (no gap in the hips over ``seen_gap_s``), and it has `settled`. A
    fall hidden from view (the hips out of sight at the top, back at the bottom a second
    later) leaves the rep's end unknown: it is judged once a window shows it. (A window
    that ends at a top gives a rep with no descent, whose end is the window's: never
    settled.)"""
    h, t = report.metrics.hip_height, report.metrics.t_s
    rep_h = h[rep.bottom_i : rep.end_i + 1]
    if not np.isfinite(rep_h).any():
        return False
    peak = rep.bottom_i + int(np.nanargmax(rep_h))
    low = peak + int(np.nanargmin(h[peak:]))
    seen = t[peak : low + 1][np.isfinite(h[peak : low + 1])]
    watched = seen.size >= 2 and float(np.diff(seen).max()) <= cfg.seen_gap_s
    return watched and settled(h, t, rep.end_s, cfg.settle_s)


def settled(hip_height: np.ndarray, t_s: np.ndarray, end_s: float, settle_s: float) -> bool:
    """The rep has ended: ``settle_s`` has passed since its end, and the hips were seen in 80% of
    the frames recorded in that time (or, when none were, in the first frame after it).

    A rep that seems to end where the lifter drops out of sight may still be going on. The
    frames just after the end may all have been dropped (the loop was busy assessing), so
    only elapsed time is required, never a frame inside the settling time.
    """
    if t_s[-1] < end_s + settle_s:
        return False
    after = np.flatnonzero(t_s > end_s)
    if after.size == 0:
        return False
    upto = max(end_s + settle_s, float(t_s[after[0]]))
    seen = np.isfinite(hip_height[after[t_s[after] <= upto]])
    return bool(seen.mean() >= 0.8)
