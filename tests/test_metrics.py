"""Per-frame metrics (formcheck.analysis.metrics): known angles and geometric invariants.

Property tests are seeded; angles are compared on the circle (0 and 360 deg are the same
direction, which matters only for degenerate poses with the hip on the shoulder-knee line).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, seed, settings
from hypothesis import strategies as st

from formcheck.analysis.metrics import (
    angle_at,
    compute_metrics,
    face_pitch_deg,
    foot_pitch_deg,
    hip_extension_deg,
    line_tilt_deg,
    neck_deg,
    point,
    shin_deg,
    signed_offset,
)
from formcheck.landmarks.names import N_LANDMARKS, SWAP, Landmark, joint
from formcheck.landmarks.series import PoseSeries

SEED = 20240611
PROPERTY = settings(deadline=None, max_examples=50)

coord = st.floats(min_value=0.0, max_value=1000.0, allow_nan=False)
pt = st.tuples(coord, coord)
shift = st.tuples(
    st.floats(min_value=-500.0, max_value=500.0), st.floats(min_value=-500.0, max_value=500.0)
)
scale = st.floats(min_value=0.1, max_value=10.0)


def _p(*xy: tuple[float, float]) -> list[np.ndarray]:
    """Each (x, y) as a (1, 2) array: one frame."""
    return [np.array([v], dtype=float) for v in xy]


def _distinct(*points: tuple[float, float], min_px: float = 5.0) -> bool:
    return all(math.dist(a, b) >= min_px for i, a in enumerate(points) for b in points[i + 1 :])


def _angle_diff(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Smallest difference between two angles in degrees, in [0, 180]."""
    return np.abs((np.asarray(a) - np.asarray(b) + 180.0) % 360.0 - 180.0)


def _transform(points: list[tuple[float, float]], s: float, d: tuple[float, float]) -> list:
    return [(s * x + d[0], s * y + d[1]) for x, y in points]


def _mirror(points: list[tuple[float, float]], width: float = 1000.0) -> list:
    return [(width - x, y) for x, y in points]


# Each metric as (name, function of three points); the points are generated in this order.
THREE_POINT_METRICS = [
    ("hip_extension_deg", lambda sh, hip, knee: hip_extension_deg(sh, hip, knee)),
    ("knee_angle_deg", lambda hip, knee, ankle: angle_at(hip, knee, ankle)),
    ("neck_deg", lambda hip, sh, ear: neck_deg(hip, sh, ear)),
]


# --- invariants ---------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "metric"), THREE_POINT_METRICS)
@seed(SEED)
@PROPERTY
@given(a=pt, b=pt, c=pt, s=scale, d=shift)
def test_three_point_metrics_ignore_translation_and_scale(
    name: str, metric, a, b, c, s: float, d: tuple[float, float]
) -> None:
    assume(_distinct(a, b, c))
    before = metric(*_p(a, b, c))
    after = metric(*_p(*_transform([a, b, c], s, d)))
    assert _angle_diff(before, after)[0] < 1e-4, name


@seed(SEED)
@PROPERTY
@given(knee=pt, ankle=pt, s=scale, d=shift, feet_dir=st.sampled_from([-1.0, 1.0]))
def test_shin_ignores_translation_and_scale(knee, ankle, s, d, feet_dir: float) -> None:
    assume(_distinct(knee, ankle))
    before = shin_deg(*_p(knee, ankle), feet_dir)
    after = shin_deg(*_p(*_transform([knee, ankle], s, d)), feet_dir)
    assert _angle_diff(before, after)[0] < 1e-4


@pytest.mark.parametrize(("name", "metric"), THREE_POINT_METRICS)
@seed(SEED)
@PROPERTY
@given(a=pt, b=pt, c=pt)
def test_three_point_metrics_ignore_a_horizontal_mirror(name: str, metric, a, b, c) -> None:
    # x -> W - x keeps "image-up", so which side of a line the hip or ear is stays the same;
    # a line exactly vertical has no up side, so those are left out
    assume(_distinct(a, b, c))
    assume(abs(a[0] - c[0]) > 1.0 and abs(a[0] - b[0]) > 1.0)
    before = metric(*_p(a, b, c))
    after = metric(*_p(*_mirror([a, b, c])))
    assert _angle_diff(before, after)[0] < 1e-4, name


