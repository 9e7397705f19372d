"""What is not a hip thrust gives no reps: push-ups and planks (straight legs, the arms
lifting the shoulders), a camera tilting the whole body up and down (built landmark sets)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from builders import RepShape, build_set

from formcheck.config import Config
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
