"""Video in and out (formcheck.video) and saved landmarks (PoseSeries.save / load).

Clips are written here (H.264 through PyAV), a few dozen small frames each.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from bad_inputs import empty as _empty
from bad_inputs import folder as _folder
from bad_inputs import missing as _missing
from bad_inputs import text as _text

from formcheck.errors import EXIT_INPUT, InputError
from formcheck.landmarks.names import N_LANDMARKS
from formcheck.landmarks.series import PoseFrame, PoseSeries
from formcheck.video.reader import VideoReader
from formcheck.video.writer import RC_LOOKAHEAD, VideoSink

W, H, FPS, N = 320, 240, 25.0, 30


def _level_frame(i: int, width: int = W, height: int = H) -> np.ndarray:
    """A flat grey frame of value 8 * i (BGR uint8)."""
    return np.full((height, width, 3), min(8 * i, 255), dtype=np.uint8)


def write_clip(path: Path, n: int = N, fps: float = FPS, width: int = W, height: int = H) -> Path:
    with VideoSink(path, width, height, fps) as sink:
        for i in range(n):
            sink.write(_level_frame(i, width, height))
    assert sink.frames_written == n
    return path


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_clip(tmp_path_factory.mktemp("video") / "levels.mp4")


# --- writer -> reader round trip ----------------------------------------------------------


def test_round_trip_header(clip: Path) -> None:
    with VideoReader(clip) as reader:
        info = reader.info
    assert (info.width, info.height, info.fps, info.frame_count) == (W, H, FPS, N)
    assert info.rotation_deg == 0
    assert info.duration_s == pytest.approx(N / FPS)


def test_round_trip_frames_and_timestamps(clip: Path) -> None:
    reader = VideoReader(clip)
    frames = list(reader)
    assert [f.index for f in frames] == list(range(N))
    times = np.array([f.timestamp_s for f in frames])
    np.testing.assert_allclose(times, np.arange(N) / FPS, atol=1e-3)
    assert (np.diff(times) > 0).all()
    for f in frames:
        assert f.image_bgr.shape == (H, W, 3) and f.image_bgr.dtype == np.uint8
        # lossy codec on flat frames: within a few grey levels of 8 * i
        assert abs(float(f.image_bgr.mean()) - 8 * f.index) < 10, f.index
    assert reader.frames_read == N and not reader.ended_early


def test_reader_closes_after_iteration(clip: Path) -> None:
    reader = VideoReader(clip)
    list(reader)
    with pytest.raises(RuntimeError, match="closed"):
        list(reader)


def test_float_frame_rate_is_kept(tmp_path: Path) -> None:
    path = write_clip(tmp_path / "ntsc.mp4", n=10, fps=30000 / 1001)
    with VideoReader(path) as reader:
        assert reader.info.fps == pytest.approx(29.97, abs=1e-3)
        times = [f.timestamp_s for f in reader]
    np.testing.assert_allclose(np.diff(times), 1001 / 30000, atol=1e-3)


def test_writer_stores_a_float_rate_as_a_rational(tmp_path: Path) -> None:
    path = write_clip(tmp_path / "ntsc.mp4", n=5, fps=29.97)
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert stream.average_rate == Fraction(2997, 100)


@pytest.mark.parametrize(
    ("width", "height"),
    [
        (321, 240),  # odd width
        (320, 239),  # odd height
        (31, 17),  # both odd
    ],
)
def test_writer_rejects_odd_sizes(tmp_path: Path, width: int, height: int) -> None:
    with pytest.raises(ValueError, match="even"):
        VideoSink(tmp_path / "odd.mp4", width, height, FPS)


@pytest.mark.parametrize(
    "shape",
    [
        (H, W + 2, 3),  # wider than announced
        (H - 2, W, 3),  # shorter
        (W, H, 3),  # transposed
    ],
)
def test_writer_rejects_a_frame_of_the_wrong_size(tmp_path: Path, shape: tuple) -> None:
    with VideoSink(tmp_path / "size.mp4", W, H, FPS) as sink:
        sink.write(_level_frame(1))
        with pytest.raises(ValueError, match=f"expects {W}x{H}"):
            sink.write(np.zeros(shape, dtype=np.uint8))
        assert sink.frames_written == 1


def test_writer_encodes_with_its_settings(tmp_path: Path) -> None:
    """libx264 writes the settings it used into the stream: the short look-ahead is applied."""
    path = tmp_path / "settings.mp4"
    with VideoSink(path, 64, 48, 30.0) as sink:
        for k in range(20):
            sink.write(np.full((48, 64, 3), k * 10, np.uint8))
    assert sink.codec == "h264"
    data = path.read_bytes()
    assert f"rc_lookahead={RC_LOOKAHEAD} ".encode() in data
    assert b"crf=23.0" in data


def test_writer_creates_missing_folders(tmp_path: Path) -> None:
    path = write_clip(tmp_path / "a" / "b" / "clip.mp4", n=3)
    assert path.is_file() and path.stat().st_size > 0


def test_writer_keeps_colours(tmp_path: Path) -> None:
    """Saturated colour blocks decode to their own colours (the BGR -> I420 conversion is
    BT.601 limited range, as decoders assume); only chroma subsampling at edges may differ."""
    colours = [(0, 0, 255), (0, 255, 0), (255, 0, 0), (40, 200, 240), (128, 128, 128)]
    img = np.zeros((H, W, 3), np.uint8)
    for k, c in enumerate(colours):
        img[:, k * W // 5 : (k + 1) * W // 5] = c
    path = tmp_path / "colours.mp4"
    with VideoSink(path, W, H, FPS, crf=10) as sink:
        for _ in range(3):
            sink.write(img)
    frames = [f.image_bgr for f in VideoReader(path)]
    assert len(frames) == 3
    for k, c in enumerate(colours):
        block = frames[0][:, k * W // 5 + 8 : (k + 1) * W // 5 - 8].reshape(-1, 3).astype(int)
        assert np.abs(block.mean(axis=0) - np.array(c)).max() < 6, (c, block.mean(axis=0))


# --- unreadable inputs --------------------------------------------------------------------


def _cut_without_index(tmp_path: Path) -> Path:
    """A normal mp4 (index at the end) cut to 60 %: no moov atom, nothing decodable."""
    data = write_clip(tmp_path / "full.mp4").read_bytes()
    path = tmp_path / "cut.mp4"
    path.write_bytes(data[: int(len(data) * 0.6)])
    return path


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (_missing, "no such file"),  # a path that does not exist
        (_folder, "is a folder"),  # a folder, even one named .mp4
        (_empty, "empty file"),  # zero bytes
        (_text, "not a readable video"),  # a text file named x.mp4
        (_cut_without_index, "not a readable video"),  # upload cut before the index
    ],
)
def test_unreadable_inputs_raise_one_line_input_errors(tmp_path: Path, make, words: str) -> None:
    path = make(tmp_path)
    with pytest.raises(InputError) as info:
        VideoReader(path)
    message = str(info.value)
    assert words in message and str(path) in message
    assert "\n" not in message
    assert info.value.exit_code == EXIT_INPUT


def test_truncated_clip_with_index_at_the_start_reads_what_is_there(tmp_path: Path) -> None:
    # faststart puts the moov atom first: the header still announces every frame
    full = tmp_path / "faststart.mp4"
    rng = np.random.default_rng(0)
    with av.open(str(full), "w", options={"movflags": "faststart"}) as container:
        stream = container.add_stream("libx264", rate=25)
        stream.width, stream.height, stream.pix_fmt = W, H, "yuv420p"
        stream.options = {"preset": "ultrafast"}
        for _ in range(50):  # noise frames, so the bytes spread evenly over the frames
            image = rng.integers(0, 256, (H, W, 3), dtype=np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="bgr24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    data = full.read_bytes()
    assert data.find(b"moov") < data.find(b"mdat")
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: int(len(data) * 0.6)])

    reader = VideoReader(cut)
    assert reader.info.frame_count == 50
    frames = list(reader)
    assert 0 < reader.frames_read == len(frames) < 50
    assert reader.ended_early
    assert (np.diff([f.timestamp_s for f in frames]) > 0).all()


# --- saved landmarks ----------------------------------------------------------------------


def _pose_series(t: int = 12) -> PoseSeries:
    rng = np.random.default_rng(1)
    frames: list[PoseFrame | None] = []
    for i in range(t):
        if i in (3, 4):  # no person in two frames
            frames.append(None)
            continue
        frames.append(
            PoseFrame(
                i / 30.0,
                rng.uniform(0, 640, (N_LANDMARKS, 2)),
                rng.uniform(0, 1, N_LANDMARKS),
                rng.normal(0, 0.5, (N_LANDMARKS, 3)),
                n_people=1 + (i == 7),
            )
        )
    meta = {"source": "clip.mp4", "backend": "test"}
    return PoseSeries.from_frames(np.arange(t) / 30.0, frames, (640, 480), 29.97, meta)


def test_landmarks_round_trip(tmp_path: Path) -> None:
    series = _pose_series()
    path = tmp_path / "landmarks.npz"
    series.save(path)
    back = PoseSeries.load(path)
    np.testing.assert_array_equal(back.timestamps_s, series.timestamps_s)
    # landmarks are stored as float32
    np.testing.assert_allclose(back.xy_px, series.xy_px, rtol=1e-6, equal_nan=True)
    np.testing.assert_allclose(back.visibility, series.visibility, rtol=1e-6)
    np.testing.assert_allclose(back.world_xyz_m, series.world_xyz_m, rtol=1e-6, equal_nan=True)
    np.testing.assert_array_equal(back.n_people, series.n_people)
    assert np.isnan(back.xy_px[3]).all() and back.frame(3) is None
    assert (back.image_size, back.fps, back.meta) == ((640, 480), 29.97, series.meta)
    assert back.xy_px.dtype == np.float64


def test_landmarks_round_trip_with_no_meta(tmp_path: Path) -> None:
    series = PoseSeries.from_frames([], [], (64, 48), 30.0)
    series.save(tmp_path / "none.npz")
    back = PoseSeries.load(tmp_path / "none.npz")
    assert len(back) == 0 and back.meta == {} and back.image_size == (64, 48)


def _other_npz(path: Path) -> None:
    np.savez(path, xy=np.zeros((3, 33, 2)))


def _wrong_format_tag(path: Path) -> None:
    np.savez(path, format=np.array("someone-else/1"))


def _text_npz(path: Path) -> None:
    path.write_text("not numpy\n")


def _truncated_npz(path: Path) -> None:
    _pose_series().save(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


@pytest.mark.parametrize(
    "make",
    [
        _other_npz,  # an npz from another tool
        _wrong_format_tag,  # a format tag that is not ours
        _text_npz,  # not a zip at all
        _truncated_npz,  # a formcheck file cut in half
    ],
)
def test_loading_a_foreign_or_broken_npz_raises_input_error(tmp_path: Path, make) -> None:
    path = tmp_path / "landmarks.npz"
    make(path)
    with pytest.raises(InputError) as info:
        PoseSeries.load(path)
    assert str(path) in str(info.value) and "\n" not in str(info.value)


def test_loading_a_missing_npz_raises_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read landmarks"):
        PoseSeries.load(tmp_path / "absent.npz")


def _set_rotation(path: Path, degrees: int) -> None:
    """Write a display matrix for ``degrees`` (90 or 270) into the mp4's track header (tkhd)."""
    import struct

    data = bytearray(path.read_bytes())
    i = data.find(b"tkhd")
    version = data[i + 4]
    off = i + 8 + (28 if version == 1 else 20) + 8 + 8  # times, ids, duration, reserved, layer..
    one = 1 << 16
    sign = 1 if degrees == 90 else -1
    data[off : off + 36] = struct.pack(">9i", 0, sign * one, 0, -sign * one, 0, 0, 0, 0, 1 << 30)
    path.write_bytes(bytes(data))


