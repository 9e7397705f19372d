"""Faster analysis without the model: segment planning, ranged and prefetched decoding,
frame stride, and the annotated video of a clip analysed at every k-th frame."""

from __future__ import annotations

import itertools
import os
import sys
import weakref
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from builders import SIZE, RepShape, build_set
from fresh import run_python

from formcheck.config import Config
from formcheck.landmarks.series import PoseFrame, PoseSeries
from formcheck.pipeline import analyze_series
from formcheck.pose.parallel import (
    GRAB_SHARE,
    MIN_SEGMENT_FRAMES,
    WARMUP_FRAMES,
    Segment,
    plan_segments,
    track_segment,
)
from formcheck.pose.read import read_pose_series
from formcheck.pose.track import stride_for, track_frames
from formcheck.report.video import write_annotated_video
from formcheck.video.reader import Frame, VideoReader, prefetched
from formcheck.video.writer import VideoSink


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """90 frames whose brightness encodes their index."""
    path = tmp_path_factory.mktemp("par") / "levels.mp4"
    with VideoSink(path, 64, 48, 30.0, crf=0) as sink:
        for k in range(90):
            sink.write(np.full((48, 64, 3), (k * 2) % 250, np.uint8))
    return path


@pytest.mark.parametrize("frames", [0, 10, 199, 200, 480, 481, 1000, 18000])
@pytest.mark.parametrize("workers", [1, 2, 3, 8])
@pytest.mark.parametrize("stride", [1, 2])
def test_segments_cover_the_clip_once_and_cost_the_same(
    frames: int, workers: int, stride: int
) -> None:
    segs = plan_segments(frames, workers, stride)
    assert segs[0].start == 0 and segs[0].warmup == 0 and segs[-1].stop is None
    assert all(a.stop == b.start for a, b in itertools.pairwise(segs))
    assert len(segs) <= workers
    assert len(segs) == 1 or frames // stride >= 2 * MIN_SEGMENT_FRAMES
    assert all(s.start % stride == 0 for s in segs)
    assert all(s.warmup == min(s.start, WARMUP_FRAMES * stride) for s in segs[1:])
    if len(segs) > 1:  # each worker's skip + warm-up + segment costs what segment 0 does
        skip = GRAB_SHARE * stride / (1 + GRAB_SHARE * (stride - 1))
        cost = [
            s.warmup + ((s.stop or frames) - s.start) + skip * (s.start - s.warmup) for s in segs
        ]
        assert max(cost) - min(cost) <= 2 * stride + 1, cost


def test_planning_is_the_same_every_time() -> None:
    """The plan depends on the frame count only: the same clip, the same segments."""
    assert plan_segments(744, 2) == plan_segments(744, 2)
    assert plan_segments(744, 2)[1] == Segment(396, None, WARMUP_FRAMES)


class _Tracker:
    """A backend whose pose records the time it was asked for."""

    name = "tracker"

    def __init__(self, _model: Path, seen: list[float]) -> None:
        self.seen = seen

    def estimate(self, image: np.ndarray | None, t: float) -> PoseFrame | None:
        self.seen.append(t)
        return PoseFrame(t, np.full((33, 2), t), np.ones(33), np.zeros((33, 3)), 1)

    def close(self) -> None:
        pass

    def __enter__(self) -> _Tracker:
        return self

    def __exit__(self, *exc: object) -> None:
        pass