@seed(SEED)
@PROPERTY
@given(knee=pt, ankle=pt, feet_dir=st.sampled_from([-1.0, 1.0]))
def test_shin_ignores_a_mirror_because_feet_dir_flips(knee, ankle, feet_dir: float) -> None:
    assume(_distinct(knee, ankle))
    before = shin_deg(*_p(knee, ankle), feet_dir)
    after = shin_deg(*_p(*_mirror([knee, ankle])), -feet_dir)  # the feet now point the other way
    assert _angle_diff(before, after)[0] < 1e-4


@seed(SEED)
@PROPERTY
@given(left=pt, right=pt)
def test_line_tilt_flips_sign_when_left_and_right_trade_places(left, right) -> None:
    # a mirrored person: MediaPipe's left hip is now where the right one was (mirrored)
    assume(_distinct(left, right))
    before = line_tilt_deg(*_p(left, right))
    after = line_tilt_deg(*_p(*_mirror([right, left])))
    np.testing.assert_allclose(after, -before, atol=1e-6)


# --- hip extension: the 180 line and known angles -----------------------------------------


@seed(SEED)
@PROPERTY
@given(
    sh=pt,
    knee=pt,
    t=st.floats(min_value=0.1, max_value=0.9),
    off=st.floats(min_value=2.0, max_value=300.0),
)
def test_hip_extension_is_180_on_the_line_and_splits_by_side(sh, knee, t: float, off) -> None:
    # a shoulder-knee line that is not steep (the lifter lies roughly horizontal)
    dx, dy = knee[0] - sh[0], knee[1] - sh[1]
    assume(abs(dx) > 50.0 and abs(dy) < abs(dx))
    on_line = (sh[0] + t * dx, sh[1] + t * dy)
    below = (on_line[0], on_line[1] + off)  # image y grows downwards
    above = (on_line[0], on_line[1] - off)
    assert abs(hip_extension_deg(*_p(sh, on_line, knee))[0] - 180.0) < 1e-4
    assert hip_extension_deg(*_p(sh, below, knee))[0] < 180.0
    assert hip_extension_deg(*_p(sh, above, knee))[0] > 180.0
    assert signed_offset(*_p(below, sh, knee))[0] == pytest.approx(
        -signed_offset(*_p(above, sh, knee))[0]
    )


@pytest.mark.parametrize(
    ("shoulder", "hip", "knee", "expected"),
    [
        # straight line, head left: hips in line with shoulders and knees
        ((0, 100), (100, 100), (200, 100), 180.0),
        # straight line, head right (mirror of the above)
        ((200, 100), (100, 100), (0, 100), 180.0),
        # knee straight above the hip: hips flexed 90 deg (bottom of a rep)
        ((0, 100), (100, 100), (100, 0), 90.0),
        # thigh rising at 45 deg: 135 deg of hip flexion
        ((0, 100), (100, 100), (200, 0), 135.0),
        # hips pushed 10 deg above a level shoulder-knee line on each side: 200 deg
        ((0, 100), (100, 100 - 100 * math.tan(math.radians(10))), (200, 100), 200.0),
        # the same, 10 deg below the line: 160 deg (short of lockout)
        ((0, 100), (100, 100 + 100 * math.tan(math.radians(10))), (200, 100), 160.0),
        # hip far above both: 270 deg
        ((0, 100), (100, 0), (200, 100), 270.0),
        # sloped line (shoulders on a bench above the knees' level), hip on it: 180 deg
        ((0, 50), (100, 100), (200, 150), 180.0),
    ],
)
def test_hip_extension_known_angles(shoulder, hip, knee, expected: float) -> None:
    assert hip_extension_deg(*_p(shoulder, hip, knee))[0] == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize(
    ("hip", "knee", "ankle", "expected"),
    [
        ((0, 0), (100, 0), (200, 0), 180.0),  # straight leg
        ((0, 0), (100, 0), (100, 100), 90.0),  # shin vertical, thigh horizontal
        ((0, 100), (100, 0), (200, 100), 90.0),  # knee up, both segments at 45 deg
        ((0, 0), (100, 0), (0, 0.0001), 0.0),  # fully folded (degenerate, still finite)
    ],
)
def test_knee_angle_known_values(hip, knee, ankle, expected: float) -> None:
    assert angle_at(*_p(hip, knee, ankle))[0] == pytest.approx(expected, abs=1e-3)


