"""Reps and phases from the hip-height signal.

Counting is a causal hysteresis state machine (`RepCounter.update`), so live and
offline analysis count the same way: a bottom is confirmed once the hips have
risen ``min_rise`` above the lowest point since the last top, and a top once
they have fallen ``min_rise`` below the highest point since that bottom. Jitter
smaller than ``min_rise`` can never start or end a rep. A rep rises from a
bottom seen in the clip: the hips came down into it, or stayed within
``bottom_band`` x ``min_rise`` of it for ``bottom_seen_s``. A clip that opens on a
rise has not seen its bottom: that rise counts only if the hips still rise
``unseen_bottom_rise`` from the first frame (most of a rep), so neither a top
already there when the clip starts nor the end of a rise (a live recording that
began late) is a rep. A rise that has stopped at its top when the clip ends
counts (`RepCounter.finish`).

`RepSegmenter` is the stage both drivers feed: the counter, which counted rises are reps,
and their phases. Phase timing (`phase_times`): a phase of motion (concentric, eccentric) runs
while the hips move faster than ``still_share`` of that phase's peak speed; the
stretches between are the top hold and the bottom pause. On an S-shaped
(cosine) speed profile this cuts about 5% off each end of a phase; on a ramp,
nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import Enum

import numpy as np

from formcheck.config import RepConfig
from formcheck.results import Phases, Tempo


class RepState(Enum):
    SEEK_BOTTOM = "seek_bottom"
    RISING = "rising"


@dataclass(frozen=True)
class RepEvent:
    """A counted rep: frame indices of its bottom (start of rise) and its top."""

    bottom_i: int
    top_i: int


class RepCounter:
    """Causal rep counter over hip height (torso lengths). ``update`` per frame."""

    def __init__(self, cfg: RepConfig) -> None:
        self.min_rise = cfg.min_rise
        self.bottom_seen_s = cfg.bottom_seen_s
        self.unseen_bottom_rise = max(cfg.unseen_bottom_rise, cfg.min_rise)
        self.still_share = cfg.still_share
        self.bottom_band = cfg.bottom_band
        self.reset()

    def reset(self) -> None:
        self.state = RepState.SEEK_BOTTOM
        self._i = -1
        self._lo_i = self._hi_i = -1
        self._lo = np.inf
        self._hi = -np.inf
        self._lo_t = -np.inf
        self._lo_seen = False  # the current low is a bottom seen in the clip
        self._near = False  # the hips have stayed near the first low since it
        self._last = np.nan
        self._step = 0.0
        self._lowest_top = np.inf  # the lowest top counted so far

    def update(self, h: float, t_s: float) -> RepEvent | None:
        """Feed one sample (NaN = unseen, skipped); returns a rep once its top is confirmed."""
        self._i += 1
        if not np.isfinite(h):
            return None
        came_down = np.isfinite(self._last)  # an earlier sample was higher than a new low
        self._step = h - self._last if came_down else 0.0
        self._last = h
        if self.state is RepState.SEEK_BOTTOM:
            if h < self._lo:
                self._lo, self._lo_i, self._lo_t = h, self._i, t_s
                self._lo_seen = self._lo_seen or came_down
                self._near = True
            elif not self._lo_seen and self._near:  # still at the first low long enough?
                self._near = h < self._lo + self.bottom_band * self.min_rise
                self._lo_seen = self._near and t_s - self._lo_t >= self.bottom_seen_s
            rise = self.min_rise if self._lo_seen else self.unseen_bottom_rise
            if h >= self._lo + rise:
                self.state = RepState.RISING
                self._hi, self._hi_i = h, self._i
            return None
        if h > self._hi:
            self._hi, self._hi_i = h, self._i
        if h <= self._hi - self.min_rise:
            event = RepEvent(self._lo_i, self._hi_i)
            self._lowest_top = min(self._lowest_top, self._hi)
            self.state = RepState.SEEK_BOTTOM
            self._lo, self._lo_i, self._lo_t, self._lo_seen = h, self._i, t_s, True
            return event
        return None

    def finish(self) -> RepEvent | None:
        """End of clip: a rise that has stopped at its top counts (descent cut off), and so
        does one that has reached the height of a top this set already counted (the clip
        ended during the hold, the estimate still creeping up).

        A rise still going up below every earlier top never reached its lockout: not a rep.
        """
        if self.state is not RepState.RISING:
            return None
        self.state = RepState.SEEK_BOTTOM
        mean_step = (self._hi - self._lo) / max(self._hi_i - self._lo_i, 1)
        stopped = self._hi_i < self._i or self._step < self.still_share * mean_step
        if stopped or self._hi >= self._lowest_top:
            return RepEvent(self._lo_i, self._hi_i)
        return None


class RepSegmenter:
    """The reps-and-phases stage: feed the hip height frame by frame (``update``), in time
    order; ``finish`` at the end of the clip. Offline feeds every frame of a smoothed clip
    and finishes; live feeds frames as they come and reads the count and the phase now.

    ``why_not`` says why a counted rise is not a rep of the exercise (None: it is one; the
    hip-thrust check, `formcheck.analysis.summary.not_hip_thrust`); the phases are those of
    the reps it keeps, worked out once over the frames (`phase_times`) and returned by
    ``finish``. ``phase_now`` is the causal estimate of the phase at the newest frame (the
    live screen), from the hips' low-passed speed.
    """

    def __init__(
        self, cfg: RepConfig, why_not: Callable[[RepEvent], str | None] | None = None
    ) -> None:
        self.cfg = cfg
        self.why_not = why_not
        self._counter = RepCounter(cfg)
        self.reset()

    def reset(self) -> None:
        self._counter.reset()
        self._t: list[float] = []
        self._h: list[float] = []
        self.counted: list[RepEvent] = []  # every rise counted
        self.reasons: list[str | None] = []  # why each is not a rep (None: it is one)
        self._speed = 0.0
        self._lo, self._hi = np.inf, -np.inf
        self.phase_now: str = "-"

    @property
    def rising(self) -> bool:
        """The counter has seen the hips leave a bottom and not yet come down from the top."""
        return self._counter.state is RepState.RISING

    @property
    def reps(self) -> list[RepEvent]:
        """The counted rises that are reps."""
        return [e for e, why in zip(self.counted, self.reasons, strict=True) if why is None]

    def update(self, t_s: float, h: float) -> RepEvent | None:
        """One frame's hip height (NaN: unseen); the rep whose top this frame confirms."""
        self._track_phase(t_s, h)
        self._t.append(t_s)
        self._h.append(h)
        event = self._counter.update(h, t_s)
        if event is not None:
            self._count(event)
        return event

    def finish(self) -> list[Phases]:
        """End of clip: a rise stopped at its top counts; the phases of every rep."""
        event = self._counter.finish()
        if event is not None:
            self._count(event)
        t, h = np.asarray(self._t, dtype=float), np.asarray(self._h, dtype=float)
        return phase_times(t, h, self.reps, self.cfg) if len(t) else []

    def _count(self, event: RepEvent) -> None:
        self.counted.append(event)
        self.reasons.append(self.why_not(event) if self.why_not else None)

    def _track_phase(self, t_s: float, h: float) -> None:
        """bottom / up / top / down at the newest frame ("-": the hips unseen)."""
        if not np.isfinite(h):
            self.phase_now = "-"
            return
        if self._t and np.isfinite(self._h[-1]) and t_s > self._t[-1]:
            dt = t_s - self._t[-1]
            v = (h - self._h[-1]) / dt
            self._speed += (1.0 - np.exp(-dt / self.cfg.now_speed_tau_s)) * (v - self._speed)
        self._lo, self._hi = min(self._lo, h), max(self._hi, h)
        if self._hi - self._lo < self.cfg.min_rise:
            self.phase_now = "bottom"
        elif abs(self._speed) < self.cfg.now_still_speed:
            self.phase_now = "top" if h > (self._lo + self._hi) / 2 else "bottom"
        else:
            self.phase_now = "up" if self._speed > 0 else "down"