@pytest.mark.parametrize("announced", [90, 400])
def test_segments_tracked_apart_join_into_every_frame_once(clip: Path, announced: int) -> None:
    """Each segment tracked by its own landmarker; stitched, they are every frame once and in
    order, warm-up frames tracked but not kept. A header announcing more frames than the
    stream has (400 of 90) leaves the later segments empty, and nothing is lost."""
    with VideoReader(clip) as r:
        plain = [f.timestamp_s for f in r]
    segs = plan_segments(announced, 3, warmup=6, min_frames=20)
    assert len(segs) == 3
    seen: list[float] = []
    parts = [
        track_segment(
            clip,
            Path("unused.task"),
            s,
            1,
            make_backend=lambda m: _Tracker(m, seen),  # type: ignore[arg-type,return-value]
        )
        for s in segs
    ]
    kept = [t for p in parts for b in p.blocks for t in b.timestamps_s]
    assert kept == pytest.approx(plain, abs=1e-9)
    joined = PoseSeries.concat([b for p in parts for b in p.blocks], (64, 48), 30.0)
    assert joined.xy_px[:, 0, 0].tolist() == kept  # each frame's pose is its own
    assert sum(p.frames_kept for p in parts) == len(kept)
    if announced == 90:
        assert len(seen) == len(plain) + 12  # two workers warmed up on 6 frames each
    else:  # the workers' segments start past the stream's end
        assert segs[1].start > len(plain)
        assert parts[1].blocks == parts[2].blocks == []


def _pose(t: float) -> PoseFrame:
    return PoseFrame(
        t, np.full((33, 2), t), np.full(33, 0.5), np.full((33, 3), t / 10), 1, np.array([t, t, 3.0])
    )


def test_blocks_filled_into_place_one_at_a_time_equal_the_joined_blocks() -> None:
    """With the frame count known (the workers report it), the blocks are copied into
    arrays of that length as they are read back: the same series as joining them all, and
    no block is held once the next is read (the 400 MB bound on 10 minutes at 60 fps)."""
    sizes = [4, 0, 6, 3]

    def block(k: int) -> PoseSeries:
        times = [k * 10.0 + i for i in range(sizes[k])]
        poses = [None if t % 7 == 0 else _pose(t) for t in times]
        change = [0.5 * t for t in times]
        return PoseSeries.from_frames(times, poses, (64, 48), 30.0, picture_change=change)

    alive: list[weakref.ref[PoseSeries]] = []

    def lazily() -> Iterator[PoseSeries]:
        for k in range(len(sizes)):
            assert all(ref() is None for ref in alive[:-1])  # one block held at a time
            b = block(k)
            alive.append(weakref.ref(b))
            yield b
            del b

    joined = PoseSeries.concat([block(k) for k in range(4)], (64, 48), 30.0, {"a": "b"})
    filled = PoseSeries.concat(lazily(), (64, 48), 30.0, {"a": "b"}, total=13)
    assert len(alive) == 4
    for name in (
        "timestamps_s",
        "xy_px",
        "visibility",
        "world_xyz_m",
        "n_people",
        "plate_px",
        "picture_change",
        "far_plate_px",
    ):
        assert np.array_equal(getattr(filled, name), getattr(joined, name), equal_nan=True)
        assert getattr(filled, name).dtype == getattr(joined, name).dtype
    assert filled.meta == joined.meta
    for wrong in (12, 14):
        with pytest.raises(ValueError, match="announced"):
            PoseSeries.concat([block(k) for k in range(4)], (64, 48), 30.0, total=wrong)


def test_ranged_reading_matches_plain_iteration(clip: Path) -> None:
    with VideoReader(clip) as r:
        every = [(f.index, f.timestamp_s, f.image_bgr) for f in r]
    with VideoReader(clip) as r:
        part = [(f.index, f.timestamp_s, f.image_bgr) for f in r.frames(37, 52)]
    assert [p[0] for p in part] == list(range(37, 52))
    for i, t, img in part:
        assert t == pytest.approx(every[i][1]) and np.array_equal(img, every[i][2])
    with VideoReader(clip) as r:
        assert list(r.frames(len(every) + 5)) == []
    with VideoReader(clip) as r:  # skip ahead, then read on from there
        assert r.skip_to(10) and r.skip_to(10) and r.frames_read == 10
        with pytest.raises(ValueError, match="cannot go back"):
            r.skip_to(3)
        assert [f.index for f in r.frames(12, 15)] == [12, 13, 14]
    with VideoReader(clip) as r:
        assert not r.skip_to(len(every) + 5)


