"""A weight plate over the hip: found in the picture, and the hip-angle faults of a rep whose
top it hides are reported as not judged, in every output (no model needed)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import cv2
import numpy as np
import pytest
from builders import RepShape, build_set

from formcheck import pipeline
from formcheck.analysis.bar import bar_track
from formcheck.analysis.hip_from_bar import hip_from_bar
from formcheck.analysis.load import (
    HIDDEN_HIP_FAULTS,
    HIDDEN_HIP_POSITION,
    HIDDEN_HIP_REASON,
    LOST_LEG_FAULTS,
    LOST_LEG_REASON,
    hip_hidden,
)
from formcheck.analysis.metrics import compute_metrics
from formcheck.analysis.view import classify_view
from formcheck.config import Config, LoadConfig, ViewConfig
from formcheck.landmarks.names import Landmark as L
from formcheck.landmarks.names import joint
from formcheck.landmarks.series import PoseSeries
from formcheck.pipeline import analyze_series
from formcheck.pose.plate import find_far_plate, find_plate
from formcheck.report.html import render_html
from formcheck.report.json_report import to_dict
from formcheck.report.overlay import draw_overlay
from formcheck.report.table import render_table

VIEW = ViewConfig()

SHORT = RepShape(top_trunk_deg=25.0)  # a top well short of the line: incomplete_lockout


def _pose(hip: tuple[float, float], torso: float) -> np.ndarray:
    xy = np.full((33, 2), np.nan)
    xy[[L.LEFT_HIP, L.RIGHT_HIP]] = hip
    xy[[L.LEFT_SHOULDER, L.RIGHT_SHOULDER]] = (hip[0] - torso, hip[1] - 10)
    return xy


def _gym(size: tuple[int, int] = (640, 360), seed: int = 0) -> np.ndarray:
    """A textured background: noise blurred into blobs, and a few straight edges."""
    rng = np.random.default_rng(seed)
    img = cv2.GaussianBlur(rng.integers(60, 200, (size[1], size[0], 3), dtype=np.uint8), (0, 0), 3)
    cv2.rectangle(img, (40, 200), (600, 240), (90, 90, 90), -1)  # a bench
    return img


@pytest.mark.parametrize("radius", [60, 90])
def test_a_plate_over_the_hip_is_found(radius: int) -> None:
    img = _gym()
    cv2.circle(img, (330, 190), radius, (25, 25, 25), -1, cv2.LINE_AA)  # the plate
    cv2.circle(img, (330, 190), radius // 6, (160, 160, 160), -1, cv2.LINE_AA)  # its hub
    found = find_plate(img, _pose((310, 200), 150.0))
    assert found is not None
    assert np.hypot(found[0] - 330, found[1] - 190) < 6 and abs(found[2] - radius) < 6


def test_no_plate_no_circle() -> None:
    assert find_plate(_gym(seed=3), _pose((310, 200), 150.0)) is None


def test_no_hip_no_search() -> None:
    assert find_plate(_gym(), np.full((33, 2), np.nan)) is None


def _plated(series: PoseSeries, radius_px: float, share: float = 1.0) -> PoseSeries:
    """A plate of ``radius_px`` centred on the near hip in the first ``share`` of frames."""
    plate = np.full((len(series), 3), np.nan)
    n = int(share * len(series))
    plate[:n, :2] = series.xy_px[:n, L.RIGHT_HIP] + [0.0, 12.0]
    plate[:n, 2] = radius_px
    return replace(series, plate_px=plate)


def test_hidden_hip_faults_not_judged(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the bar gives no estimate of the hip, the hip's position is not judged; its
    motion is measured on the bar instead."""
    monkeypatch.setattr(pipeline, "hip_from_bar", lambda *a: None)
    series, _ = build_set([RepShape(), SHORT, RepShape(top_s=0.2, down_s=0.5)])
    bare = analyze_series(series, Config(), "bare")
    assert "incomplete_lockout" in {f.code for f in bare.reps[1].faults}
    report = analyze_series(_plated(series, 90.0), Config(), "plated")
    assert report.rep_count == 3 and report.bar is not None
    for rep in report.reps:
        assert rep.not_judged == {
            c: HIDDEN_HIP_REASON for c in HIDDEN_HIP_POSITION if report.assessable[c]
        }
        assert not {f.code for f in rep.faults} & set(HIDDEN_HIP_POSITION)
        assert rep.peak_hip_extension_deg is None
    assert {"no_top_pause", "rushed_eccentric"} <= {f.code for f in report.reps[2].faults}


