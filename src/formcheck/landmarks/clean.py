"""Clean a landmark series before any geometry.

Order: hide low-visibility landmarks -> repair left/right leg swaps -> reject
outliers (Hampel filter) -> fill short gaps -> low-pass smoothing. Offline
analysis smooths zero-phase (forward-backward Butterworth, no lag); live
analysis swaps in `CausalSmoother`, which has the same cut-off but only looks back.
"""

from __future__ import annotations

import threading
from typing import Any, Protocol

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from formcheck.config import CleaningConfig
from formcheck.landmarks.names import LEG_GROUPS
from formcheck.landmarks.series import PoseSeries

_FILTER_ORDER = 2
_MAD_TO_SIGMA = 1.4826
_HAMPEL_ROWS = 1024
#: `clean_series` cleans this many coordinate columns at a time (memory, not a threshold).
_CLEAN_COLUMNS = 12


def frame_rate(series: PoseSeries) -> float:
    """Sampling rate from the real timestamps (median interval), falling back to the header."""
    dt = np.diff(series.timestamps_s)
    dt = dt[dt > 0]
    return float(1.0 / np.median(dt)) if dt.size else series.fps


def clean_series(
    series: PoseSeries, cfg: CleaningConfig, smoother: Smoother | None = None
) -> PoseSeries:
    """The cleaned copy of ``series`` (image and world landmarks alike)."""
    fs = frame_rate(series)
    xy = series.xy_px.copy()
    world = series.world_xyz_m.copy()
    vis = series.visibility.copy()
    hidden = vis < cfg.min_visibility
    xy[hidden] = np.nan
    world[hidden] = np.nan
    swapped = find_leg_swaps(xy, cfg.swap_margin)
    for arr in (xy, world, vis):
        apply_leg_swaps(arr, swapped)
    smoother = smoother or ZeroPhaseSmoother(cfg.cutoff_hz)
    window = max(3, int(round(cfg.outlier_window_s * fs)) | 1)
    max_gap = int(round(cfg.max_gap_s * fs))
    slots, kept = even_slots(series.timestamps_s, 1.0 / fs)
    even = len(slots) == len(kept)  # a video's frames: cleaned in place, no padded copy
    out = []
    for arr in (xy, world):
        if even:
            flat = arr.reshape(len(arr), -1)
        else:
            flat = np.full((len(slots), arr[0].size), np.nan)
            flat[kept] = arr.reshape(len(arr), -1)
        floor = hampel_floor(flat)
        # a few columns at a time: every step works per column, and each makes copies of
        # what it is given (10 minutes at 60 fps: ~28 MB a copy of the world landmarks)
        for a in range(0, flat.shape[1], _CLEAN_COLUMNS):
            cols = flat[:, a : a + _CLEAN_COLUMNS]
            cols = fill_gaps(hampel(cols, window, cfg.outlier_k, floor), max_gap)
            flat[:, a : a + _CLEAN_COLUMNS] = smoother.smooth(cols, fs)
        out.append(arr if even else flat[kept].reshape(arr.shape))
    return series.with_arrays(xy_px=out[0], world_xyz_m=out[1], visibility=vis)


def even_slots(t: np.ndarray, step: float) -> tuple[np.ndarray, np.ndarray]:
    """Sample times spaced ~``step`` apart that include every time of ``t``, and where
    ``t``'s samples sit among them.

    The filters below count samples, so they need evenly spaced ones. A video gives them;
    a live source does not: it drops the frames the loop was too busy for, and a verdict
    that takes 0.3 s leaves a 0.3 s hole that a filter counting samples would take for one
    frame's time (a jump in the hips, a burst of speed at the end of a rep). Holes of
    about two steps or more get empty slots (NaN: filled like a dropout of that length,
    or left out when longer than ``max_gap_s``). Evenly sampled ``t``: itself, unchanged.
    """
    if len(t) < 2:
        return t, np.arange(len(t))
    dt = np.diff(t)
    per_gap = np.maximum(np.round(dt / step).astype(int), 1)  # slots from each sample on
    starts = np.concatenate(([0], np.cumsum(per_gap)))  # where each sample of t lands
    if starts[-1] == len(t) - 1:
        return t, np.arange(len(t))
    owner = np.repeat(np.arange(len(dt)), per_gap)
    frac = (np.arange(starts[-1]) - starts[owner]) / per_gap[owner]
    slots = np.concatenate((t[owner] + dt[owner] * frac, t[-1:]))
    return slots, starts