def test_prefetched_frames_are_the_same_and_errors_come_through(clip: Path) -> None:
    with VideoReader(clip) as r:
        plain = [f.index for f in r]
    with VideoReader(clip) as r:
        assert [f.index for f in prefetched(iter(r))] == plain

    def failing() -> object:
        yield Frame(0, 0.0, np.zeros((2, 2, 3), np.uint8))
        raise OSError("disk gone")

    with pytest.raises(OSError, match="disk gone"):
        list(prefetched(failing()))  # type: ignore[arg-type]
    with VideoReader(clip) as r:  # the consumer stops early: nothing hangs
        for f in prefetched(iter(r), depth=2):
            if f.index == 3:
                break


@pytest.mark.parametrize(
    ("fps", "max_fps", "stride"),
    [
        (30, 30, 1),
        (29.97, 30, 1),
        (25, 30, 1),
        (60, 30, 2),
        (59.94, 30, 2),
        (50, 30, 2),
        (120, 30, 4),
        (240, 30, 8),
        (60, 0, 1),
        (60, 60, 1),
        (90, 30, 3),
    ],
)
def test_stride(fps: float, max_fps: float, stride: int) -> None:
    assert stride_for(fps, max_fps) == stride


class _Recorder:
    name = "recorder"

    def __init__(self) -> None:
        self.seen: list[float] = []

    def estimate(self, image: np.ndarray | None, t: float) -> PoseFrame | None:
        self.seen.append(t)
        return None


def test_track_frames_warms_up_and_strides_by_clip_index(clip: Path) -> None:
    backend = _Recorder()
    with VideoReader(clip) as r:
        blocks = list(
            track_frames(
                r.frames(20),
                backend,  # type: ignore[arg-type]
                keep_from=30,
                stride=3,
                prefetch=False,
                block_frames=8,
            )
        )
    assert len(backend.seen) == len(range(21, 90, 3))  # frames 21, 24, ... (index % 3 == 0)
    assert [len(ts) for ts, _, _ in blocks] == [8, 8, 4]
    ts = [t for block, _, _ in blocks for t in block]
    assert ts == pytest.approx([k / 30.0 for k in range(30, 90, 3)], abs=1e-3)
    assert [len(poses) for _, poses, _ in blocks] == [8, 8, 4]
    # the picture change of the first kept frame is measured against the warm-up frame before
    changes = [c for _, _, block in blocks for c in block]
    assert len(changes) == 20 and all(np.isfinite(changes))


def test_annotated_video_of_a_strided_analysis_keeps_every_frame(tmp_path: Path) -> None:
    """A 60 fps clip analysed at 30 fps: the video still has all 60 frames per second."""
    series, _ = build_set([RepShape(), RepShape(top_trunk_deg=20.0)], fps=30.0)
    strided = PoseSeries.from_frames(
        series.timestamps_s,
        [series.frame(i) for i in range(len(series))],
        SIZE,
        30.0,
        {"stride": "2"},
    )
    report = analyze_series(strided, Config(), "sixty.mp4")
    src = tmp_path / "sixty.mp4"
    with VideoSink(src, *SIZE, 60.0) as sink:
        for _ in range(2 * len(series)):
            sink.write(np.full((SIZE[1], SIZE[0], 3), 90, np.uint8))
    keyframes: dict[int, bytes] = {}
    info = write_annotated_video(src, report, tmp_path / "a.mp4", keyframes=keyframes)
    assert info["frames"] == 2 * len(series)
    assert sorted(keyframes) == [r.index for r in report.reps]