@pytest.mark.parametrize(
    ("knee", "ankle", "feet_dir", "expected"),
    [
        ((100, 0), (100, 100), 1.0, 0.0),  # shin vertical
        ((110, 0), (100, 100), 1.0, math.degrees(math.atan(0.1))),  # knee past the ankle
        ((90, 0), (100, 100), 1.0, -math.degrees(math.atan(0.1))),  # ankle past the knee
        ((90, 0), (100, 100), -1.0, math.degrees(math.atan(0.1))),  # same, feet to the left
        ((200, 0), (100, 100), 1.0, 45.0),  # shin at 45 deg towards the feet
    ],
)
def test_shin_known_values(knee, ankle, feet_dir: float, expected: float) -> None:
    assert shin_deg(*_p(knee, ankle), feet_dir)[0] == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize(
    ("hip", "shoulder", "ear", "expected"),
    [
        # head in line with a horizontal trunk (head to the left): neutral
        ((100, 100), (0, 100), (-30, 100), 0.0),
        # lying face up, ear 45 deg above the trunk line (head lifted): chin tucked, negative
        ((100, 100), (0, 100), (-30, 70), -45.0),
        # ear 45 deg below the trunk line (head dropped back): extension, positive
        ((100, 100), (0, 100), (-30, 130), 45.0),
        # mirrored lifter (head to the right), head lifted: still chin tucked
        ((0, 100), (100, 100), (130, 70), -45.0),
        # shoulders raised on a bench (sloped trunk), ear in line with it: neutral
        ((100, 150), (0, 100), (-30, 85), 0.0),
    ],
)
def test_neck_known_values(hip, shoulder, ear, expected: float) -> None:
    assert neck_deg(*_p(hip, shoulder, ear))[0] == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize(
    ("hip", "shoulder", "ear", "eye", "expected"),
    [
        # lying face up, head to the left, face to the ceiling: neutral 0
        ((100, 100), (0, 100), (-30, 100), (-30, 80), 0.0),
        # face turned 45 deg towards the head end: chin up, positive
        ((100, 100), (0, 100), (-30, 100), (-50, 80), 45.0),
        # face turned towards the feet: chin tucked, negative
        ((100, 100), (0, 100), (-30, 100), (-10, 80), -45.0),
        # mirrored lifter (head to the right), chin up: still positive
        ((0, 100), (100, 100), (130, 100), (150, 80), 45.0),
        # shoulders on a bench (trunk sloped 45 deg), face square to the trunk: neutral
        ((100, 100), (0, 0), (-10, -10), (0, -20), 0.0),
    ],
)
def test_face_pitch_known_values(hip, shoulder, ear, eye, expected: float) -> None:
    assert face_pitch_deg(*_p(hip, shoulder, ear, eye))[0] == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize(
    ("heel", "toe", "expected"),
    [
        ((0, 100), (50, 100), 0.0),  # flat foot
        ((0, 50), (50, 100), 45.0),  # heel above the toe
        ((50, 50), (0, 100), 45.0),  # same, foot pointing left
        ((0, 100), (50, 50), -45.0),  # toe above the heel
    ],
)
def test_foot_pitch_known_values(heel, toe, expected: float) -> None:
    assert foot_pitch_deg(*_p(heel, toe))[0] == pytest.approx(expected, abs=1e-6)


# --- point --------------------------------------------------------------------------------


def test_point_averages_left_and_right_when_no_side_is_given() -> None:
    xy = np.zeros((2, N_LANDMARKS, 2))
    xy[:, Landmark.LEFT_HIP] = [[10, 20], [30, 40]]
    xy[:, Landmark.RIGHT_HIP] = [[20, 40], [50, 0]]
    np.testing.assert_allclose(point(xy, "hip", None), [[15, 30], [40, 20]])
    np.testing.assert_allclose(point(xy, "hip", "left"), xy[:, Landmark.LEFT_HIP])
    np.testing.assert_allclose(point(xy, "hip", "right"), xy[:, Landmark.RIGHT_HIP])


def test_point_is_nan_when_either_side_is_missing() -> None:
    xy = np.ones((1, N_LANDMARKS, 2))
    xy[0, Landmark.RIGHT_KNEE] = np.nan
    assert np.isnan(point(xy, "knee", None)).all()
    assert np.isfinite(point(xy, "knee", "left")).all()


# --- compute_metrics on a whole pose --------------------------------------------------------


