"""The tracking-quality gate: a rep whose top skeleton is nonsense is not judged; a clip
tracked badly throughout counts no rep (built landmark sets, no model)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from builders import RepShape, build_set

from formcheck import errors
from formcheck.analysis.tracking import segment_error
from formcheck.analysis.view import classify_view
from formcheck.cli import main
from formcheck.config import Config, TrackingConfig, ViewConfig
from formcheck.landmarks.names import Landmark as L
from formcheck.landmarks.series import PoseSeries
from formcheck.pipeline import analyze_series
from formcheck.results import Unjudged

VIEW = ViewConfig()
TRACKING = TrackingConfig()

SHORT = RepShape(top_trunk_deg=25.0)
_LEGS = [L[f"{s}_{j}"] for s in ("LEFT", "RIGHT") for j in ("KNEE", "ANKLE", "HEEL", "FOOT_INDEX")]


def _scrambled(series: PoseSeries, frames: np.ndarray, period_s: float = 0.7) -> PoseSeries:
    """The legs lost in ``frames``: knees and feet drift smoothly up to a torso length away
    from where they are (a skeleton laid on a plate or a bench, as the model does; smooth,
    so no outlier filter can take it for noise)."""
    t = series.timestamps_s[frames]
    drift = 260.0 * np.stack([np.sin(2 * np.pi * t / period_s), np.cos(np.pi * t / period_s)], -1)
    xy = series.xy_px.copy()
    xy[np.ix_(frames, _LEGS)] += drift[:, None, :]
    world = series.world_xyz_m.copy()
    world[..., :2] = xy / 1000.0
    return replace(series, xy_px=xy, world_xyz_m=world)


def _folded(series: PoseSeries, frames: np.ndarray) -> PoseSeries:
    """The legs folded onto the hips in ``frames`` (thighs and shins a fifth as long), as the
    model draws a lifter whose legs it has lost behind a plate."""
    xy = series.xy_px.copy()
    for side in ("LEFT", "RIGHT"):
        hip = xy[frames, L[f"{side}_HIP"]][:, None, :]
        legs = [L[f"{side}_{j}"] for j in ("KNEE", "ANKLE", "HEEL", "FOOT_INDEX")]
        xy[np.ix_(frames, legs)] = hip + 0.2 * (xy[np.ix_(frames, legs)] - hip)
    world = series.world_xyz_m.copy()
    world[..., :2] = xy / 1000.0
    return replace(series, xy_px=xy, world_xyz_m=world)


def _around(series: PoseSeries, t: float, half_s: float) -> np.ndarray:
    return np.abs(series.timestamps_s - t) <= half_s


def test_clean_sets_measure_plausible() -> None:
    series, _ = build_set([RepShape(), SHORT, RepShape()], noise_px=1.5, seed=2)
    error = segment_error(series, classify_view(series, VIEW), TRACKING)
    assert np.nanpercentile(error, 99) < TRACKING.max_length_log / 3


def test_a_hip_hidden_by_a_plate_is_left_out_of_the_gate() -> None:
    """Under a plate the model's hip wanders (a known guess, judged on nothing): the trunk
    and thigh lengths it makes are not counted against the skeleton there; the shin is."""
    series, _ = build_set([RepShape()] * 2)
    view = classify_view(series, VIEW)
    xy = series.xy_px.copy()
    lost = np.arange(40, 70)
    for side in ("LEFT", "RIGHT"):  # the guessed hip drifts half a torso towards the head
        xy[lost, L[f"{side}_HIP"]] += [[-90.0, -60.0]]
    wandering = replace(series, xy_px=xy)
    hidden = np.zeros(len(series), bool)
    hidden[lost] = True
    assert (segment_error(wandering, view, TRACKING)[lost] > TRACKING.max_length_log).mean() > 0.5
    assert (
        segment_error(wandering, view, TRACKING, hidden)[lost] < TRACKING.max_length_log / 3
    ).all()
    shins = _folded(wandering, lost)  # legs folded onto the hip: still caught
    assert (segment_error(shins, view, TRACKING, hidden)[lost] > TRACKING.max_length_log).all()


def test_a_nonsense_top_is_not_judged() -> None:
    series, truth = build_set([RepShape(), SHORT, RepShape()])
    bad = _folded(series, _around(series, truth.lockout_s[1], 0.6))
    report = analyze_series(bad, Config(), "scrambled")
    assert report.status == "ok" and report.rep_count == 3
    rep = report.reps[1]
    assert not rep.faults
    assert set(rep.not_judged) == {c for c, ok in report.assessable.items() if ok}
    assert all(nj.reason is Unjudged.TRACKING for nj in rep.not_judged.values())
    assert all("tracking unreliable" in nj.why for nj in rep.not_judged.values())
    assert not report.reps[0].not_judged and not report.reps[2].not_judged


def test_a_clip_tracked_badly_throughout_counts_no_rep(tmp_path) -> None:
    series, _ = build_set([RepShape()] * 3)
    bad = _scrambled(series, np.ones(len(series), dtype=bool))
    report = analyze_series(bad, Config(), "nonsense")
    assert report.status == "tracking_unreliable" and report.rep_count == 0
    assert "tracked unreliably" in report.warnings[-1]
    bad.save(tmp_path / "nonsense.npz")
    code = main(["analyze", str(tmp_path / "nonsense.npz"), "--json", str(tmp_path / "r.json")])
    assert code == errors.EXIT_TRACKING_UNRELIABLE


@pytest.mark.parametrize("zoom", [1.6, 0.6])
def test_a_camera_zoom_is_not_bad_tracking(zoom: float) -> None:
    """Every length changes at once and stays: after a while the new scale is the norm."""
    series, _ = build_set([RepShape()] * 4, lead_in_s=2.0)
    xy = series.xy_px.copy()
    later = series.timestamps_s > 6.0
    xy[later] = 480.0 + (xy[later] - 480.0) * zoom
    zoomed = replace(series, xy_px=xy)
    error = segment_error(zoomed, classify_view(zoomed, VIEW), TRACKING)
    assert np.mean(error[series.timestamps_s > 9.0] > TRACKING.max_length_log) == 0.0
