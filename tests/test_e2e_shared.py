"""End to end on ../shared: real MediaPipe on every labelled clip, checked against labels.json.

Acceptance (issue 2): exact rep count on every synthetic clip and on every
hip-thrust-family clip labelled with high confidence; every labelled fault found
and none of the checked-but-absent ones; zero reps on the negatives.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import known
import numpy as np
import pytest
from conftest import SHARED, shared_labels, shared_path

from formcheck import errors
from formcheck.cli import main
from formcheck.config import Config
from formcheck.evaluate.cache import LandmarkCache
from formcheck.pipeline import analyze, analyze_series
from formcheck.pose.parallel import MIN_SEGMENT_FRAMES
from formcheck.processes import usable_cores
from formcheck.report.json_report import to_dict
from formcheck.results import Finding, Rep, SetReport, Unjudged

pytestmark = [pytest.mark.model, pytest.mark.shared, pytest.mark.slow]

log = logging.getLogger(__name__)

HIP_THRUST_FAMILY = {
    "hip_thrust",
    "glute_bridge",
    "frog_pump",
    "single_leg_hip_thrust",
    "single_leg_glute_bridge",
}


def _labels(folder: str) -> list[dict[str, Any]]:
    return json.loads(shared_path(folder, "labels.json").read_text())


CLIPS = [(folder, lab) for folder in ("synth", "videos") for lab in shared_labels(folder)]


def _file(case: tuple[str, dict[str, Any]]) -> str:
    """A case's clip file name (also its test id)."""
    return str(case[1]["file"])


@pytest.fixture(scope="session")
def reports(warm_cache: LandmarkCache) -> dict[str, SetReport]:
    """Every shared clip analysed once."""
    out = {}
    for folder, lab in CLIPS:
        raw, warnings = warm_cache.get(shared_path(folder, lab["file"]))
        out[lab["file"]] = analyze_series(raw, Config(), lab["file"], warnings)
    return out


def _saved(cache: LandmarkCache, folder: str, name: str, tmp_path: Path) -> Path:
    """The clip's landmarks as a file ``formcheck analyze`` can replay."""
    raw, _ = cache.get(shared_path(folder, name))
    target = tmp_path / f"{Path(name).stem}.npz"
    raw.save(target)
    return target


@pytest.mark.parametrize("case", known.marked(CLIPS, known.REP_COUNT, _file), ids=_file)
def test_rep_count(case: tuple[str, dict[str, Any]], reports: dict[str, SetReport]) -> None:
    folder, lab = case
    report = reports[lab["file"]]
    if lab["exercise"] not in HIP_THRUST_FAMILY:
        assert report.rep_count == 0
        assert report.status == "not_hip_thrust"
    elif folder == "synth" or lab["confidence"] == "high":
        assert report.rep_count == lab["reps"]
    else:
        low, high = lab.get("reps_range", [lab["reps"], lab["reps"]])
        assert low <= report.rep_count <= high


LABELLED = [c for c in CLIPS if c[1].get("faults_checked")]


#: A labelled rep is the report's rep whose lockout is nearest, at most this far (s) and
#: nearer than half the way to the next labelled lockout. A top held 3 s has its labelled
#: lockout in the middle of the hold and the report's where the hips are highest.
SAME_REP_S = 1.5


@pytest.mark.parametrize("case", known.marked(LABELLED, known.FAULTS, _file), ids=_file)
def test_labelled_faults(case: tuple[str, dict[str, Any]], reports: dict[str, SetReport]) -> None:
    """Each labelled rep, matched to the report's rep by lockout time (a clip whose count is
    off still has its other reps checked; a labelled rep the report lacks fails)."""
    _, lab = case
    report = reports[lab["file"]]
    checked = set(lab["faults_checked"])
    tops = [r["lockout_s"] for r in lab["rep_details"]]
    for want in lab["rep_details"]:
        others = [abs(t - want["lockout_s"]) / 2 for t in tops if t != want["lockout_s"]]
        reach = min([SAME_REP_S, *others])
        near = [r for r in report.reps if abs(r.lockout_s - want["lockout_s"]) <= reach]
        assert near, f"labelled rep {want['index']} (lockout {want['lockout_s']} s) not found"
        rep = min(near, key=lambda r: abs(r.lockout_s - want["lockout_s"]))
        got = {f.code for f in rep.faults}
        assert set(want["faults"]) <= got, f"rep {rep.index}: missed {set(want['faults']) - got}"
        false = (got & checked) - set(want["faults"])
        assert not false, f"rep {rep.index}: false faults {false}"