def find_leg_swaps(xy: np.ndarray, margin: float) -> np.ndarray:
    """(T,) bool: frames whose left and right legs are labelled the wrong way round.

    Frame by frame, the legs are matched to the last repaired positions: when the
    crossed assignment costs less than ``margin`` times the straight one, the
    frame is marked swapped. Hips are left out of the cost (they sit close
    together in side views); knees, ankles, heels and toes decide.
    """
    legs = xy[:, [LEG_GROUPS["left"][1:], LEG_GROUPS["right"][1:]]]  # (T, 2 legs, joints, 2)
    swapped = np.zeros(len(xy), dtype=bool)
    ref = np.full(legs.shape[1:], np.nan)
    for t in range(len(xy)):
        cur = legs[t]
        cost = _costs(cur, ref)  # [this leg, last repaired leg]
        keep, cross = cost[0, 0] + cost[1, 1], cost[0, 1] + cost[1, 0]
        if np.isfinite(keep) and np.isfinite(cross) and cross < margin * keep:
            swapped[t] = True
            cur = cur[::-1]
        ref = np.where(np.isfinite(cur), cur, ref)
    return swapped


def _costs(cur: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """(2, 2): summed joint distances from each leg of ``cur`` to each leg of ``ref``, NaN
    where fewer than two joints of the pair are seen (one array expression per frame)."""
    d = np.sqrt(((cur[:, None] - ref[None, :]) ** 2).sum(axis=-1))
    seen = np.isfinite(d)
    return np.where(seen.sum(axis=-1) >= 2, np.where(seen, d, 0.0).sum(axis=-1), np.nan)


def apply_leg_swaps(arr: np.ndarray, swapped: np.ndarray) -> None:
    """Swap the left and right leg landmarks of ``arr`` (T, 33, ...) in place where marked."""
    left, right = LEG_GROUPS["left"], LEG_GROUPS["right"]
    rows = np.flatnonzero(swapped)
    if rows.size:
        tmp = arr[np.ix_(rows, left)].copy()
        arr[np.ix_(rows, left)] = arr[np.ix_(rows, right)]
        arr[np.ix_(rows, right)] = tmp


def hampel_floor(x: np.ndarray) -> float:
    """The least spread `hampel` assumes: 0.1% of the largest value of ``x`` (1e-3 when
    nothing is finite). It keeps perfectly still landmarks from flagging tiny jitter."""
    finite = np.isfinite(x)
    return 1e-3 * (float(np.max(np.abs(x), where=finite, initial=0.0)) if finite.any() else 1.0)


def hampel(x: np.ndarray, window: int, k: float, floor: float | None = None) -> np.ndarray:
    """NaN where (T, C) ``x`` is over k scaled MADs from its window median (Hampel); spreads
    below ``floor`` count as ``floor`` (default: `hampel_floor` of ``x``).

    NaN gaps are bridged by interpolation for the statistics only (so the fast
    ``np.median`` applies) and stay NaN in the result.
    """
    if len(x) < window:
        return x.copy()
    half = window // 2
    win = sliding_window_view(np.pad(_bridge(x), ((half, half), (0, 0)), mode="edge"), window, 0)
    floor = hampel_floor(x) if floor is None else floor
    out = x.copy()
    # in blocks of rows: the medians copy their (rows, C, window) input, and whole-clip
    # statistics of a 10-minute clip would hold ~0.3 GB at once (memory stays flat this way)
    for a in range(0, len(x), _HAMPEL_ROWS):
        block = win[a : a + _HAMPEL_ROWS]
        med = _window_median(block)
        mad = _window_median(np.abs(block - med[:, :, None]))
        spread = np.maximum(mad * _MAD_TO_SIGMA, floor)
        rows = out[a : a + _HAMPEL_ROWS]
        rows[np.abs(x[a : a + _HAMPEL_ROWS] - med) > k * spread] = np.nan
    return out


def _window_median(a: np.ndarray) -> np.ndarray:
    """``np.median(a, axis=-1)`` of NaN-free windows; for an odd window (as `clean_series`
    makes them) the middle element, found by one partition: np.median also checks for NaN
    and copies the strided windows twice, ~2x the time. Same numbers."""
    if a.shape[-1] % 2 == 0:
        return np.median(a, axis=-1)
    k = a.shape[-1] // 2
    return np.partition(a, k, axis=-1)[..., k]


def fill_gaps(x: np.ndarray, max_gap: int) -> np.ndarray:
    """Linearly interpolate NaN runs of at most ``max_gap`` samples between valid samples."""
    out = x.copy()
    t = np.arange(len(x))
    for c in range(x.shape[1]):
        col = out[:, c]
        bad = ~np.isfinite(col)
        if not bad.any() or bad.all():
            continue
        good = ~bad
        filled = np.interp(t, t[good], col[good])
        for start, stop in runs(bad):
            if start > 0 and stop < len(col) and stop - start <= max_gap:
                col[start:stop] = filled[start:stop]
    return out


def _bridge(x: np.ndarray) -> np.ndarray:
    """Every NaN of (T, C) ``x`` interpolated (held at the ends); all-NaN channels become 0."""
    out = np.zeros_like(x)
    t = np.arange(len(x))
    for c in range(x.shape[1]):
        good = np.isfinite(x[:, c])
        if good.any():
            out[:, c] = np.interp(t, t[good], x[good, c])
    return out


def runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """[start, stop) of the True runs of a 1-D bool array."""
    edges = np.diff(np.concatenate(([0], mask.astype(np.int8), [0])))
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True))


