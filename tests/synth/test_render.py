"""Synthetic clip renderer: video, ground truth, labels and fault magnitudes (no MediaPipe)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from formcheck.landmarks.names import Landmark
from formcheck.synth import CameraSpec, ClipSpec, RepSpec, ground_truth, render_clips
from formcheck.synth import faults as fx
from formcheck.synth.motion import build_timeline, n_frames
from formcheck.synth.render import labels_entry
from formcheck.synth.skeleton import FrameState, Rig, build_skeleton

TINY = {"width": 320, "height": 180, "fps": 10.0}
FAST = RepSpec(bottom_s=0.3, up_s=0.6, top_s=0.8, down_s=1.2)
Rendered = tuple[Path, list[dict[str, Any]], list[ClipSpec]]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    out = tmp_path_factory.mktemp("synth")
    reps = (FAST, RepSpec(0.3, 0.6, 0.8, 1.2, faults=("incomplete_lockout",)))
    specs = [
        ClipSpec("left", reps, camera=CameraSpec(facing="left"), lead_in_s=0.3, **TINY),
        ClipSpec("right", reps, camera=CameraSpec(facing="right", yaw_deg=25), **TINY),
    ]
    entries = render_clips(specs, out, workers=2, progress=False)
    return out, entries, specs


def test_video_decodes_with_expected_frames(rendered: Rendered) -> None:
    out, _, specs = rendered
    for spec in specs:
        cap = cv2.VideoCapture(str(out / f"{spec.name}.mp4"))
        try:
            count = 0
            while True:
                ok, frame = cap.read()
                if not ok:
                    break
                assert frame.shape == (180, 320, 3)
                count += 1
            assert count == n_frames(spec)
            assert cap.get(cv2.CAP_PROP_FPS) == pytest.approx(10.0)
        finally:
            cap.release()


def test_gt_arrays_have_right_shapes(rendered: Rendered) -> None:
    out, _, specs = rendered
    for spec in specs:
        gt = np.load(out / f"{spec.name}_gt.npz")
        t = n_frames(spec)
        assert gt["h"].shape == (t,) and gt["rep"].shape == (t,) and gt["phase"].shape == (t,)
        assert gt["gt_px"].shape == (t, 33, 2)
        assert gt["hip_angle_deg"].shape == (t,) and gt["shin_deg"].shape == (t,)
        assert set(gt["phase"]) <= {"bottom", "up", "top", "down"}
        assert np.isnan(gt["gt_px"][:, 17:23]).all()  # no hand landmarks
        assert not np.isnan(gt["gt_px"][:, 23:33]).any()


def test_labels_json_matches_returned_entries(rendered: Rendered) -> None:
    out, entries, _ = rendered
    assert json.loads((out / "labels.json").read_text()) == entries
    assert [e["file"] for e in entries] == ["left.mp4", "right.mp4"]
    assert [e["view"] for e in entries] == ["side", "oblique25"]
    for e in entries:
        assert e["reps"] == 2 and e["load"] == "bodyweight" and e["mirrored"] is False
        assert [r["faults"] for r in e["rep_details"]] == [[], ["incomplete_lockout"]]


@pytest.mark.parametrize(
    ("facing", "near_side"),
    [
        ("left", "right"),  # head to the image's left: lying face up, the right side faces us
        ("right", "left"),  # mirrored set-up: the left side faces us
    ],
)
def test_near_side_flips_with_facing(facing: str, near_side: str) -> None:
    spec = ClipSpec("n", (FAST,), camera=CameraSpec(facing=facing), **TINY)
    assert labels_entry(spec, build_timeline(spec))["near_side"] == near_side
    gt = ground_truth(spec)["gt_px"]
    near, far = (23, 24) if near_side == "left" else (24, 23)
    # the head (nose) is on the facing side of the hips, and near and far hips differ
    nose_x, hip_x = gt[:, 0, 0], gt[:, near, 0]
    assert (nose_x < hip_x).all() if facing == "left" else (nose_x > hip_x).all()
    assert not np.allclose(gt[:, near], gt[:, far])


@pytest.mark.parametrize(
    ("rep", "expect"),
    [
        # clean rep: phases in spec order, lockout mid-hold
        (RepSpec(0.8, 1.0, 1.5, 1.6), {"start": 0.0, "lockout": 2.55, "end": 4.9}),
        # rushed eccentric: descent forced to RUSHED_DOWN_S
        (
            RepSpec(0.8, 1.0, 1.5, 1.6, faults=("rushed_eccentric",)),
            {"start": 0.0, "lockout": 2.55, "end": 3.3 + fx.RUSHED_DOWN_S},
        ),
        # no top pause: lockout is the end of the concentric
        (
            RepSpec(0.8, 1.0, 1.5, 1.6, faults=("no_top_pause",)),
            {"start": 0.0, "lockout": 1.8, "end": 3.4},
        ),
        # bounce: no bottom pause
        (
            RepSpec(0.8, 1.0, 1.5, 1.6, faults=("bounce",)),
            {"start": 0.0, "lockout": 1.75, "end": 4.1},
        ),
    ],
)
def test_rep_timings_match_spec(rep: RepSpec, expect: dict[str, float]) -> None:
    lead = 0.5
    spec = ClipSpec("t", (FAST, rep), lead_in_s=lead, **TINY)
    first = 0.3 + 0.6 + 0.8 + 1.2
    d = labels_entry(spec, build_timeline(spec))["rep_details"]
    assert d[0]["start_s"] == pytest.approx(lead)
    assert d[1]["start_s"] == pytest.approx(lead + first + expect["start"], abs=1e-3)
    assert d[1]["lockout_s"] == pytest.approx(lead + first + expect["lockout"], abs=1e-3)
    assert d[1]["end_s"] == pytest.approx(lead + first + expect["end"], abs=1e-3)
    assert [r["index"] for r in d] == [1, 2]


def test_faults_land_on_the_right_reps() -> None:
    faults: list[tuple[str, ...]] = [
        (),
        ("lumbar_hyperextension",),
        (),
        ("neck_craning", "heels_lifting"),
        ("range_drift",),
    ]
    spec = ClipSpec("f", tuple(RepSpec(faults=f) for f in faults), **TINY)
    got = [r["faults"] for r in labels_entry(spec, build_timeline(spec))["rep_details"]]
    # range_drift lowers the top, so that rep also shows an incomplete lockout
    assert got == [
        [],
        ["lumbar_hyperextension"],
        [],
        ["neck_craning", "heels_lifting"],
        ["incomplete_lockout", "range_drift"],
    ]


def _rep_values(spec: ClipSpec, key: str) -> list[np.ndarray]:
    gt = ground_truth(spec)
    return [gt[key][gt["rep"] == r] for r in range(len(spec.reps))]


@pytest.mark.parametrize(
    ("faults", "facing", "yaw_deg", "check"),
    [
        # clean lockout: shoulder, hip and knee in line
        ((), "left", 0.0, lambda a: abs(a - 180.0) < 2.0),
        ((), "right", 0.0, lambda a: abs(a - 180.0) < 2.0),
        # lumbar arch lifts the hips above the shoulder-knee line
        (("lumbar_hyperextension",), "left", 0.0, lambda a: 200.0 < a < 215.0),
        (("lumbar_hyperextension",), "right", 25.0, lambda a: a > 195.0),
        # partial rep stops well short of the line
        (("incomplete_lockout",), "left", 0.0, lambda a: 138.0 < a < 152.0),
        (("incomplete_lockout",), "right", 25.0, lambda a: a < 160.0),
        # heels lifting and neck craning leave the lockout straight
        (("heels_lifting",), "left", 0.0, lambda a: abs(a - 180.0) < 3.0),
        (("neck_craning",), "left", 0.0, lambda a: abs(a - 180.0) < 2.0),
    ],
)
def test_gt_hip_angle_at_the_top(
    faults: tuple[str, ...], facing: str, yaw_deg: float, check: Callable[[float], bool]
) -> None:
    spec = ClipSpec("a", (RepSpec(faults=faults),), camera=CameraSpec(yaw_deg, facing), **TINY)
    peak = float(_rep_values(spec, "hip_angle_deg")[0].max())
    assert check(peak), peak


@pytest.mark.parametrize(
    ("variation", "working_leg"),
    [
        ("hip_thrust", None),  # shoulders on the bench: widest range
        ("glute_bridge", None),  # shoulders on the floor: narrower range, same rule
        ("single_leg_hip_thrust", "right"),  # measured on the working leg
    ],
)
def test_partial_reps_across_variations(variation: str, working_leg: str | None) -> None:
    reps = (
        RepSpec(),
        RepSpec(faults=("range_drift",)),
        RepSpec(faults=("incomplete_lockout",)),
    )
    spec = ClipSpec("r", reps, variation=variation, working_leg=working_leg, **TINY)
    key = "working_hip_angle_deg" if working_leg else "hip_angle_deg"
    best, drift, partial = _rep_values(spec, key)
    assert abs(best.max() - 180.0) < 2.0
    # range drift: range under 80% of the best rep, and the peak is short of lockout too
    assert (drift.max() - drift.min()) < 0.8 * (best.max() - best.min())
    assert drift.max() < 162.0
    assert 140.0 < partial.max() < 150.0


@pytest.mark.parametrize(
    ("shins", "lo", "hi"),
    [
        # feet too close: knees well ahead of the ankles at lockout
        ("close", 24.0, 32.0),
        # feet too far: ankles ahead of the knees
        ("far", -32.0, -24.0),
    ],
)
def test_shins_not_vertical_at_lockout(shins: str, lo: float, hi: float) -> None:
    reps = (RepSpec(), RepSpec(faults=("shins_not_vertical",), shins=shins))
    spec = ClipSpec("s", reps, **TINY)
    gt = ground_truth(spec)
    top = gt["phase"] == "top"
    clean = gt["shin_deg"][top & (gt["rep"] == 0)]
    bad = gt["shin_deg"][top & (gt["rep"] == 1)]
    assert np.abs(clean).max() < 3.0
    assert lo < bad.mean() < hi


def test_heels_lift_while_toes_stay_down() -> None:
    rig = Rig("hip_thrust", None, "bent", 1.0)
    flat = build_skeleton(rig, FrameState(h=1.0)).points
    lifted = build_skeleton(rig, FrameState(h=1.0, heel_w=1.0)).points
    rise = lifted["right_heel"][1] - flat["right_heel"][1]
    assert 0.04 <= rise <= 0.06
    assert abs(lifted["right_foot_index"][1] - flat["right_foot_index"][1]) < 0.015
    assert lifted["right_ankle"][1] > flat["right_ankle"][1] + 0.02


def _head_vs_thorax_deg(points: dict[str, np.ndarray], face: np.ndarray) -> float:
    thorax = points["waist"] - points["shoulder_mid"]
    belly = np.array([-thorax[1], thorax[0]])
    return float(np.degrees(np.arctan2(-face[0] * belly[1] + face[1] * belly[0], face[:2] @ belly)))


def test_neck_craning_extends_the_head() -> None:
    rig = Rig("hip_thrust", None, "bent", 1.0)
    neutral = build_skeleton(rig, FrameState(h=1.0))
    craned = build_skeleton(rig, FrameState(h=1.0, crane_w=1.0))
    a0 = _head_vs_thorax_deg(neutral.points, neutral.head_face)
    a1 = _head_vs_thorax_deg(craned.points, craned.head_face)
    assert a0 == pytest.approx(fx.HEAD_NEUTRAL_DEG, abs=0.5)
    assert 35.0 <= a1 <= 45.0


@pytest.mark.parametrize("working_leg", ["left", "right"])
def test_pelvis_drops_on_the_free_side(working_leg: str) -> None:
    rig = Rig("single_leg_hip_thrust", working_leg, "bent", 1.0)
    p = build_skeleton(rig, FrameState(h=1.0, pelvis_w=1.0)).points
    free = "right" if working_leg == "left" else "left"
    d = p[f"{free}_hip"] - p[f"{working_leg}_hip"]
    drop_deg = np.degrees(np.arctan2(-d[1], abs(d[2])))
    assert 12.0 <= drop_deg <= 15.0


@pytest.mark.parametrize("variation", ["hip_thrust", "glute_bridge"])
def test_knees_cave_towards_the_mid_line_at_the_top(variation: str) -> None:
    """Clean knees stay outside the feet; caving knees end well inside the 0.9 limit."""
    spec = ClipSpec(
        "k",
        (FAST, replace(FAST, faults=("knees_caving",))),
        variation=variation,
        width=320,
        height=180,
    )
    gt = ground_truth(spec)
    top = gt["phase"] == "top"
    clean, caved = (np.median(gt["knee_ankle_ratio"][top & (gt["rep"] == k)]) for k in (0, 1))
    assert clean > 1.1
    assert 0.55 <= caved <= 0.8
    bottom = (gt["phase"] == "bottom") & (gt["rep"] == 1)
    assert np.median(gt["knee_ankle_ratio"][bottom]) > 1.05  # caving comes with the rise
    assert np.allclose(gt["pelvic_obliquity_deg"][gt["rep"] >= 0], 0.0, atol=1e-6)


def test_a_two_leg_pelvis_drops_on_the_left_with_the_feet_planted() -> None:
    rig = Rig("hip_thrust", None, "bent", 1.0)
    level = build_skeleton(rig, FrameState(h=1.0)).points
    p = build_skeleton(rig, FrameState(h=1.0, pelvis_w=1.0)).points
    d = p["right_hip"] - p["left_hip"]
    assert np.degrees(np.arctan2(d[1], abs(d[2]))) == pytest.approx(fx.PELVIS_DROP_DEG)
    assert np.allclose(p["right_hip"], level["right_hip"])
    for side in ("left", "right"):
        assert np.allclose(p[f"{side}_ankle"], level[f"{side}_ankle"])
        thigh = np.linalg.norm(p[f"{side}_knee"] - p[f"{side}_hip"])
        assert thigh == pytest.approx(np.linalg.norm(level[f"{side}_knee"] - level[f"{side}_hip"]))


def test_pelvic_truth_follows_the_drop() -> None:
    spec = ClipSpec(
        "p",
        (FAST, replace(FAST, faults=("pelvic_tilt_rotation",))),
        variation="single_leg_hip_thrust",
        working_leg="right",
        width=320,
        height=180,
    )
    gt = ground_truth(spec)
    top = gt["phase"] == "top"
    obl = gt["pelvic_obliquity_deg"]
    assert np.median(obl[top & (gt["rep"] == 0)]) == pytest.approx(0.0, abs=1e-6)
    # the free (left) hip drops: the right hip is the higher one, by the rendered drop
    assert np.median(obl[top & (gt["rep"] == 1)]) == pytest.approx(fx.PELVIS_DROP_DEG, abs=0.5)
    assert np.allclose(gt["pelvic_rotation_deg"][gt["rep"] >= 0], 0.0, atol=1e-6)
    assert gt["gt_world_m"].shape == (*gt["gt_px"].shape[:2], 3)


@pytest.mark.parametrize("yaw", [90.0, -90.0, 70.0])
def test_a_camera_along_the_body_aims_down_at_it(yaw: float) -> None:
    """From the feet or the head (or steeply oblique), a raised camera aimed low sees the
    pelvis in the middle of the picture, left and right hips apart across it."""
    spec = ClipSpec(
        "a",
        (FAST,),
        variation="glute_bridge",
        camera=CameraSpec(yaw_deg=yaw, height_m=1.2, aim_height_m=0.25),
        width=320,
        height=180,
    )
    gt = ground_truth(spec)["gt_px"]
    lh, rh = gt[:, int(Landmark.LEFT_HIP)], gt[:, int(Landmark.RIGHT_HIP)]
    assert np.all((lh > 0) & (lh < (320, 180))) and np.all((rh > 0) & (rh < (320, 180)))
    across = np.abs(lh[:, 0] - rh[:, 0]) / np.abs(lh[:, 1] - rh[:, 1]).clip(1e-6)
    assert np.median(across) > 5.0  # the hip line is nearly level in the image
    with pytest.raises(ValueError, match="aim_height_m"):
        CameraSpec(yaw_deg=yaw, height_m=1.0, aim_height_m=1.5)


def test_timing_faults_shape_the_motion() -> None:
    reps = (FAST, RepSpec(faults=("bounce",)), RepSpec(faults=("rushed_eccentric", "no_top_pause")))
    spec = ClipSpec("m", reps, fps=30.0, width=320, height=180)
    tl = build_timeline(spec)
    v = np.gradient(tl.h) * spec.fps
    b = int(round(tl.reps[1].up_start_s * spec.fps))
    # bounce: fast on the way into the bottom, fast on the way out, no frames held there
    assert v[b - 2] < -0.8 and v[b + 1] > 0.8
    assert not ((tl.rep == 1) & (tl.phase == "bottom")).any()
    r2 = tl.rep == 2
    assert np.sum(r2 & (tl.phase == "down")) / spec.fps == pytest.approx(fx.RUSHED_DOWN_S, abs=0.04)
    assert not (r2 & (tl.phase == "top")).any()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        # unknown variation
        ({"reps": (RepSpec(),), "variation": "squat"}, "variation"),
        # single-leg variations need a working leg
        ({"reps": (RepSpec(),), "variation": "single_leg_hip_thrust"}, "working_leg"),
        # caving knees need two legs down
        (
            {
                "reps": (RepSpec(faults=("knees_caving",)),),
                "variation": "single_leg_glute_bridge",
                "working_leg": "left",
            },
            "two-leg",
        ),
        # H.264 needs even sizes
        ({"reps": (RepSpec(),), "width": 321}, "even"),
        # a load the renderer does not draw
        ({"reps": (RepSpec(),), "load": "kettlebell"}, "load must be one of"),
        # a cut needs its camera, and keeps the lifter's side
        ({"reps": (RepSpec(),), "cut_s": 2.0}, "go together"),
        (
            {"reps": (RepSpec(),), "cut_s": 2.0, "cut_camera": CameraSpec(facing="right")},
            "same side",
        ),
        # a cut inside the title card
        (
            {"reps": (RepSpec(),), "cut_s": 1.0, "cut_camera": CameraSpec(), "title_s": 1.5},
            "after the title",
        ),
        ({"reps": (RepSpec(),), "end_card_s": -1.0}, "end_card_s"),
    ],
)
def test_clip_spec_rejects_bad_input(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ClipSpec("bad", **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        # unknown fault code
        ({"faults": ("wobble",)}, "unknown fault"),
        # a quick descent must be labelled rushed
        ({"down_s": 0.6}, "rushed"),
        # a short hold must be labelled no_top_pause
        ({"top_s": 0.2}, "no_top_pause"),
    ],
)
def test_rep_spec_rejects_unlabelled_faults(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        RepSpec(**kwargs)


def test_bounce_on_first_rep_drops_in_during_the_lead_in() -> None:
    spec = ClipSpec(
        "b", (RepSpec(faults=("bounce",)),), lead_in_s=1.0, fps=30.0, width=320, height=180
    )
    tl = build_timeline(spec)
    lead = tl.rep == -1
    assert tl.h[0] == pytest.approx(fx.BOUNCE_SET_H)  # hips held up, then dropped
    assert set(tl.phase[lead & (tl.t_s >= 1.0 - fx.BOUNCE_DROP_S + 0.05)]) == {"down"}
    v = np.gradient(tl.h) * spec.fps
    b = int(round(1.0 * spec.fps))
    assert v[b - 2] < -0.5 and v[b + 1] > 0.8


@pytest.mark.parametrize(
    ("yaw_deg", "view"),
    [
        (0.0, "side"),  # pure side view
        (25.0, "oblique25"),  # turned towards the feet
        (-20.0, "oblique20_head"),  # turned towards the head end
        (88.0, "front (from the feet)"),  # looking along the body
        (-90.0, "from the head"),
    ],
)
def test_view_label(yaw_deg: float, view: str) -> None:
    assert ClipSpec("v", (FAST,), camera=CameraSpec(yaw_deg=yaw_deg)).view == view


@pytest.mark.parametrize(
    ("load", "yaw", "hidden"),
    [
        ("barbell", 0.0, True),
        ("barbell", 20.0, True),
        ("barbell", 40.0, False),
        ("dumbbell", 0, None),
    ],
)
def test_a_load_rests_on_the_hips_and_hides_the_near_hip(
    load: str, yaw: float, hidden: bool | None
) -> None:
    """The bar lies across the hip crease in every frame (its truth rises and falls with the
    hips); from the side and a mild oblique a plate's disc is drawn over the near hip as on
    real barbell clips, at the bottom and at the top; from 40 deg it has moved off it."""
    from formcheck.synth.load import PLATE_BGR
    from formcheck.synth.render import _prepare, render_frame

    light: dict[str, Any] = {"shorts_bgr": (190, 190, 200), "shirt_bgr": (200, 180, 170)}
    spec = ClipSpec("load", (FAST,), load=load, camera=CameraSpec(yaw_deg=yaw), **light, **TINY)
    gt = ground_truth(spec)
    hip = gt["gt_px"][:, 24]  # RIGHT_HIP: the near side of a clip facing left
    bar, height = gt["bar_px"], gt["bar_height_m"]
    assert np.isfinite(bar).all() and np.isfinite(height).all()
    assert np.corrcoef(height, -hip[:, 1])[0, 1] > 0.99  # the bar moves with the hips
    assert labels_entry(spec, build_timeline(spec))["load"] == load
    if hidden is None:
        return
    for kind, covered in (("barbell", hidden), ("none", False)):  # light shorts: not the plate
        clip = _prepare(replace(spec, load=kind))
        for i in (0, int(np.argmax(gt["h"]))):
            img = render_frame(clip, i).astype(float)
            x, y = np.round(hip[i]).astype(int)
            plate = np.abs(img[y - 1 : y + 2, x - 1 : x + 2] - PLATE_BGR).max() < 40
            assert plate == covered, (kind, i)


def test_no_load_has_no_bar_truth_and_is_bodyweight() -> None:
    spec = ClipSpec("free", (FAST,), **TINY)
    assert "bar_px" not in ground_truth(spec)
    assert labels_entry(spec, build_timeline(spec))["load"] == "bodyweight"


def test_an_edited_clip_has_cards_a_cut_and_their_truth() -> None:
    """A title card, a cut to a 25 deg view between reps, a black end card: the card frames
    show nobody (no landmark truth, outside every rep), the cut moves the figure in the picture
    from one frame to the next, and labels.json says where each new shot starts."""
    from formcheck.synth.render import _prepare, render_frame, shot_changes
    from formcheck.video.cuts import ContentChange

    reps = (FAST, FAST, FAST)
    spec = ClipSpec(
        "edited",
        reps,
        camera=CameraSpec(facing="left"),
        cut_s=4.0,
        cut_camera=CameraSpec(facing="left", yaw_deg=25, distance_m=2.5),
        title_s=1.5,
        end_card_s=1.2,
        **TINY,
    )
    tl = build_timeline(spec)
    assert tl.reps[0].bottom_start_s == pytest.approx(1.5)  # the set starts after the title
    assert n_frames(spec) == round((1.5 + 3 * 2.9 + 1.2) * spec.fps)
    assert shot_changes(tl) == [1.5, 4.0, pytest.approx(1.5 + 3 * 2.9)]
    entry = labels_entry(spec, tl)
    assert entry["cuts_s"] == shot_changes(tl) and entry["reps"] == 3
    assert "title card" in entry["notes"] and "black card" in entry["notes"]
    gt = ground_truth(spec)
    card = gt["shot"] < 0
    assert card.sum() == round(1.5 * spec.fps) + round(1.2 * spec.fps)
    assert np.isnan(gt["gt_px"][card]).all() and (gt["rep"][card] == -1).all()
    assert np.isfinite(gt["gt_px"][~card][:, 24]).all()
    first, second = (gt["shot"] == 0), (gt["shot"] == 1)
    i = int(np.flatnonzero(second)[0])
    assert first[i - 1] and np.linalg.norm(gt["gt_px"][i, 24] - gt["gt_px"][i - 1, 24]) > 10

    clip = _prepare(spec)
    change = ContentChange()
    frames = {k: render_frame(clip, k) for k in (0, i - 2, i - 1, i, n_frames(spec) - 1)}
    assert frames[0].std() > 10  # the title's text
    assert frames[n_frames(spec) - 1].max() == 0  # black
    change(frames[i - 2])
    still = change(frames[i - 1])
    assert change(frames[i]) > max(0.05, 4 * still)  # mid-descent at 10 fps: motion is 0.025


def test_a_cut_after_the_set_is_refused() -> None:
    cut = {"cut_s": 30.0, "cut_camera": CameraSpec(yaw_deg=20)}
    with pytest.raises(ValueError, match="after the set ends"):
        build_timeline(ClipSpec("late", (FAST,), **cut, **TINY))