def test_a_plate_seen_too_rarely_gives_no_bar() -> None:
    """Sightings 0.7 s apart cannot be joined into a track of the bar."""
    series, _ = build_set([RepShape()] * 3)
    plated = _plated(series, 90.0)
    plate = plated.plate_px.copy()
    plate[(series.timestamps_s % 1.2) < 0.7] = np.nan
    seen = replace(plated, plate_px=plate)
    hidden = np.ones(len(series), dtype=bool)
    view = classify_view(seen, VIEW)
    assert bar_track(seen, compute_metrics(seen, "right"), hidden, view, LoadConfig()) is None


def test_no_bar_track_no_tempo_verdicts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a bar to stand in for the hidden hip, its motion is not judged either."""
    monkeypatch.setattr(pipeline, "bar_track", lambda *a: None)
    monkeypatch.setattr(pipeline, "hip_from_bar", lambda *a: None)
    series, _ = build_set([RepShape(), SHORT, RepShape()])
    report = analyze_series(_plated(series, 90.0), Config(), "no bar")
    assert report.bar is None
    for rep in report.reps:
        assert set(rep.not_judged) == {c for c in HIDDEN_HIP_FAULTS if report.assessable[c]}
        assert rep.bar is None


def test_bar_rise_and_speed_in_metres() -> None:
    """A 45 cm plate drawn 90 px across its radius: 2.5 mm per pixel."""
    series, _ = build_set([RepShape(up_s=1.0)] * 3)
    report = analyze_series(_plated(series, 90.0), Config(), "bar")
    hip_y = series.xy_px[:, L.RIGHT_HIP, 1]
    rise_m = (np.nanmax(hip_y) - np.nanmin(hip_y)) * 0.225 / 90.0
    assert report.bar is not None and report.bar.m_per_px == pytest.approx(0.0025)
    for rep in report.reps:
        assert rep.bar is not None and rep.bar.rise_m is not None
        assert rep.bar.rise_m == pytest.approx(rise_m, rel=0.1)
        mean = rep.bar.rise_m / rep.tempo.concentric_s
        assert rep.bar.mean_velocity_m_s == pytest.approx(mean, rel=0.02)
        # cosine easing over 1 s: peak speed = pi / 2 x the mean over the whole rise
        assert rep.bar.peak_velocity_m_s == pytest.approx(np.pi / 2 * rise_m / 1.0, rel=0.15)
    cfg = replace(Config(), load=replace(Config().load, plate_cm=35.0))
    smaller = analyze_series(_plated(series, 90.0), cfg, "bar")
    assert smaller.reps[0].bar.rise_m == pytest.approx(  # type: ignore[union-attr]
        report.reps[0].bar.rise_m * 35 / 45  # type: ignore[union-attr, operator]
    )


def test_a_plate_changing_size_gives_no_scale() -> None:
    series, _ = build_set([RepShape()] * 3)
    plated = _plated(series, 90.0)
    plate = plated.plate_px.copy()
    plate[:, 2] *= 1.0 + 0.2 * np.sin(np.arange(len(plate)) / 3.0)
    report = analyze_series(replace(plated, plate_px=plate), Config(), "wobbly")
    assert report.bar is not None and report.bar.m_per_px is None
    assert "not trusted" in report.bar.scale_note
    bar = report.reps[0].bar
    assert bar is not None and bar.rise_m is None and bar.mean_velocity_torso_s > 0


def test_a_plate_for_part_of_the_set_is_not_a_load() -> None:
    """A load rests on the hips through the set: a circle over the hip for a third of the
    clip (a thigh, a dumbbell passing) hides nothing."""
    series, _ = build_set([RepShape(), SHORT, RepShape()])
    report = analyze_series(_plated(series, 90.0, share=0.35), Config(), "part")
    assert all(not r.not_judged for r in report.reps)
    assert "incomplete_lockout" in {f.code for f in report.reps[1].faults}


def test_a_circle_that_changes_size_is_not_a_plate() -> None:
    """Hough circles on round things that are not plates come and go at any size."""
    series, _ = build_set([RepShape()] * 3)
    plated = _plated(series, 90.0)
    plate = plated.plate_px.copy()
    rng = np.random.default_rng(5)
    plate[:, 2] = rng.uniform(30.0, 150.0, len(plate))
    plate[rng.random(len(plate)) < 0.6] = np.nan  # seen in 40% of frames
    hidden = hip_hidden(replace(plated, plate_px=plate), "right", LoadConfig())
    assert hidden.mean() < 0.1
    report = analyze_series(replace(plated, plate_px=plate), Config(), "circles")
    assert all(not r.not_judged for r in report.reps)


def test_a_plate_beside_the_hip_hides_nothing() -> None:
    series, _ = build_set([RepShape()] * 2)
    plate = np.tile([50.0, 50.0, 30.0], (len(series), 1))
    report = analyze_series(replace(series, plate_px=plate), Config(), "beside")
    assert all(not r.not_judged for r in report.reps)


def test_not_judged_in_every_output(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "hip_from_bar", lambda *a: None)  # no estimate from the bar
    series, _ = build_set([RepShape(), SHORT])
    report = analyze_series(_plated(series, 90.0), Config(), "plated")
    data = to_dict(report)
    assert data["schema_version"] == "1.3"
    assert data["reps"][1]["not_judged"]["incomplete_lockout"] == HIDDEN_HIP_REASON.why
    assert data["reps"][1]["not_judged_reasons"]["incomplete_lockout"] == "load"
    assert data["reps"][1]["peak_hip_extension_deg"] is None
    assert f"({HIDDEN_HIP_REASON.why})" in render_table(report)
    assert "not judged: incomplete_lockout, lumbar_hyperextension (" in render_table(report)
    assert data["bar"]["plate_cm"] == 45.0 and data["bar"]["metres_per_px"] > 0
    assert data["reps"][0]["bar"]["mean_velocity_m_s"] > 0
    assert data["reps"][0]["bar"]["rise_m"] > 0
    assert "concentric mean" in render_table(report)
    page = render_html(report, analysed_on=dt.date(2026, 1, 1))
    assert "not judged: <code>incomplete_lockout</code>" in page and HIDDEN_HIP_REASON.why in page
    assert "<h3>Bar velocity</h3>" in page and 'aria-label="Vertical bar velocity' in page
    w, h = series.image_size
    frame = np.full((h, w, 3), 90, np.uint8)
    top = report.reps[1].lockout_i
    drawn = draw_overlay(frame, report, top)
    bare = draw_overlay(frame, analyze_series(series, Config(), "bare"), top)
    assert not np.array_equal(drawn, bare)  # the plate circle and "not judged" instead


def test_plates_survive_save_and_load(tmp_path) -> None:
    series, _ = build_set([RepShape()])
    plated = _plated(series, 80.0, share=0.5)
    plated.save(tmp_path / "x.npz")
    back = PoseSeries.load(tmp_path / "x.npz")
    np.testing.assert_allclose(back.plate_px, plated.plate_px, rtol=1e-6)
    frame = back.frame(0)
    assert frame is not None and frame.plate_px is not None
    assert back.frame(len(back) - 1).plate_px is None  # type: ignore[union-attr]


def test_a_plate_too_small_for_its_stated_size_gives_no_scale() -> None:
    """Light plates (80 px across beside a 155 px shin) are not 45 cm plates; told their size,
    the scale is trusted again."""
    series, _ = build_set([RepShape()] * 3)
    small = _plated(series, 40.0)
    report = analyze_series(small, Config(), "light")
    assert report.bar is not None and report.bar.m_per_px is None
    assert "too small for a 45 cm plate" in report.bar.scale_note
    cfg = replace(Config(), load=replace(Config().load, plate_cm=20.0))
    told = analyze_series(small, cfg, "light")
    assert told.bar is not None and told.bar.m_per_px == pytest.approx(0.10 / 40.0)


def _barbell(series: PoseSeries, depth_share: float, offset: tuple[float, float]) -> PoseSeries:
    """A barbell as a camera sees it: the bar's middle ``depth_share`` of the set's longest
    shoulder-knee span in front of the true hip (away from the floor), its near plate's
    centre ``offset`` px from the middle and its far plate's on the other side, each
    weighted by its depth (radius 110 px near, covering the hip; 85 px far)."""
    xy = series.xy_px
    s, h, k = (xy[:, L[f"RIGHT_{j}"]] for j in ("SHOULDER", "HIP", "KNEE"))
    span = np.linalg.norm(k - s, axis=-1)
    along = (k - s) / span[:, None]
    up = np.stack([along[:, 1], -along[:, 0]], -1)
    up = np.where((up[:, 1] > 0)[:, None], -up, up)
    middle = h + depth_share * np.nanpercentile(span, 95) * up
    near = np.column_stack([middle + offset, np.full(len(series), 110.0)])
    far = np.column_stack([middle - np.array(offset) * 85 / 110, np.full(len(series), 85.0)])
    return replace(series, plate_px=near, far_plate_px=far)


@pytest.mark.parametrize("depth_share", [0.1, 0.145, 0.19])
def test_the_hip_under_a_plate_is_estimated_from_the_bar(depth_share: float) -> None:
    """The bar's middle between its two plates, a pelvis's depth in front of the hip: every
    top's true hip angle lies inside the interval the bar gives. A top whose interval is
    all on one side of a threshold is judged on it (and says the hip was estimated); one
    whose interval straddles it is not judged, with the interval."""
    series, _ = build_set([RepShape(), SHORT, RepShape()])
    truth = analyze_series(series, Config(), "bare")
    loaded = _barbell(series, depth_share, (0.0, 25.0))
    est = hip_from_bar(
        loaded, classify_view(loaded, VIEW), np.ones(len(series), bool), LoadConfig()
    )
    assert est is not None and est.estimated.all()
    report = analyze_series(loaded, Config(), "barbell")
    assert report.rep_count == 3
    thr = Config().faults.lockout_min_deg
    for rep, bare in zip(report.reps, truth.reps, strict=True):
        top = slice(rep.lockout_i - 2, rep.lockout_i + 3)
        lo, hi = np.median(est.angle_lo_deg[top]), np.median(est.angle_hi_deg[top])
        assert lo - 1 <= bare.peak_hip_extension_deg <= hi + 1  # type: ignore[operator]
        codes = {f.code: f for f in rep.faults}
        if lo < thr < hi:
            assert "from the bar the top is" in rep.not_judged["incomplete_lockout"].why
        else:
            assert "incomplete_lockout" not in rep.not_judged
            assert ("incomplete_lockout" in codes) == (hi < thr)
            if hi < thr:
                assert "estimated from the bar" in codes["incomplete_lockout"].message
        assert "pelvic_tilt_rotation" not in codes


def test_no_far_plate_in_an_oblique_view_gives_no_estimate() -> None:
    series, _ = build_set([RepShape()] * 2)
    loaded = replace(
        _barbell(series, 0.145, (0.0, 25.0)), far_plate_px=np.full((len(series), 3), np.nan)
    )
    view = replace(classify_view(loaded, VIEW), kind="oblique")
    assert hip_from_bar(loaded, view, np.ones(len(series), bool), LoadConfig()) is None


def test_far_plates_survive_save_and_load(tmp_path) -> None:
    series, _ = build_set([RepShape()])
    loaded = _barbell(series, 0.145, (0.0, 25.0))
    loaded.save(tmp_path / "x.npz")
    back = PoseSeries.load(tmp_path / "x.npz")
    np.testing.assert_allclose(back.far_plate_px, loaded.far_plate_px, rtol=1e-6)
    frame = back.frame(0)
    assert frame is not None and frame.far_plate_px is not None


def test_the_far_plate_beside_the_near_one_is_found() -> None:
    img = _gym()
    cv2.circle(img, (380, 120), 60, (30, 30, 30), -1, cv2.LINE_AA)  # the far plate, behind
    cv2.circle(img, (330, 190), 80, (25, 25, 25), -1, cv2.LINE_AA)  # the near plate
    cv2.circle(img, (330, 190), 80, (90, 90, 90), 3, cv2.LINE_AA)  # its rim
    near = find_plate(img, _pose((310, 200), 150.0))
    assert near is not None
    far = find_far_plate(img, near)
    assert far is not None
    assert np.hypot(far[0] - 380, far[1] - 120) < 8 and abs(far[2] - 60) < 8
    alone = _gym()
    cv2.circle(alone, (330, 190), 80, (25, 25, 25), -1, cv2.LINE_AA)
    assert find_far_plate(alone, near) is None  # concentric: only the near plate shows


def test_a_knee_deep_inside_the_plate_means_the_legs_are_lost() -> None:
    """The model puts the knee deep inside the plate (a thigh's length from a hip the plate
    covers): the legs are a guess there, and nothing judged on them is said. A knee at the
    plate's rim (a plate near the camera, enlarged by perspective) is still a knee."""
    series, _ = build_set([RepShape(), SHORT])
    loaded = _barbell(series, 0.145, (0.0, 25.0))
    reach = np.linalg.norm(series.xy_px[:, L.RIGHT_KNEE] - loaded.plate_px[:, :2], axis=-1)
    for share, lost_legs in ((0.6, True), (0.95, False)):  # knee at 0.6 or 0.95 radii
        plate = loaded.plate_px.copy()
        plate[:, 2] = reach.max() / share
        report = analyze_series(replace(loaded, plate_px=plate), Config(), "lost")
        assert report.rep_count == 2
        for rep in report.reps:
            lost = {c for c, why in rep.not_judged.items() if why == LOST_LEG_REASON}
            assert lost == (
                {c for c in LOST_LEG_FAULTS if report.assessable[c]} if lost_legs else set()
            )
            if lost_legs:
                assert not {f.code for f in rep.faults} & set(LOST_LEG_FAULTS)