def _side_pose(rng: np.random.Generator, t: int = 5) -> np.ndarray:
    """(T, 33, 2): a lifter lying head-left, near side slightly offset, jittered."""
    xy = np.full((t, N_LANDMARKS, 2), np.nan)
    base = {
        "ear": (60, 230), "shoulder": (100, 250), "elbow": (120, 300), "wrist": (150, 260),
        "hip": (300, 230), "knee": (420, 150), "ankle": (450, 300), "heel": (440, 310),
        "foot_index": (490, 310), "eye": (55, 225),
    }  # fmt: skip
    for name, (x, y) in base.items():
        for k, side in enumerate(("left", "right")):
            xy[:, joint(name, side)] = np.array([x + 4 * k, y - 3 * k]) + rng.normal(0, 3, (t, 2))
    xy[:, Landmark.NOSE] = [40, 225]
    xy[:, Landmark.MOUTH_LEFT] = xy[:, Landmark.MOUTH_RIGHT] = [45, 235]
    for hand in ("pinky", "index", "thumb"):
        for side in ("left", "right"):
            xy[:, Landmark[f"{side.upper()}_{hand.upper()}"]] = [155, 260]
    return xy


def _pose_series(xy: np.ndarray) -> PoseSeries:
    t = len(xy)
    world = np.concatenate([xy / 500.0, np.zeros((t, N_LANDMARKS, 1))], axis=-1)
    return PoseSeries(
        np.arange(t) / 30.0,
        xy,
        np.ones((t, N_LANDMARKS)),
        world,
        np.ones(t, dtype=np.int16),
        (640, 480),
        30.0,
    )


ANGLE_METRICS = {
    "hip_extension_deg",
    "knee_angle_deg",
    "shin_deg",
    "neck_deg",
    "face_pitch_deg",
    "foot_pitch_deg",
}
IMAGE_METRICS = ANGLE_METRICS | {"line_offset", "hip_height", "heel_height"}


@pytest.mark.parametrize(
    ("swap_labels", "side", "mirrored_side"),
    [
        # coordinates mirrored, labels kept: same side's metrics agree
        (False, "left", "left"),
        (False, None, None),
        # a mirrored person as MediaPipe would label it: left and right trade places
        (True, "left", "right"),
        (True, "right", "left"),
        (True, None, None),
    ],
)
@pytest.mark.parametrize("rng_seed", [0, 1, 2])
def test_compute_metrics_sagittal_values_ignore_a_mirror(
    swap_labels: bool, side, mirrored_side, rng_seed: int
) -> None:
    xy = _side_pose(np.random.default_rng(rng_seed))
    mirrored = xy.copy()
    mirrored[..., 0] = 640.0 - mirrored[..., 0]
    if swap_labels:
        mirrored = mirrored[:, SWAP]
    before = compute_metrics(_pose_series(xy), side).as_dict()
    after = compute_metrics(_pose_series(mirrored), mirrored_side).as_dict()
    for name in sorted(IMAGE_METRICS):
        if name in ANGLE_METRICS:
            assert _angle_diff(before[name], after[name]).max() < 1e-6, name
        else:
            np.testing.assert_allclose(after[name], before[name], atol=1e-9, err_msg=name)
    tilt = after["pelvic_tilt_deg"]
    expected_tilt = -before["pelvic_tilt_deg"] if swap_labels else before["pelvic_tilt_deg"]
    np.testing.assert_allclose(tilt, expected_tilt, atol=1e-9)


@pytest.mark.parametrize(
    ("s", "d"),
    [
        (1.0, (37.0, -12.0)),  # translation only
        (2.5, (0.0, 0.0)),  # scale only (a bigger frame)
        (0.4, (-100.0, 250.0)),  # both
    ],
)
def test_compute_metrics_ignore_translation_and_scale(s: float, d: tuple[float, float]) -> None:
    xy = _side_pose(np.random.default_rng(3))
    before = compute_metrics(_pose_series(xy), "left")
    after = compute_metrics(_pose_series(xy * s + np.array(d)), "left")
    a, b = before.as_dict(), after.as_dict()
    for name in sorted(IMAGE_METRICS | {"knee_ratio", "pelvic_tilt_deg"}):
        np.testing.assert_allclose(b[name], a[name], atol=1e-6, err_msg=name)
    assert after.torso_px == pytest.approx(before.torso_px * s)


def test_compute_metrics_is_nan_where_a_joint_is_missing() -> None:
    xy = _side_pose(np.random.default_rng(4))
    xy[2, Landmark.LEFT_KNEE] = np.nan
    m = compute_metrics(_pose_series(xy), "left")
    assert np.isnan(m.hip_extension_deg[2]) and np.isnan(m.knee_angle_deg[2])
    assert np.isfinite(np.delete(m.hip_extension_deg, 2)).all()
    assert np.isfinite(m.neck_deg).all()  # the neck does not use the knee