def count_reps(t_s: np.ndarray, height: np.ndarray, cfg: RepConfig) -> list[RepEvent]:
    """Every rise a whole clip counts (`RepSegmenter` fed every frame)."""
    seg = RepSegmenter(cfg)
    for t, h in zip(t_s, height, strict=True):
        seg.update(float(t), float(h))
    seg.finish()
    return seg.counted


def _walk(v: np.ndarray, i: int, stop: int, thr: float) -> int:
    """From frame i step towards ``stop`` while |v| >= thr; the last frame still moving."""
    step = 1 if stop >= i else -1
    while i != stop and np.isfinite(v[i + step]) and abs(v[i + step]) >= thr:
        i += step
    return i


def phase_times(
    t: np.ndarray, h: np.ndarray, events: list[RepEvent], cfg: RepConfig
) -> list[Phases]:
    """Phase boundaries and durations of each counted rep.

    A phase of motion ends where the hips' speed falls below ``still_share`` of
    that phase's peak speed; the time between two phases of motion is a pause.
    """
    v = np.gradient(h, t)
    out: list[Phases] = []
    prev_end_i: int | None = None
    for k, ev in enumerate(events):
        b, p = ev.bottom_i, ev.top_i
        nxt = events[k + 1].bottom_i if k + 1 < len(events) else len(h) - 1
        seg = h[p : nxt + 1]
        low_i = p + int(np.nanargmin(seg)) if np.isfinite(seg).any() else nxt
        up_peak = b + int(np.nanargmax(v[b : p + 1])) if np.isfinite(v[b : p + 1]).any() else p
        thr_up = cfg.still_share * v[up_peak]
        c0 = _walk(v, up_peak, b, thr_up)
        c1 = _walk(v, up_peak, p, thr_up)
        drop = h[p] - h[low_i] if low_i > p else 0.0
        reached_bottom = drop >= cfg.bottom_reached * (h[p] - h[b])
        ecc: float | None = None
        hold: float | None = None
        e0, e1 = p, len(h) - 1
        # the hold ends where a descent starts; a clip ending at the top (a dip of noise
        # after it, under descent_seen of the rise) leaves the hold's length unknown
        if drop >= cfg.descent_seen * (h[p] - h[b]) and np.isfinite(v[p : low_i + 1]).any():
            dn_peak = p + int(np.nanargmin(v[p : low_i + 1]))
            thr_dn = cfg.still_share * -v[dn_peak]
            e0 = _walk(v, dn_peak, p, thr_dn)
            e1 = _walk(v, dn_peak, low_i, thr_dn)
            hold = float(t[e0] - t[c1])
            if reached_bottom:
                ecc = float(t[e1] - t[e0])
        pause = None if prev_end_i is None else float(t[c0] - t[prev_end_i])
        start_i = c0 if prev_end_i is None else prev_end_i
        out.append(
            Phases(
                start_s=float(t[start_i]),
                concentric_start_s=float(t[c0]),
                top_s=float(t[c1]),
                lockout_s=float((t[c1] + t[e0]) / 2.0) if hold is not None else float(t[c1]),
                eccentric_start_s=float(t[e0]),
                end_s=float(t[e1]) if ecc is not None else float(t[-1]),
                tempo=Tempo(pause, float(t[c1] - t[c0]), hold, ecc),
                bottom_i=b,
                top_i=p,
                end_i=e1,
            )
        )
        prev_end_i = e1 if ecc is not None else None
    return out


def hold_only(p: Phases) -> Phases:
    """The rep's phases with only the top hold timed: filmed from the feet or the head, the
    knees hide the hips through the lower half of the rep, so the bottom pause, the rise and
    the descent measured on what shows (the descent 0.2-0.9 s for a true 1.4-2.7 s on
    rendered clips) are not durations of those phases. The phase boundaries stay, to draw."""
    return replace(p, tempo=Tempo(None, None, p.tempo.top_hold_s, None))