@pytest.mark.parametrize("case", [c for c in CLIPS if c[0] == "synth"], ids=_file)
def test_synth_lockout_times(
    case: tuple[str, dict[str, Any]], reports: dict[str, SetReport]
) -> None:
    _, lab = case
    report = reports[lab["file"]]
    for rep, want in zip(report.reps, lab["rep_details"], strict=True):
        assert rep.lockout_s == pytest.approx(want["lockout_s"], abs=0.4)


def test_a_plate_over_the_hip(reports: dict[str, SetReport]) -> None:
    """wongfit__hip-thrust: the plate hides the hip all set long, so the lockout is not judged
    (MediaPipe's guess measured 135-148 deg on tops straight by eye); the bar stands in for
    the hip's motion, at the labelled lockouts, with a plausible hip-thrust bar path."""
    report = reports["wongfit__hip-thrust.mp4"]
    assert report.bar is not None and report.bar.m_per_px is not None
    (label,) = [c for c in _labels("videos") if c["file"] == "wongfit__hip-thrust.mp4"]
    tops = [r["lockout_s"] for r in label["rep_details"]]
    assert len(report.reps) == len(tops)
    for rep, top in zip(report.reps, tops, strict=True):
        assert abs(rep.lockout_s - top) < 0.5
        assert "incomplete_lockout" in rep.not_judged and rep.peak_hip_extension_deg is None
        assert rep.bar is not None and rep.bar.rise_m is not None
        assert rep.bar.mean_velocity_m_s is not None
        assert 0.15 < rep.bar.rise_m < 0.5 and 0.1 < rep.bar.mean_velocity_m_s < 1.0
    for name, rep_report in reports.items():  # no other clip has a load over the hip
        if name not in ("wongfit__hip-thrust.mp4", "gymfitness__hip-thrust.mp4"):
            assert rep_report.bar is None, name
            hidden = [
                r.index
                for r in rep_report.reps
                if any(nj.reason is Unjudged.LOAD for nj in r.not_judged.values())
            ]
            assert not hidden, name


def test_near_side_and_view(reports: dict[str, SetReport]) -> None:
    for lab in _labels("synth"):
        view = reports[lab["file"]].view
        assert view.sagittal
        assert view.near_side == lab["near_side"]


def test_replay_gives_the_same_report(
    reports: dict[str, SetReport], cache: LandmarkCache, tmp_path: Path
) -> None:
    name = "dev_faults_side.mp4"
    replayed = to_dict(analyze(_saved(cache, "synth", name, tmp_path)))
    original = to_dict(reports[name])
    replayed.pop("clip"), original.pop("clip")
    assert replayed == original


