"""formcheck eval: rep matching, fault counting, aggregation, failed clips as rows.

No model runs here: clips' landmarks are put in the cache beforehand (built sets).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from builders import RepShape, build_set

from formcheck.cli import main
from formcheck.evaluate.cache import LandmarkCache
from formcheck.evaluate.dataset import LabelledClip
from formcheck.evaluate.run import evaluate
from formcheck.evaluate.scoring import FaultCounts, match_reps, score_cuts
from formcheck.evaluate.summary import summarize, to_markdown
from formcheck.pose.models import resolve_model


@pytest.mark.parametrize(
    ("true", "found", "expected"),
    [
        ([2.0, 7.0], [2.1, 7.3], {0: 0, 1: 1}),  # one to one, in order
        ([2.0, 7.0], [7.2], {1: 0}),  # a missed first rep
        ([2.0], [1.8, 2.3], {0: 0}),  # the closer of two candidates
        ([2.0], [4.0], {}),  # too far apart: no match
        ([2.0, 2.6], [2.5], {1: 0}),  # each detected rep used once, the closest pair wins
    ],
)
def test_match_reps(true: list[float], found: list[float], expected: dict[int, int]) -> None:
    assert match_reps(true, found) == expected


@pytest.mark.parametrize(
    ("tp", "fp", "fn", "f1"),
    [(4, 0, 0, 1.0), (1, 1, 0, 2 / 3), (0, 0, 3, 0.0), (0, 0, 0, None)],
)
def test_f1(tp: int, fp: int, fn: int, f1: float | None) -> None:
    assert FaultCounts(tp, fp, fn).f1 == (pytest.approx(f1) if f1 is not None else None)


CHECKED = ["incomplete_lockout", "lumbar_hyperextension", "no_top_pause", "range_drift"]


def test_score_cuts_matches_each_cut_once_within_tolerance() -> None:
    problems: list[str] = []
    counts = score_cuts([1.5, 6.0, 16.2], [1.53, 1.57, 16.25, 9.0], problems)
    assert (counts.tp, counts.fp, counts.fn) == (2, 2, 1)
    assert problems == ["missed the cut at 6.00 s", "false cut at 1.57 s", "false cut at 9.00 s"]


def _dataset(tmp_path: Path, cache: LandmarkCache) -> Path:
    """Three clips: clean, one with faults (one mislabelled on purpose), one broken file."""
    folder = tmp_path / "data"
    folder.mkdir()
    sets = {
        "clean.mp4": [RepShape()] * 3,
        "faults.mp4": [RepShape(), RepShape(top_trunk_deg=-25.0), RepShape(top_s=0.0)],
    }
    labels = []
    for name, shapes in sets.items():
        series, truth = build_set(shapes, noise_px=1.0)
        clip = folder / name
        clip.write_bytes(name.encode())  # stands for the video: the cache is keyed by content
        series.save(cache.folder / f"{cache.key(clip)}.npz")
        labels.append(
            {
                "file": name,
                "exercise": "hip_thrust",
                "view": "side",
                "confidence": "high",
                "reps": len(shapes),
                "faults_checked": CHECKED,
                "rep_details": [
                    {"index": k + 1, "lockout_s": t, "faults": []}
                    for k, t in enumerate(truth.lockout_s)
                ],
            }
        )
    labels[1]["rep_details"][1]["faults"] = ["lumbar_hyperextension"]
    labels[1]["rep_details"][0]["faults"] = ["incomplete_lockout"]  # wrong on purpose: a miss
    # rep 3's no_top_pause is left unlabelled on purpose: a false fault
    (folder / "broken.mp4").write_text("not a video")
    labels.append({"file": "broken.mp4", "exercise": "hip_thrust", "reps": 2, "confidence": "high"})
    (folder / "labels.json").write_text(json.dumps(labels))
    return folder


@pytest.fixture
def cache(tmp_path: Path) -> LandmarkCache:
    folder = tmp_path / "cache"
    folder.mkdir()
    return LandmarkCache(folder, resolve_model(None))


def test_evaluate_counts_and_rows(tmp_path: Path, cache: LandmarkCache) -> None:
    result = evaluate([_dataset(tmp_path, cache)], cache.folder)
    summary = summarize(result.rows)
    overall = summary["overall"]
    assert overall["clips"] == 3 and overall["failed"] == 1
    assert overall["rep_count_exact"] == 1.0  # over the clips that could be analysed
    faults = overall["faults"]
    assert (faults["lumbar_hyperextension"]["tp"], faults["lumbar_hyperextension"]["fp"]) == (1, 0)
    assert faults["incomplete_lockout"]["fn"] == 1
    assert faults["no_top_pause"]["fp"] == 1
    broken = next(c for c in summary["clips"] if c["clip"] == "broken.mp4")
    assert "not a readable video" in broken["error"]
    assert result.cache_misses == 1  # only the broken clip reached the model path
    md = to_markdown(summary)
    assert "| lumbar_hyperextension | 1 | 0 | 0 |" in md
    assert "rep 1: missed incomplete_lockout" in md


def test_cli_eval_writes_reports(tmp_path: Path, cache: LandmarkCache, capsys) -> None:  # type: ignore[no-untyped-def]
    data = _dataset(tmp_path, cache)
    out = tmp_path / "out"
    assert main(["eval", str(data), "--cache", str(cache.folder), "--out", str(out), "-q"]) == 0
    assert json.loads((out / "eval.json").read_text())["overall"]["clips"] == 3
    assert (out / "eval.md").read_text().startswith("| subset |")
    assert "landmark cache:" in capsys.readouterr().out


def test_cli_eval_rejects_a_folder_without_labels(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["eval", str(tmp_path)]) == 3
    assert "no labels.json" in capsys.readouterr().err


def test_a_strided_analysis_is_scored_against_the_frames_it_analysed(tmp_path: Path) -> None:
    """Analysed frame k of a clip analysed at every 2nd frame is the clip's frame 2k: its hip
    angle is compared with that frame's truth, not with frame k's."""
    from types import SimpleNamespace

    import numpy as np

    from formcheck.analysis.metrics import hip_extension_deg
    from formcheck.evaluate.dataset import LabelledClip
    from formcheck.evaluate.scoring import hip_angle_errors
    from formcheck.landmarks.names import joint

    n = 40
    px = np.zeros((n, 33, 2))
    angle = np.radians(np.linspace(120.0, 180.0, n))  # the hip opening frame by frame
    px[:, joint("hip", "left")] = (100.0, 100.0)
    px[:, joint("knee", "left")] = (200.0, 100.0)
    px[:, joint("shoulder", "left"), 0] = 100.0 + 100.0 * np.cos(angle)
    px[:, joint("shoulder", "left"), 1] = 100.0 + 100.0 * np.sin(angle)
    clip = tmp_path / "c.mp4"
    np.savez(tmp_path / "c_gt.npz", gt_px=px)
    truth = hip_extension_deg(
        px[:, joint("shoulder", "left")], px[:, joint("hip", "left")], px[:, joint("knee", "left")]
    )
    report = SimpleNamespace(
        view=SimpleNamespace(sagittal=True),
        series=SimpleNamespace(meta={"stride": "2"}),
        metrics=SimpleNamespace(hip_extension_deg=truth[::2].copy()),
    )
    labelled = LabelledClip("d", clip, {"file": "c.mp4", "near_side": "left"})
    err = hip_angle_errors(labelled, report)  # type: ignore[arg-type]
    assert err is not None and len(err) == n // 2 and float(err.max()) < 1e-9


@pytest.mark.parametrize(
    ("view", "family"),
    [
        ("side, right side facing", "side"),
        ("oblique25_head", "oblique"),
        ("front (from the feet)", "front"),
        ("from the head", "head"),
        ("stacked panels", "other"),
        ("side view of the person's LEFT side (head to image right)", "side"),
        ("two shots: front-on from the feet; a cut to a side view", "side"),
    ],
)
def test_view_families_of_labels(view: str, family: str) -> None:
    clip = LabelledClip("d", Path("c.mp4"), {"file": "c.mp4", "view": view})
    assert clip.view_family == family


def test_a_first_run_and_a_rerun_see_the_same_landmarks(
    tmp_path: Path, cache: LandmarkCache, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cache keeps landmarks as float32: a miss returns what a later hit will, so a first
    eval and a rerun score alike (a bar speed's median once moved from 6.4% to 7.1%)."""
    import numpy as np

    import formcheck.evaluate.cache as cache_module

    series, _ = build_set([RepShape()] * 2)
    fine = series.with_arrays(xy_px=series.xy_px + 1e-6)  # not representable in float32
    monkeypatch.setattr(cache_module, "read_pose_series", lambda *a, **k: (fine, ["w"]))
    clip = tmp_path / "c.mp4"
    clip.write_bytes(b"any bytes: the key is their hash")
    first, warnings = cache.get(clip)
    again, _ = cache.get(clip)
    assert (cache.misses, cache.hits) == (1, 1) and warnings == ["w"]
    assert np.array_equal(first.xy_px, again.xy_px, equal_nan=True)
    assert not np.array_equal(first.xy_px, fine.xy_px, equal_nan=True)


