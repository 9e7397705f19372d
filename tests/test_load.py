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
from formcheck.analysis.load import (
    HIDDEN_HIP_FAULTS,
    HIDDEN_HIP_POSITION,
    HIDDEN_HIP_REASON,
    hip_hidden,
)
from formcheck.analysis.metrics import compute_metrics
from formcheck.analysis.view import classify_view
from formcheck.config import Config, LoadConfig
from formcheck.landmarks.names import Landmark as L
from formcheck.landmarks.series import PoseSeries
from formcheck.pipeline import analyze_series
from formcheck.pose.plate import find_plate
from formcheck.report.html import render_html
from formcheck.report.json_report import to_dict
from formcheck.report.overlay import draw_overlay
from formcheck.report.table import render_table

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


def test_hidden_hip_faults_not_judged() -> None:
    """The hip's position is not judged; its motion is measured on the bar instead."""
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
    view = classify_view(seen)
    assert bar_track(seen, compute_metrics(seen, "right"), hidden, view, LoadConfig()) is None


def test_no_bar_track_no_tempo_verdicts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a bar to stand in for the hidden hip, its motion is not judged either."""
    monkeypatch.setattr(pipeline, "bar_track", lambda *a: None)
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
    hidden = hip_hidden(replace(plated, plate_px=plate), "right")
    assert hidden.mean() < 0.1
    report = analyze_series(replace(plated, plate_px=plate), Config(), "circles")
    assert all(not r.not_judged for r in report.reps)


def test_a_plate_beside_the_hip_hides_nothing() -> None:
    series, _ = build_set([RepShape()] * 2)
    plate = np.tile([50.0, 50.0, 30.0], (len(series), 1))
    report = analyze_series(replace(series, plate_px=plate), Config(), "beside")
    assert all(not r.not_judged for r in report.reps)


def test_not_judged_in_every_output() -> None:
    series, _ = build_set([RepShape(), SHORT])
    report = analyze_series(_plated(series, 90.0), Config(), "plated")
    data = to_dict(report)
    assert data["schema_version"] == "1.1"
    assert data["reps"][1]["not_judged"]["incomplete_lockout"] == HIDDEN_HIP_REASON
    assert data["reps"][1]["peak_hip_extension_deg"] is None
    assert f"({HIDDEN_HIP_REASON})" in render_table(report)
    assert "not judged: incomplete_lockout, lumbar_hyperextension (" in render_table(report)
    assert data["bar"]["plate_cm"] == 45.0 and data["bar"]["metres_per_px"] > 0
    assert data["reps"][0]["bar"]["mean_velocity_m_s"] > 0
    assert data["reps"][0]["bar"]["rise_m"] > 0
    assert "concentric mean" in render_table(report)
    page = render_html(report, analysed_on=dt.date(2026, 1, 1))
    assert "not judged: <code>incomplete_lockout</code>" in page and HIDDEN_HIP_REASON in page
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
