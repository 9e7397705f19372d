"""Damaged files never crash formcheck: truncations and byte flips of a small clip and of a
landmarks file give a report or one documented error, never a traceback or exit 1
(hypothesis; no pose model: the clip is fuzzed through the reader, the landmarks through the
whole `formcheck analyze` command)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from builders import RepShape, build_set
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from formcheck import errors
from formcheck.cli import main
from formcheck.errors import InputError
from formcheck.video.reader import VideoReader
from formcheck.video.writer import VideoSink

#: What a damaged input may end in (README's exit codes): a report, or an input problem, no
#: person, not a hip thrust, tracking unreliable.
ALLOWED = {
    errors.EXIT_OK,
    errors.EXIT_INPUT,
    errors.EXIT_NO_PERSON,
    errors.EXIT_NOT_HIP_THRUST,
    errors.EXIT_TRACKING_UNRELIABLE,
}
FUZZ = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,  # the same examples on every run: CI is reproducible
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@pytest.fixture(scope="module")
def clip_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("clip") / "small.mp4"
    rng = np.random.default_rng(0)
    with VideoSink(path, 96, 64, 15.0) as sink:
        for _ in range(15):
            sink.write(rng.integers(0, 255, (64, 96, 3), dtype=np.uint8))
    return path.read_bytes()


@pytest.fixture(scope="module")
def landmark_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("npz") / "set.npz"
    build_set([RepShape(), RepShape(top_trunk_deg=20.0)])[0].save(path)
    return path.read_bytes()


def damage(data: bytes, cut: float, flips: list[tuple[float, int]]) -> bytes:
    """``data`` cut to a share ``cut`` of its length, then bytes XORed at relative places."""
    out = bytearray(data[: max(1, int(len(data) * cut))])
    for where, mask in flips:
        out[min(int(where * len(out)), len(out) - 1)] ^= mask
    return bytes(out)


DAMAGE = {
    "cut": st.floats(0.0, 1.0),
    "flips": st.lists(st.tuples(st.floats(0.0, 1.0), st.integers(1, 255)), max_size=6),
}


@FUZZ
@given(**DAMAGE)
def test_a_damaged_clip_is_read_or_refused_in_one_line(
    clip_bytes: bytes, tmp_path: Path, cut: float, flips: list[tuple[float, int]]
) -> None:
    path = tmp_path / "damaged.mp4"
    path.write_bytes(damage(clip_bytes, cut, flips))
    try:
        with VideoReader(path) as reader:
            for frame in reader:
                assert frame.image_bgr.ndim == 3
    except InputError as exc:
        assert "\n" not in str(exc)


@FUZZ
@given(**DAMAGE)
def test_damaged_landmarks_give_a_report_or_one_documented_error(
    landmark_bytes: bytes,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    cut: float,
    flips: list[tuple[float, int]],
) -> None:
    path = tmp_path / "damaged.npz"
    path.write_bytes(damage(landmark_bytes, cut, flips))
    code = main(["analyze", str(path), "--json", "-"])
    _, err = capsys.readouterr()
    assert code in ALLOWED, err
    assert "Traceback" not in err and "internal error" not in err
    if code == errors.EXIT_INPUT:
        assert len(err.splitlines()) == 1 and err.startswith("formcheck: error:"), err


@FUZZ
@given(
    times=st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=1, max_size=40),
    fps=st.floats(allow_nan=True, allow_infinity=True),
    size=st.tuples(st.integers(-5, 5000), st.integers(-5, 5000)),
)
def test_landmarks_with_any_times_rate_and_size_are_judged_or_refused(
    landmark_bytes: bytes,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    times: list[float],
    fps: float,
    size: tuple[int, int],
) -> None:
    """Intact archives whose frame times, frame rate or image size are anything at all (NaN,
    inf, negative, reversed, repeated), edited by hand or written by another tool."""
    src = tmp_path / "src.npz"
    src.write_bytes(landmark_bytes)
    with np.load(src, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    n = len(times)
    for key in ("xy_px", "visibility", "world_xyz_m", "n_people", "plate_px", "far_plate_px"):
        if key in arrays:
            arrays[key] = arrays[key][np.arange(n) % len(arrays[key])]
    if "picture_change" in arrays:
        arrays["picture_change"] = arrays["picture_change"][np.arange(n) % len(arrays["xy_px"])]
    arrays.update(timestamps_s=np.array(times), fps=np.array(fps), image_size=np.array(size))
    path = tmp_path / "edited.npz"
    np.savez(path, **arrays)  # type: ignore[arg-type]
    code = main(["analyze", str(path), "--json", "-"])
    _, err = capsys.readouterr()
    assert code in ALLOWED, err
    assert "Traceback" not in err and "internal error" not in err
