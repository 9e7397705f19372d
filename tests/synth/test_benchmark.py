"""The benchmark set: size, tune/test balance, fault coverage, and labels the video bears out."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pytest

from formcheck.synth import FAULT_CODES, VARIATIONS, ClipSpec
from formcheck.synth.benchmark import CRF_RANGE, SPLITS, benchmark_specs, split_of
from formcheck.synth.motion import plan_reps, rig_for
from formcheck.synth.skeleton import FrameState, build_skeleton
from formcheck.synth.spec import CLEAN_MIN_DOWN_S, CLEAN_MIN_TOP_S

SPECS = benchmark_specs()
TOP_FAULTS = {"incomplete_lockout", "lumbar_hyperextension"}


def _view(spec: ClipSpec) -> str:
    yaw = spec.camera.yaw_deg
    return (
        "side" if yaw == 0 else "mild" if 15 <= yaw <= 25 else "steep" if 40 <= yaw <= 45 else "?"
    )


def _labels(spec: ClipSpec) -> list[tuple[str, ...]]:
    """Each rep's labelled faults (what labels.json will say), with the shins direction."""
    out = []
    for timing, rep in zip(plan_reps(spec), spec.reps, strict=True):
        out.append(
            tuple(f"{c}:{rep.shins}" if c == "shins_not_vertical" else c for c in timing.faults)
        )
    return out


def _by_split() -> dict[str, list[ClipSpec]]:
    return {s: [c for c in SPECS if split_of(c.name) == s] for s in SPLITS}