def _signal() -> Any:
    """scipy.signal, imported on first use: it takes ~0.6 s to import, which `analyze` hides
    behind the pose model (`warm_imports`) instead of paying it before the first frame."""
    import scipy.signal

    return scipy.signal


def warm_imports() -> threading.Thread:
    """Import scipy.signal in a background thread (the pose model leaves the GIL free while
    it runs, so this overlaps it); returns the thread."""
    thread = threading.Thread(target=_signal, name="formcheck-imports", daemon=True)
    thread.start()
    return thread


def _design(cutoff_hz: float, fs: float) -> np.ndarray | None:
    """Second-order-sections Butterworth low-pass, or None when the cut-off is above Nyquist."""
    if cutoff_hz >= 0.45 * fs:
        return None
    return np.asarray(_signal().butter(_FILTER_ORDER, cutoff_hz, fs=fs, output="sos"))


class Smoother(Protocol):
    """A low-pass strategy over (T, C) arrays sampled at ``fs`` Hz; NaN runs stay NaN."""

    def smooth(self, x: np.ndarray, fs: float) -> np.ndarray: ...


class ZeroPhaseSmoother:
    """Forward-backward Butterworth (scipy.signal.sosfiltfilt): no lag, offline only."""

    def __init__(self, cutoff_hz: float) -> None:
        self.cutoff_hz = cutoff_hz

    def smooth(self, x: np.ndarray, fs: float) -> np.ndarray:
        sos = _design(self.cutoff_hz, fs)
        out = x.copy()
        if sos is None:
            return out
        padlen = 3 * (2 * len(sos) + 1)
        for cols, spans in _same_runs(x):
            for start, stop in spans:
                if stop - start > padlen:
                    out[start:stop, cols] = _signal().sosfiltfilt(sos, x[start:stop, cols], axis=0)
        return out


class CausalSmoother:
    """Forward-only Butterworth (scipy.signal.sosfilt), the live counterpart of ZeroPhaseSmoother.

    Each finite run starts from the steady state of its first sample, so there is
    no start-up transient; it lags by about one cut-off period's worth of phase.
    """

    def __init__(self, cutoff_hz: float) -> None:
        self.cutoff_hz = cutoff_hz

    def smooth(self, x: np.ndarray, fs: float) -> np.ndarray:
        sos = _design(self.cutoff_hz, fs)
        out = x.copy()
        if sos is None:
            return out
        zi0 = _signal().sosfilt_zi(sos)[:, :, None]  # (sections, 2, 1): one per column
        for cols, spans in _same_runs(x):
            for start, stop in spans:
                seg = x[start:stop, cols]
                zi = zi0 * seg[0][None, None, :]
                out[start:stop, cols], _ = _signal().sosfilt(sos, seg, axis=0, zi=zi)
        return out


def _same_runs(x: np.ndarray) -> list[tuple[np.ndarray, list[tuple[int, int]]]]:
    """The columns of (T, C) ``x`` grouped by where they are finite, with those runs: each
    group is filtered in one call (the per-column filter, once per group; same numbers)."""
    finite = np.isfinite(x)
    groups: dict[bytes, list[int]] = {}
    for c in range(x.shape[1]):
        groups.setdefault(np.packbits(finite[:, c]).tobytes(), []).append(c)
    return [(np.array(cols), runs(finite[:, cols[0]])) for cols in groups.values()]