def test_stepped_reading_grabs_the_frames_in_between(clip: Path) -> None:
    with VideoReader(clip) as r:
        every = {f.index: (f.timestamp_s, f.image_bgr) for f in r}
    with VideoReader(clip) as r:
        got = list(r.frames(7, 40, step=3))
        read = r.frames_read
    assert [f.index for f in got] == list(range(9, 40, 3))
    for f in got:
        assert f.timestamp_s == pytest.approx(every[f.index][0])
        assert np.array_equal(f.image_bgr, every[f.index][1])
    assert read >= 39
    with VideoReader(clip) as r:
        assert [f.index for f in r.frames(0, None, 2)] == list(range(0, 90, 2))


@pytest.mark.model
@pytest.mark.slow
def test_workers_track_apart_from_this_process_with_the_same_landmarks(tmp_path: Path) -> None:
    """Several segments, a clip above `TRACK_HERE_MAX_FRAMES` analysed frames, or any clip
    `formcheck analyze` reads, are tracked in workers only: this process never imports
    mediapipe, the blocks come back through spill files that are then removed, and the
    landmarks are those one landmarker tracks here (all of them for one worker; the first
    segment's for two), whether the workers were forked or spawned."""
    from serving import short_clip

    sample = Path(__file__).parents[1] / "sample_videos" / "single_leg_hip_thrust_left.mp4"
    frames = 2 * MIN_SEGMENT_FRAMES + 40  # long enough for two segments, and quick to track
    clip = short_clip(sample, tmp_path / "clip.mp4", frames / 30.0, 640)
    code = f"""
        import sys
        from pathlib import Path
        import formcheck.pose.parallel as par
        import formcheck.processes as processes
        from formcheck.pose.read import read_pose_series
        out = Path({str(tmp_path)!r})
        used = []
        def recorded(fork_if_safe):
            context = processes.start_context(fork_if_safe)
            used.append(context.get_start_method())
            return context
        par.start_context = recorded
        read_pose_series(Path({str(clip)!r}), workers=2)[0].save(out / "w2.npz")
        par.TRACK_HERE_MAX_FRAMES = 0  # as if the clip were long
        par.start_context = lambda fork_if_safe: processes.CONTEXT  # spawned this time
        read_pose_series(Path({str(clip)!r}), workers=1)[0].save(out / "w1.npz")
        par.TRACK_HERE_MAX_FRAMES, par.start_context = 10**9, recorded
        from formcheck.cli import main  # the CLI keeps even one landmarker in a worker
        assert main(["analyze", {str(clip)!r}, "--workers", "1", "--json", "-", "-q"]) == 0
        print(used, "mediapipe" in sys.modules)
    """
    spills = tmp_path / "tmp"
    spills.mkdir()
    env = {**os.environ, "TMPDIR": str(spills), "OPENBLAS_NUM_THREADS": "1"}  # as the CLI
    out = run_python(code, timeout=300, env=env)
    method = "fork" if sys.platform.startswith("linux") else "spawn"
    # the 2-worker run and the CLI's worker forked; the pose model never loaded here
    assert out.endswith(f"{[method, method]} False")
    assert '"reps"' in out  # the CLI's report.json
    assert list(spills.iterdir()) == []  # the spill files are gone
    here, _ = read_pose_series(clip, workers=1)
    assert len(here) == frames and "segments" not in here.meta
    first = plan_segments(frames, 2)[1].start
    for name, kept in (("w1", len(here)), ("w2", first)):
        apart = PoseSeries.load(tmp_path / f"{name}.npz")
        assert len(apart) == len(here), name
        assert np.array_equal(apart.n_people[:kept], here.n_people[:kept])
        for field in ("xy_px", "visibility", "world_xyz_m"):  # saved as float32
            a, b = getattr(apart, field)[:kept], getattr(here, field)[:kept].astype(np.float32)
            assert np.array_equal(a, b, equal_nan=True), (name, field)
    assert PoseSeries.load(tmp_path / "w2.npz").meta["segments"] == "2"