def test_rotation_metadata_is_honoured(tmp_path: Path) -> None:
    """A phone clip stored landscape with a 90-degree display matrix is read upright."""
    clip = tmp_path / "rotated.mp4"
    frame = np.zeros((240, 320, 3), np.uint8)
    frame[:, :40] = 255  # a white band on the stored frame's left edge
    with VideoSink(clip, 320, 240, 25) as sink:
        for _ in range(5):
            sink.write(frame)
    _set_rotation(clip, 90)
    reader = VideoReader(clip)
    assert reader.info.rotation_deg == 90
    assert (reader.info.width, reader.info.height) == (240, 320)
    first = next(iter(reader)).image_bgr
    assert first.shape == (320, 240, 3)
    assert first[:40].mean() > 200 and first[60:].mean() < 30  # the band is now on top


def test_frames_above_the_limit_come_out_scaled_down(tmp_path: Path) -> None:
    """A frame wider than MAX_SIDE_PX is scaled right after decoding (4K: 24 MB a frame), the
    header says the size the frames come out at, and frames at or below it are untouched."""
    from formcheck.video.reader import MAX_SIDE_PX, fit_max_side

    wide = tmp_path / "wide.mp4"
    with VideoSink(wide, 2400, 400, 10.0) as sink:  # long side 2400
        for k in range(5):
            img = np.zeros((400, 2400, 3), np.uint8)
            img[:, k * 400 : (k + 1) * 400] = 200  # a bright block that moves
            sink.write(img)
    scale = MAX_SIDE_PX / 2400
    size = (MAX_SIDE_PX, round(400 * scale))
    with VideoReader(wide) as reader:
        assert (reader.info.width, reader.info.height) == size
        frames = list(reader)
    assert len(frames) == 5 and all(f.image_bgr.shape == (size[1], size[0], 3) for f in frames)
    block = frames[1].image_bgr[:, round(400 * scale) + 2 : round(800 * scale) - 2]
    assert block.mean() > 150  # the block, where it should be
    small = np.zeros((MAX_SIDE_PX // 2, MAX_SIDE_PX, 3), np.uint8)
    assert fit_max_side(small) is small


def _opencv_frames(path: Path, max_side: int) -> list[tuple[float, np.ndarray]]:
    """The clip as OpenCV decodes it (upright), each frame scaled after decoding."""
    import cv2

    from formcheck.video.reader import fit_max_side

    cap = cv2.VideoCapture(str(path))
    cap.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1)
    out = []
    while True:
        ok, img = cap.read()
        if not ok:
            break
        out.append((cap.get(cv2.CAP_PROP_POS_MSEC) / 1000, fit_max_side(img, max_side)))
    cap.release()
    return out


def _compare_backends(path: Path, max_side: int) -> None:
    from formcheck.video.av_capture import AvCapture

    ref = _opencv_frames(path, max_side)
    with VideoReader(path) as reader:
        assert isinstance(reader._cap, AvCapture)  # the large-frame path was taken
        frames = list(reader)
    assert len(frames) == len(ref)
    for frame, (t, img) in zip(frames, ref, strict=True):
        assert frame.image_bgr.shape == img.shape
        assert frame.timestamp_s == pytest.approx(t, abs=1e-3)
        diff = np.abs(frame.image_bgr.astype(int) - img.astype(int)).mean()
        assert diff < 4.0  # swscale's area scaling against OpenCV's: the same picture


def test_large_frames_are_decoded_by_pyav_like_opencv_would(tmp_path: Path) -> None:
    """Above MAX_SIDE_PX frames are decoded and scaled by PyAV (no full-size BGR frame; less
    memory at 4K): the same frames, times and picture as OpenCV's, scaled after it."""
    wide = tmp_path / "wide.mp4"
    rng = np.random.default_rng(1)
    base = cv2_blur(rng.integers(0, 255, (400, 2400, 3), dtype=np.uint8))
    with VideoSink(wide, 2400, 400, 25.0) as sink:
        for k in range(8):
            sink.write(np.roll(base, 40 * k, axis=1))
    from formcheck.video.reader import MAX_SIDE_PX

    _compare_backends(wide, MAX_SIDE_PX)


@pytest.mark.shared
def test_a_rotated_phone_clip_comes_out_upright_from_either_decoder(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A portrait phone clip stored landscape with a -90 degree display matrix (PyAV's
    frame.rotation): upright from PyAV as from OpenCV's ORIENTATION_AUTO (the large-frame
    path forced by lowering the limit to 640 px)."""
    from conftest import shared_path

    import formcheck.video.reader as reader

    monkeypatch.setattr(reader, "MAX_SIDE_PX", 640)
    _compare_backends(shared_path("videos", "aigymtrainer__push-up.mp4"), 640)


def cv2_blur(img: np.ndarray) -> np.ndarray:
    import cv2

    return cv2.GaussianBlur(img, (0, 0), 4)


def test_the_header_is_read_before_switching_decoders(tmp_path: Path) -> None:
    """The frame rate and count come from the header even when PyAV takes over decoding
    (read after it, they were 0: a wrong rate and a worker plan of one segment)."""
    wide = tmp_path / "wide.mp4"
    with VideoSink(wide, 2400, 400, 25.0) as sink:
        for _ in range(12):
            sink.write(np.zeros((400, 2400, 3), np.uint8))
    with VideoReader(wide) as reader:
        assert reader.info.fps == pytest.approx(25.0) and reader.info.frame_count == 12


def test_frames_found_by_seeking_are_the_frames_read_in_order(tmp_path: Path) -> None:
    """`frames_at` (the page's key frames, without decoding the whole clip) gives the very
    frames `VideoReader` gives at those times, upright when the clip is stored rotated."""
    from formcheck.video.av_capture import frames_at
    from formcheck.video.reader import MAX_SIDE_PX

    clip = tmp_path / "moving.mp4"
    with VideoSink(clip, 320, 240, 25.0) as sink:
        for k in range(60):
            img = np.full((240, 320, 3), 40, np.uint8)
            img[:, (k * 5) % 280 : (k * 5) % 280 + 40] = 220  # a bright block that moves
            sink.write(img)
    rotated = tmp_path / "rotated.mp4"
    rotated.write_bytes(clip.read_bytes())
    _set_rotation(rotated, 90)
    for path in (clip, rotated):
        with VideoReader(path) as reader:
            frames = list(reader)
        wanted = [frames[k] for k in (0, 17, 42, 59)]
        found = dict(frames_at(path, [f.timestamp_s for f in wanted], MAX_SIDE_PX))
        assert sorted(found) == [f.timestamp_s for f in wanted]
        for f in wanted:
            assert found[f.timestamp_s].shape == f.image_bgr.shape
            assert np.abs(found[f.timestamp_s].astype(int) - f.image_bgr.astype(int)).mean() < 1
    assert list(frames_at(clip, [99.0], MAX_SIDE_PX)) == []  # past the end: left out
