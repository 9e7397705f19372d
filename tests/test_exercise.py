"""What is not a hip thrust gives no reps: push-ups and planks (straight legs, the arms
lifting the shoulders), a camera tilting the whole body up and down (built landmark sets)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from builders import RepShape, build_set

from formcheck.analysis.metrics import FrameMetrics, compute_metrics
from formcheck.analysis.reps import RepEvent, count_reps
from formcheck.analysis.summary import not_hip_thrust
from formcheck.config import Config
from formcheck.landmarks.clean import clean_series
from formcheck.landmarks.names import Landmark as L
from formcheck.landmarks.series import PoseSeries
from formcheck.pipeline import analyze_series

_UPPER = [lm for lm in L if not any(k in lm.name for k in ("HIP", "KNEE", "ANKLE", "HEEL", "FOOT"))]


def _with_xy(series: PoseSeries, xy: np.ndarray) -> PoseSeries:
    """The series with new pixels; world landmarks follow them as in builders.build_set."""
    world = series.world_xyz_m.copy()
    world[..., :2] = xy / 1000.0
    return replace(series, xy_px=xy, world_xyz_m=world)


def _hip_rise_px(series: PoseSeries) -> np.ndarray:
    hip_y = series.xy_px[:, L.RIGHT_HIP, 1]
    return np.nanmax(hip_y) - hip_y  # 0 at the bottom


def test_a_bridge_set_is_counted() -> None:
    report = analyze_series(build_set([RepShape()] * 3)[0], Config(), "bridge")
    assert report.status == "ok" and report.rep_count == 3


def test_shoulders_lifted_by_the_arms_are_not_a_bridge() -> None:
    """Shoulders rising further than the hips (a push-up's arms lift the upper body)."""
    series, _ = build_set([RepShape()] * 3)
    xy = series.xy_px.copy()
    xy[:, _UPPER, 1] -= 1.5 * _hip_rise_px(series)[:, None]
    report = analyze_series(_with_xy(series, xy), Config(), "push-up")
    assert report.rep_count == 0 and report.status == "not_hip_thrust"
    assert any("arms lift the body" in w for w in report.warnings), report.warnings


def test_the_camera_tilting_the_whole_body_is_not_a_rep() -> None:
    """A handheld camera tilting: every landmark rises and falls together, nothing bends."""
    series, _ = build_set([RepShape()], lead_in_s=3.0)
    xy = np.repeat(series.xy_px[:1], len(series), axis=0)  # the lifter lies still
    t = series.timestamps_s
    xy[..., 1] -= (60.0 * (0.5 - 0.5 * np.cos(2 * np.pi * t / 4.0)))[:, None]
    report = analyze_series(_with_xy(series, xy), Config(), "tilt")
    assert report.rep_count == 0


def test_straight_legs_at_the_top_are_not_a_bridge() -> None:
    """A plank lifted at the hips: the knees stay straight (on the hip-ankle line)."""
    series, _ = build_set([RepShape()] * 3)
    xy = series.xy_px.copy()
    for side in ("LEFT", "RIGHT"):
        hip, ankle = xy[:, L[f"{side}_HIP"]], xy[:, L[f"{side}_ANKLE"]]
        xy[:, L[f"{side}_KNEE"]] = hip + 0.52 * (ankle - hip)
    report = analyze_series(_with_xy(series, xy), Config(), "plank")
    assert report.rep_count == 0 and report.status == "not_hip_thrust"
    assert any("legs are straight" in w for w in report.warnings), report.warnings


@pytest.mark.parametrize("knee_px", [0.0, 60.0])
def test_one_straight_leg_of_a_single_leg_set_is_still_a_bridge(knee_px: float) -> None:
    """The free leg held straight: the planted leg's bent knee decides."""
    series, _ = build_set([RepShape()] * 3)
    xy = series.xy_px.copy()
    hip, ankle = xy[:, L.LEFT_HIP], xy[:, L.LEFT_ANKLE]
    xy[:, L.LEFT_ANKLE] = ankle - [0.0, knee_px]
    xy[:, L.LEFT_KNEE] = hip + 0.52 * (xy[:, L.LEFT_ANKLE] - hip)
    report = analyze_series(_with_xy(series, xy), Config(), "single-leg")
    assert report.rep_count == 3


def _metrics_and_reps(series: PoseSeries) -> tuple[FrameMetrics, list[RepEvent]]:
    cfg = Config()
    m = compute_metrics(clean_series(series, cfg.cleaning), "right")
    return m, count_reps(m.t_s, m.hip_height, cfg.reps)


def test_a_rep_whose_trunk_is_unseen_at_its_peak_is_still_counted() -> None:
    """The trunk's world landmarks lost for 11 frames at a rep's top (the lite model on a
    real single-leg clip, its hips' depth thrown out as outliers): no trunk seen is no
    evidence that it is upright; the frames around the peak decide, and the rep counts."""
    m, events = _metrics_and_reps(build_set([RepShape()] * 3)[0])
    incline = m.trunk_incline_deg.copy()
    top = events[1].top_i
    incline[top - 8 : top + 3] = np.nan
    assert not_hip_thrust(events[1], replace(m, trunk_incline_deg=incline), Config().reps) is None
    incline[:] = np.nan  # never seen at all: still no evidence
    assert not_hip_thrust(events[1], replace(m, trunk_incline_deg=incline), Config().reps) is None


def test_a_trunk_seen_upright_beside_an_unseen_peak_is_not_a_bridge() -> None:
    """The frames around an unseen peak still reject a trunk they see upright."""
    m, events = _metrics_and_reps(build_set([RepShape()] * 3)[0])
    incline = np.full_like(m.trunk_incline_deg, 80.0)
    top = events[1].top_i
    incline[top - 8 : top + 3] = np.nan
    why = not_hip_thrust(events[1], replace(m, trunk_incline_deg=incline), Config().reps)
    assert why == "the trunk is upright at the top"


def test_a_view_along_the_body_asks_the_knees_in_3d_and_skips_the_trunk() -> None:
    """From the feet the legs are foreshortened into a straight line in the image and the
    trunk points along the camera's axis: a bridge there must not read as standing or upright
    (rendered hip thrusts from the feet: image knee 169-178 deg, 3D 97-147, "incline" 19-79)."""
    m, events = _metrics_and_reps(build_set([RepShape()] * 3)[0])
    top = events[1].top_i
    seen = replace(
        m,
        knee_angle_deg=np.full_like(m.knee_angle_deg, 175.0),
        hip_height=m.hip_height + 1.5,
        trunk_incline_deg=np.full_like(m.trunk_incline_deg, 70.0),
    )
    cfg = Config().reps
    assert not_hip_thrust(events[1], seen, cfg) == "the trunk is upright at the top"
    level = replace(seen, trunk_incline_deg=m.trunk_incline_deg)
    assert not_hip_thrust(events[1], level, cfg).startswith("standing at the top")
    assert not_hip_thrust(events[1], seen, cfg, along_body=True) is None
    standing = replace(seen, bent_knee_deg=np.full_like(m.bent_knee_deg, 175.0))
    why = not_hip_thrust(events[1], standing, cfg, along_body=True)
    assert why is not None and why.startswith("standing at the top"), (why, top)