@pytest.mark.model
@pytest.mark.slow
def test_fill_runs_the_model_on_several_clips_at_once(tmp_path: Path) -> None:
    """`fill` puts every readable clip in the cache from worker processes; their first `get`
    is not counted as a hit; an unreadable clip is left for `get` to raise."""
    from serving import short_clip

    from formcheck.errors import InputError

    sample = Path(__file__).parents[1] / "sample_videos"
    clips = [
        short_clip(sample / "glute_bridge_right.mp4", tmp_path / "a.mp4", 2.0, 320, 2),
        short_clip(sample / "hip_thrust_side.mp4", tmp_path / "b.mp4", 2.0, 320, 2),
    ]
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"not a video")
    cache = LandmarkCache(tmp_path / "cache", resolve_model(None))
    done: list[Path] = []
    cache.fill([*clips, broken, clips[0]], workers=2, done=done.append)
    assert sorted(done) == sorted([*clips, broken])
    assert (cache.misses, cache.hits) == (2, 0)
    assert len(list((tmp_path / "cache").glob("*.npz"))) == 2
    for clip in clips:
        series, _ = cache.get(clip)
        assert len(series) > 10
    assert (cache.misses, cache.hits) == (2, 0)  # each clip's model run counted once
    cache.get(clips[1])
    assert cache.hits == 1
    with pytest.raises(InputError):
        cache.get(broken)