def test_cli_exit_code_for_a_negative(
    cache: LandmarkCache,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    npz = _saved(cache, "videos", "wongfit__deadlift.mp4", tmp_path)
    code = main(["analyze", str(npz), "--out", str(tmp_path / "out")])
    assert code == errors.EXIT_NOT_HIP_THRUST
    data = json.loads((tmp_path / "out" / "report.json").read_text())
    assert data["rep_count"] == 0 and data["status"] == "not_hip_thrust"
    assert "not a hip thrust" in capsys.readouterr().err


def test_several_people_are_reported(tmp_path: Path) -> None:
    """Two lifters side by side: analysed, with a warning that names the problem."""
    import cv2

    from formcheck.video.reader import VideoReader
    from formcheck.video.writer import VideoSink

    clip = tmp_path / "two_people.mp4"
    with VideoReader(shared_path("synth", "dev_clean_side.mp4")) as reader:
        info = reader.info
        with VideoSink(clip, info.width, info.height // 2 * 2, info.fps) as sink:
            for frame in reader:
                if frame.index >= 150:
                    break
                half = cv2.resize(frame.image_bgr, (info.width // 2, info.height // 2))
                pair = cv2.hconcat([half, half])
                sink.write(
                    cv2.copyMakeBorder(
                        pair, info.height // 4, info.height // 4, 0, 0, cv2.BORDER_REPLICATE
                    )[: info.height // 2 * 2]
                )
    report = analyze(clip)
    assert any("several people" in w for w in report.warnings)


def test_readme_sample(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The README's main command on the bundled sample: report matches the sample's labels."""
    root = Path(__file__).resolve().parents[1] / "sample_videos"
    label = json.loads((root / "labels.json").read_text())[0]
    code = main(["analyze", str(root / label["file"]), "--out", str(tmp_path)])
    assert code == errors.EXIT_OK
    data = json.loads((tmp_path / "report.json").read_text())
    assert data["rep_count"] == label["reps"]
    for rep, want in zip(data["reps"], label["rep_details"], strict=True):
        assert set(want["faults"]) <= {f["code"] for f in rep["faults"]}
    out = capsys.readouterr().out  # the verdict first, then where the video and page went
    assert "what to work on next" in out
    assert out.index("what to work on next") < out.index("json:") < out.index("video:")
    assert out.index("video:") < out.index("report:")
    # the page plays the clip itself and draws the analysis over it
    assert (tmp_path / "clip.mp4").read_bytes() == (root / label["file"]).read_bytes()
    page = (tmp_path / "report.html").read_text()
    assert f"{data['rep_count']} (" in page or f">{data['rep_count']}<" in page
    assert 'src="clip.mp4"' in page and 'id="fc-canvas"' in page
    assert "data:image/jpeg;base64," in page
    assert not (tmp_path / "annotated.mp4").exists()


def test_annotated_video_on_request(tmp_path: Path) -> None:
    """--annotated: the analysis drawn into every frame of annotated.mp4, which the page plays."""
    import cv2

    clip = Path(__file__).resolve().parents[1] / "sample_videos" / "glute_bridge_right.mp4"
    assert main(["analyze", str(clip), "--out", str(tmp_path), "--annotated", "-q"]) == 0
    source, video = cv2.VideoCapture(str(clip)), cv2.VideoCapture(str(tmp_path / "annotated.mp4"))
    assert video.get(cv2.CAP_PROP_FRAME_COUNT) == source.get(cv2.CAP_PROP_FRAME_COUNT)
    assert video.get(cv2.CAP_PROP_FPS) == pytest.approx(source.get(cv2.CAP_PROP_FPS))
    page = (tmp_path / "report.html").read_text()
    assert 'src="annotated.mp4"' in page and "data:image/jpeg;base64," in page
    assert not (tmp_path / "clip.mp4").exists()


BASELINE = Path(__file__).with_name("baseline_metrics.json")


def test_accuracy_not_below_baseline(cache: LandmarkCache, reports: dict[str, SetReport]) -> None:
    """formcheck eval over ../shared and the samples: no number may fall below the baseline.

    The baseline (tests/baseline_metrics.json) is committed; after a real improvement,
    regenerate it with ``python tools/update_baseline.py`` and commit it with the change.
    """
    from formcheck.evaluate.run import evaluate
    from formcheck.evaluate.summary import summarize

    folders = [
        shared_path("synth"),
        shared_path("videos"),
        Path(__file__).parents[1] / "sample_videos",
    ]
    rows = evaluate(folders, cache.folder, workers=usable_cores()).rows
    baseline = json.loads(BASELINE.read_text())
    tidy = tuple(r for r in rows if r.clip.name not in known.MESSY)
    messy = tuple(r for r in rows if r.clip.name in known.MESSY)
    assert len(messy) == len(known.MESSY)
    for part, name in ((tidy, "overall"), (messy, "messy")):
        _not_below(summarize(part)["overall"], baseline[name])


def _not_below(now: dict[str, Any], base: dict[str, Any]) -> None:
    assert now["clips"] == base["clips"]
    assert now["failed"] <= base["failed"]
    assert now["rep_count_exact"] >= base["rep_count_exact"]
    if base["hip_angle_mae_deg"] is not None:  # None: no clip with true angles
        assert now["hip_angle_mae_deg"] <= base["hip_angle_mae_deg"] + 0.25
    assert now["clean_reps_with_false_fault"] <= base["clean_reps_with_false_fault"]
    for code, f in base["faults"].items():
        if f["f1"] is not None:
            assert now["faults"][code]["f1"] >= f["f1"], code


# --- faster analysis (issue 7): the same verdicts ------------------------------------------

#: The largest hip-angle difference allowed between 2 landmarkers and 1, frame by frame inside
#: the reps (where verdicts are made; segments are planned from the frame count, so a clip
#: splits the same way every time). The model's numbers differ by CPU: measured worst 2.9 deg
#: (ht_db_side_standard) on earlier machines and 3.53 (fitnease__glute-bridge, rep 2's top,
#: handheld) on an AMD EPYC with AVX2 only. Outside the reps, where nothing is judged, the
#: model is unsure on freeze-frames and planks and the two differ by up to 7.2 deg there.
MAX_SEGMENT_DEG = 4.0
#: A fault one run flags and the other does not is borderline when the flagging run's value
#: is this near the rule's threshold: a few frames of a phase at 30 fps, a degree (measured:
#: descents of 0.983 and 1.0 s against 1.0; top holds of 0.433 and 0.5 s against 0.5).
BORDERLINE = {"s": 0.1, "deg": 1.0}


SHARED_SYNTH, SHARED_VIDEOS = SHARED / "synth", SHARED / "videos"


def _splittable() -> list[Path]:
    """Every clip long enough for two segments."""
    from formcheck.video.reader import VideoReader

    out = []
    folders = [SHARED_SYNTH, SHARED_VIDEOS, Path(__file__).parents[1] / "sample_videos"]
    for folder in folders:
        for lab in json.loads((folder / "labels.json").read_text()):
            with VideoReader(folder / lab["file"]) as r:
                if r.info.frame_count >= 2 * MIN_SEGMENT_FRAMES:
                    out.append(folder / lab["file"])
    return out


def test_two_landmarkers_give_the_same_verdicts(cache: LandmarkCache) -> None:
    """Same rep counts and statuses on every clip that splits; the same faults on every rep
    but where a value is borderline; the hip angles within MAX_SEGMENT_DEG inside the reps."""
    clips = [c for c in _splittable() if c.name not in known.SEGMENT_SPLIT]
    assert len(clips) >= 5
    reps = 0
    worst, borderline = {}, []
    for clip in clips:
        one, two, deg = _one_and_two(cache, clip)
        assert two.series.meta.get("segments") == "2", clip.name
        assert two.rep_count == one.rep_count and two.status == one.status, clip.name
        for a, b in zip(one.reps, two.reps, strict=True):
            odd = _unlike_faults(a, b)
            assert all(_borderline(f) for f in odd), f"{clip.name} rep {a.index}: {odd}"
            borderline += [f"{clip.name} rep {a.index} {f.code}" for f in odd]
            reps += 1
        worst[clip.name] = round(deg, 2)
    log.info("1 vs 2 landmarkers: borderline faults: %s; worst deg: %s", borderline, worst)
    assert max(worst.values()) < MAX_SEGMENT_DEG, worst
    assert reps >= 40, reps


def _unlike_faults(a: Rep, b: Rep) -> list[Finding]:
    """The findings of a rep that one run flags and the other does not."""
    codes_a, codes_b = {f.code for f in a.faults}, {f.code for f in b.faults}
    return [f for f in a.faults if f.code not in codes_b] + [
        f for f in b.faults if f.code not in codes_a
    ]


def _borderline(f: Finding) -> bool:
    return f.value is not None and abs(f.value - f.threshold) <= BORDERLINE.get(f.unit, 0.0)


def _one_and_two(cache: LandmarkCache, clip: Path) -> tuple[SetReport, SetReport, float]:
    """The clip analysed with one landmarker and with two; the largest hip-angle gap inside
    the reps (0 without reps)."""
    raw, warnings = cache.get(clip)
    one = analyze_series(raw, Config(), clip.name, warnings)
    two = analyze(clip, workers=2)
    diff = np.abs(one.metrics.hip_extension_deg - two.metrics.hip_extension_deg)
    inside = np.zeros(len(diff), bool)
    for rep in one.reps:
        inside[rep.phases.bottom_i : rep.phases.end_i + 1] = True
    seen = inside & np.isfinite(diff)
    return one, two, float(diff[seen].max()) if seen.any() else 0.0


@pytest.mark.parametrize("name", known.marked(known.SEGMENT_SPLIT, known.SEGMENT_SPLIT, str))
def test_two_landmarkers_agree_on_a_known_clip(cache: LandmarkCache, name: str) -> None:
    one, two, deg = _one_and_two(cache, SHARED_VIDEOS / name)
    assert two.rep_count == one.rep_count
    assert deg < MAX_SEGMENT_DEG


def test_stride_keeps_reps_of_60_fps_clips(cache: LandmarkCache) -> None:
    """``max_fps=30`` analyses the 60 fps clips at every other frame: same rep counts and
    statuses, tempo within 0.15 s; per-rep faults as measured in docs/PERFORMANCE.md (one
    borderline rushed_eccentric of two reps differs, which is why stride is opt-in)."""
    fast = [
        SHARED_VIDEOS / lab["file"]
        for lab in _labels("videos")
        if lab["file"].startswith("wongfit") and lab["file"] not in known.MESSY
    ]
    assert len(fast) == 3  # the glute bridge, the deadlift and the goblet squat
    reps = same = 0
    for clip in fast:
        raw, warnings = cache.get(clip)  # the default: every frame
        assert "stride" not in raw.meta
        every = analyze_series(raw, Config(), clip.name, warnings)
        strided = analyze(clip, max_fps=30)
        assert strided.series.meta.get("stride") == "2"
        assert strided.rep_count == every.rep_count, clip.name
        assert strided.status == every.status
        for a, b in zip(strided.reps, every.reps, strict=True):
            assert abs(a.tempo.concentric_s - b.tempo.concentric_s) < 0.15
            assert abs(a.lockout_s - b.lockout_s) < 0.1
            reps += 1
            same += {f.code for f in a.faults} == {f.code for f in b.faults}
    assert reps == 2 and same >= 1