def test_size_and_names() -> None:
    assert len(SPECS) >= 48
    names = [s.name for s in SPECS]
    assert len(set(names)) == len(names)
    assert all(n.startswith(("tune_", "test_")) for n in names)
    assert Counter(split_of(n) for n in names) == {"tune": len(SPECS) // 2, "test": len(SPECS) // 2}
    assert split_of("test_003_side_left_ht.mp4") == "test"
    with pytest.raises(ValueError, match="not a benchmark clip name"):
        split_of("dev_clean_side")


def test_deterministic_for_a_seed() -> None:
    assert benchmark_specs(0) == SPECS
    other = benchmark_specs(1)
    assert other != SPECS
    assert [s.variation for s in other] == [s.variation for s in SPECS]  # same composition


def test_video_settings() -> None:
    for s in SPECS:
        assert (s.width, s.height, s.fps, s.noise_sigma) == (640, 360, 30.0, 2.0)
        assert CRF_RANGE[0] <= s.crf <= CRF_RANGE[1] and 3 <= len(s.reps) <= 4
        assert 0.9 <= s.body_scale <= 1.1
    assert len({s.crf for s in SPECS}) >= 6
    assert len({s.shirt_bgr for s in SPECS}) == len(SPECS)
    assert {s.background for s in SPECS} == {"wall", "plain"}
    assert any(s.lead_in_s > 0 for s in SPECS) and any(s.lead_out_s > 0 for s in SPECS)
    assert any(s.lead_in_s == 0 for s in SPECS)


def test_views() -> None:
    views = Counter(_view(s) for s in SPECS)
    assert "?" not in views
    assert 0.55 <= views["side"] / len(SPECS) <= 0.7
    assert views["mild"] >= 8 and views["steep"] >= 6


@pytest.mark.parametrize("split", SPLITS)
def test_each_split_covers_everything(split: str) -> None:
    specs = _by_split()[split]
    assert {s.variation for s in specs} == set(VARIATIONS)
    assert {(_view(s), s.camera.facing) for s in specs} == {
        (v, f) for v in ("side", "mild", "steep") for f in ("left", "right")
    }
    single = [s for s in specs if s.single_leg]
    assert {(s.variation, s.working_leg) for s in single} == {
        (v, leg) for v in VARIATIONS if v.startswith("single") for leg in ("left", "right")
    }
    assert {s.free_leg for s in single} == {"bent", "extended"}
    labels = Counter(f for s in specs for rep in _labels(s) for f in rep)
    codes = {c.split(":")[0] for c in labels}
    assert codes == set(FAULT_CODES) - {"knees_caving"}  # the frontal set's (below)
    # Each fault on at least 3 reps per split (6 in the set), shins both ways.
    for code in [*FAULT_CODES, "shins_not_vertical:close", "shins_not_vertical:far"]:
        if code in ("shins_not_vertical", "knees_caving"):
            continue
        assert labels[code] >= 3, code


def test_splits_hold_the_same_faults_in_the_same_numbers() -> None:
    split = _by_split()
    counts = [Counter(f for s in split[k] for rep in _labels(s) for f in rep) for k in SPLITS]
    assert counts[0] == counts[1]


def test_fault_mix() -> None:
    reps = [rep for s in SPECS for rep in _labels(s)]
    assert 0.35 <= sum(not r for r in reps) / len(reps) <= 0.45
    assert all(len(r) <= 2 for r in reps)
    assert sum(all(not r for r in _labels(s)) for s in SPECS) >= 4  # fully clean clips
    for s in SPECS:
        first = _labels(s)[0]
        assert "bounce" not in first and "range_drift" not in first, s.name
        if not s.single_leg:
            assert not any("pelvic_tilt_rotation" in r for r in _labels(s))


def test_clean_tempos_stay_clear_of_the_timing_limits() -> None:
    for s in SPECS:
        for rep in s.reps:
            assert 0.3 <= rep.bottom_s <= 1.3 and 0.8 <= rep.up_s <= 2.0
            if "rushed_eccentric" not in rep.faults:
                # rushed_eccentric: < 1.0 s or shorter than the concentric
                assert rep.down_s >= max(CLEAN_MIN_DOWN_S, rep.up_s + 0.25) and rep.down_s <= 3.8
            if "no_top_pause" not in rep.faults:
                assert CLEAN_MIN_TOP_S <= rep.top_s <= 2.2
    tempos = [r.up_s for s in SPECS for r in s.reps]
    assert min(tempos) < 1.0 and max(tempos) > 1.6


def test_single_leg_free_leg_is_on_the_far_side() -> None:
    for s in SPECS:
        if s.single_leg:
            assert s.working_leg == s.near_side, s.name


def _near_hip_rises(spec: ClipSpec) -> list[float]:
    """Each rep's rise of the camera-side hip, bottom to top (metres; what range_drift uses)."""
    rig = rig_for(spec)
    out = []
    for timing, rep in zip(plan_reps(spec), spec.reps, strict=True):
        f = timing.faults
        sign = (1.0 if rep.shins == "close" else -1.0) if "shins_not_vertical" in f else 0.0

        def hip_y(h: float, w: float, f: tuple[str, ...] = f, sign: float = sign) -> float:
            st = FrameState(
                h=h,
                arch_w=w * ("lumbar_hyperextension" in f),
                heel_w=w * ("heels_lifting" in f),
                pelvis_w=w * ("pelvic_tilt_rotation" in f),
                shin_sign=sign,
            )
            return float(build_skeleton(rig, st).points[f"{spec.near_side}_hip"][1])

        out.append(hip_y(timing.top_h, 1.0) - hip_y(0.0, 0.0))
    return out


def test_range_drift_labels_match_the_rendered_range() -> None:
    """A rep is labelled range_drift iff its rise is well short (< 85%) of the set's best rep."""
    for s in SPECS:
        rises = _near_hip_rises(s)
        labels = [t.faults for t in plan_reps(s)]
        good = [r for r, f in zip(rises, labels, strict=True) if not TOP_FAULTS & set(f)]
        best = max(good or rises)
        for rise, f in zip(rises, labels, strict=True):
            share = rise / best
            if "range_drift" in f:
                assert share < 0.75, (s.name, f, share)
            else:
                assert share > 0.9, (s.name, f, share)


def test_edited_clips_cut_between_reps_to_another_view() -> None:
    """Each edited cell's cut falls in a bottom pause (where editors cut), at least 0.2 s before
    the next rise, to a view of the other family (side <-> mild oblique); cards last 1.2-2 s."""
    edited = [s for s in SPECS if s.cut_camera is not None or s.title_s or s.end_card_s]
    assert len(edited) == 6
    assert {split_of(s.name) for s in edited} == set(SPLITS)
    for s in edited:
        if s.cut_s is not None and s.cut_camera is not None:
            pauses = [(r.bottom_start_s, r.up_start_s) for r in plan_reps(s)]
            assert any(a < s.cut_s <= b - 0.2 for a, b in pauses), s.name
            assert _view(s) != _view(replace(s, camera=s.cut_camera)), s.name
            assert s.cut_camera.facing == s.camera.facing
        for card in (s.title_s, s.end_card_s):
            assert card == 0 or 1.2 <= card <= 2.0
    assert sum(s.cut_s is not None for s in edited) == 4
    assert sum(s.title_s > 0 for s in edited) == 4


FRONTAL = benchmark_specs(frontal=True)


def test_the_frontal_set_looks_along_the_body_and_steeply_oblique() -> None:
    """Issue 20: the pelvis and the knees' width, from the feet, the head and 60-75 deg."""
    names = [s.name for s in FRONTAL]
    assert len(set(names) | {s.name for s in SPECS}) == len(names) + len(SPECS)
    assert benchmark_specs(0, frontal=True) == FRONTAL
    views = Counter(s.view for s in FRONTAL)
    assert views["front (from the feet)"] >= 10 and views["from the head"] >= 4
    assert sum(n for v, n in views.items() if v.startswith("oblique")) >= 6
    for s in FRONTAL:
        yaw, cam = abs(s.camera.yaw_deg), s.camera
        assert 60 <= yaw <= 90 and cam.aim_height_m is not None
        assert cam.aim_height_m < cam.height_m  # a raised camera tilted down at the body
        if s.camera.yaw_deg < 0:
            assert not s.on_bench  # from the head a bench hides a hip thrust
    for split in SPLITS:
        reps = [r for s in FRONTAL if split_of(s.name) == split for r in s.reps]
        got = Counter(c for r in reps for c in r.faults)
        assert got["pelvic_tilt_rotation"] >= 8 and got["knees_caving"] >= 8
        assert sum(not r.faults for r in reps) >= 20  # clean reps to count false findings on
    for s in FRONTAL:
        codes = {c for r in s.reps for c in r.faults}
        assert codes <= ({"pelvic_tilt_rotation"} | (set() if s.single_leg else {"knees_caving"}))
    two_leg_drops = [s for s in FRONTAL if not s.single_leg and s.camera.yaw_deg > 80]
    assert sum("pelvic_tilt_rotation" in r.faults for s in two_leg_drops for r in s.reps) >= 6
    legs = Counter(s.working_leg for s in FRONTAL if s.single_leg)
    assert legs["left"] >= 3 and legs["right"] >= 3