def test_the_legs_are_measured_on_the_side_the_model_keeps() -> None:
    """Behind a plate the model loses one leg (its knee slides into the plate, its foot up the
    shin) and keeps the other: the set is measured on the kept side and judged as if nothing
    had been lost, instead of 'legs lost' or a top 20-70 deg short."""
    series, _ = build_set([RepShape(), SHORT, RepShape()])
    loaded = _barbell(series, 0.145, (0.0, 25.0))
    intact = analyze_series(loaded, Config(), "intact")
    side = intact.view.metric_side
    assert side is not None
    other = "left" if side == "right" else "right"
    xy = loaded.xy_px.copy()
    centre = loaded.plate_px[:, :2]
    knee, ankle = joint("knee", side), joint("ankle", side)
    xy[:, knee] = centre + 0.3 * (xy[:, knee] - centre)  # deep inside the plate
    xy[:, ankle] = 0.5 * (xy[:, ankle] + series.xy_px[:, knee])  # the foot halfway up the shin
    report = analyze_series(replace(loaded, xy_px=xy), Config(), "one leg lost")
    assert report.view.metric_side == other
    assert report.rep_count == intact.rep_count == 3
    for rep, ref in zip(report.reps, intact.reps, strict=True):
        assert LOST_LEG_REASON not in rep.not_judged.values()
        assert {f.code for f in rep.faults} == {f.code for f in ref.faults}
        assert rep.not_judged.keys() == ref.not_judged.keys()
