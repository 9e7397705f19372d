"""Live coaching on ../shared with the real pose model, driven headless from --source.

Acceptance (issue 5): on the shared clips the live rep count equals the offline count, and
the live per-rep faults agree with offline on at least 90% of reps.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import known
import numpy as np
import pytest
from conftest import labelled_shared_clips, shared_path
from pacing import PacedRun, run_paced
from test_live_paced import ON_TIME_S, assert_on_time

from formcheck import errors
from formcheck.cli import main
from formcheck.config import Config, load_config
from formcheck.evaluate.cache import LandmarkCache
from formcheck.landmarks.series import PoseSeries
from formcheck.live import session
from formcheck.live.analyzer import LiveAnalyzer
from formcheck.live.session import EventLog, SessionOptions, run_session
from formcheck.live.sources import FileSource
from formcheck.pose.replay import ReplayPose
from formcheck.video.reader import VideoReader

pytestmark = [
    pytest.mark.model,
    pytest.mark.shared,
    pytest.mark.slow,
    pytest.mark.usefixtures("warm_cache"),  # every clip's landmarks, several at once
]

log = logging.getLogger(__name__)


class _Null:
    def write(self, s: str) -> None:
        pass

    def flush(self) -> None:
        pass


def _live_vs_offline(cache: LandmarkCache, clip: Path, out: Path) -> tuple[int, int]:
    """Same landmarks (the model's, cached), the live loop against the offline analysis:
    the same reps (count and lockouts); returns (reps, reps with the same faults)."""
    raw, _ = cache.get(clip)
    with FileSource(clip, every_frame=True) as src:
        opts = SessionOptions(out_dir=out / clip.stem, clip=clip.name)
        result = run_session(src, ReplayPose(raw), Config(), opts, EventLog(_Null()))
    assert result.report is not None
    offline = result.report.reps
    assert len(result.live_reps) == len(offline), clip.name
    same = 0
    for live, off in zip(result.live_reps, offline, strict=True):
        assert abs(live.lockout_s - off.lockout_s) < 0.5, clip.name
        same += {f.code for f in live.faults} == {f.code for f in off.faults}
    return len(offline), same


def test_live_agrees_with_offline_on_every_shared_clip(
    cache: LandmarkCache, tmp_path: Path
) -> None:
    reps = same = 0
    for clip in labelled_shared_clips():
        if clip.name not in known.LIVE:
            n, k = _live_vs_offline(cache, clip, tmp_path)
            reps, same = reps + n, same + k
    log.info("live vs offline: %d of %d reps with the same faults", same, reps)
    assert reps >= 45  # 55 hip-thrust-family reps in ../shared, by the offline count
    assert same / reps >= 0.9


@pytest.mark.parametrize("name", known.marked(known.LIVE, known.LIVE, str))
def test_live_agrees_with_offline_on_a_known_clip(
    cache: LandmarkCache, tmp_path: Path, name: str
) -> None:
    _live_vs_offline(cache, shared_path("videos", name), tmp_path)


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, list[dict[str, Any]]]:
    code = main(args)
    out = capsys.readouterr().out
    return code, [json.loads(line) for line in out.splitlines() if line.startswith("{")]


LITE = ("models", "pose_landmarker_lite.task")


def test_cli_live_headless_on_the_sample(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    sample = Path(__file__).parents[1] / "sample_videos" / "hip_thrust_side.mp4"
    code, events = _run(
        [
            "live",
            "--source",
            str(sample),
            "--every-frame",
            "--headless",
            "--model",
            str(shared_path(*LITE)),
            "--out",
            str(tmp_path),
        ],
        capsys,
    )
    assert code == errors.EXIT_OK
    setup = [e for e in events if e["event"] == "setup"]
    assert setup and setup[0]["ready"] and setup[0]["view"].startswith("side")
    reps = [e for e in events if e["event"] == "rep"]
    assert [e["rep"] for e in reps] == [1, 2, 3, 4, 5]
    assert any(e["event"] == "cue" and e["fault"] for e in events)
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["rep_count"] == 5 == events[-1]["reps"]
    saved = [json.loads(x) for x in (tmp_path / "events.jsonl").read_text().splitlines()]
    assert saved == events


def test_cli_live_paced_with_recording(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    clip = shared_path("videos", "kinkatsu__glute_bridge.mp4")
    code, events = _run(
        [
            "live",
            "--source",
            str(clip),
            "--headless",
            "--record",
            "--model",
            str(shared_path(*LITE)),
            "--out",
            str(tmp_path),
        ],
        capsys,
    )
    assert code == errors.EXIT_OK
    assert events[-1]["event"] == "end" and events[-1]["reps"] == 1
    report = json.loads((tmp_path / "report.json").read_text())
    for name in ("raw.mp4", "annotated.mp4"):
        with VideoReader(tmp_path / name) as r:
            assert sum(1 for _ in r) == report["video"]["frames"] == events[-1]["frames"]
    assert (tmp_path / "report.html").is_file()


def test_cli_live_without_a_camera_is_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code = main(["live", "--camera", "7", "--headless", "--out", str(tmp_path)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == errors.EXIT_CAMERA
    assert err == [
        "formcheck: error: camera 7: cannot be opened (no camera, or another program is using it)"
    ]


def test_cli_live_missing_source_is_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code = main(["live", "--source", str(tmp_path / "nope.mp4"), "--headless"])
    assert code == errors.EXIT_INPUT
    assert (
        capsys.readouterr().err.strip()
        == f"formcheck: error: {tmp_path / 'nope.mp4'}: no such file"
    )


@pytest.fixture
def display() -> Iterator[str]:
    """A virtual X display (Debian's xvfb, installed by .ci/run)."""
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        pytest.fail("Xvfb is missing: apt-get install xvfb xdotool (.ci/run does)")
    name = ":87"
    proc = subprocess.Popen([xvfb, name, "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
    time.sleep(1.0)
    try:
        yield name
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_live_window_with_real_keys(display: str, tmp_path: Path) -> None:
    """The real OpenCV window on a virtual display; xdotool presses space twice, then q."""
    env = {**os.environ, "DISPLAY": display}
    clip = Path(__file__).parents[1] / "sample_videos" / "hip_thrust_side.mp4"
    cmd = [sys.executable, "-m", "formcheck.cli", "live", "--source", str(clip)]
    cmd += ["--model", str(shared_path(*LITE)), "--out", str(tmp_path)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def press(key: str) -> None:
        subprocess.run(
            [
                "xdotool",
                "search",
                "--sync",
                "--name",
                "formcheck live",
                "windowfocus",
                "--sync",
                "key",
                key,
            ],
            env=env,
            check=True,
            timeout=30,
            capture_output=True,
        )

    time.sleep(8.0)  # model loaded, two reps in
    press("space")
    time.sleep(1.0)
    press("space")
    time.sleep(1.0)
    press("q")
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == errors.EXIT_OK, err
    assert "set ended: key q" in out
    events = [json.loads(x) for x in (tmp_path / "events.jsonl").read_text().splitlines()]
    assert events[-1]["event"] == "end" and events[-1]["ended_by"] == "key q"
    assert (tmp_path / "report.json").is_file() and (tmp_path / "report.html").is_file()


# --- real-time pacing (issue 14): every verdict during the set ----------------------------

#: Every sample clip and every clip of ../shared/synth and ../shared/videos.
SAMPLES = Path(__file__).parents[1] / "sample_videos"


def _every_clip() -> list[Path]:
    return [SAMPLES / lab["file"] for lab in json.loads((SAMPLES / "labels.json").read_text())]


#: The slow machine of the paced runs: the pose model takes 1.5 frames of a 30 fps camera
#: (a third of the frames dropped), and a rep's verdict blocks the loop for 0.3 s (about 3x
#: the median measured here: docs/PERFORMANCE.md).
POSE_COST_S, VERDICT_COST_S = 0.05, 0.3


class PacedRuns:
    """Each clip's paced session, run once per test session (the per-clip checks and the
    fault agreement over all clips share them)."""

    def __init__(self, cache: LandmarkCache, folder: Path) -> None:
        self.cache, self.folder = cache, folder
        self.runs: dict[Path, PacedRun] = {}

    def get(self, clip: Path) -> PacedRun:
        if clip not in self.runs:
            raw, _ = self.cache.get(clip)
            with pytest.MonkeyPatch.context() as mp:
                mp.setattr(session, "write_outputs", lambda *a, **k: None)  # not needed here
                self.runs[clip] = run_paced(
                    raw,
                    self.folder / clip.stem,
                    mp,
                    pose_cost_s=POSE_COST_S,
                    verdict_cost_s=VERDICT_COST_S,
                )
        return self.runs[clip]


@pytest.fixture(scope="module")
def paced(cache: LandmarkCache, tmp_path_factory: pytest.TempPathFactory) -> PacedRuns:
    return PacedRuns(cache, tmp_path_factory.mktemp("paced"))


@pytest.mark.parametrize(
    "clip",
    known.marked(_every_clip() + labelled_shared_clips(), known.PACED, lambda c: c.name),
    ids=lambda c: c.name,
)
def test_paced_live_verdicts_on_time(paced: PacedRuns, clip: Path) -> None:
    """The model's landmarks played in real time on a slow machine (a virtual clock: the
    same frames dropped every run): every rep event within 1.5 s of that rep's end in the
    session report, numbered and counted as the report, at the report's lockouts."""
    run = paced.get(clip)
    assert_on_time(run)
    report = run.result.report
    assert report is not None
    for live, off in zip(run.result.live_reps, report.reps, strict=True):
        assert abs(live.lockout_s - off.lockout_s) < 0.5


def test_paced_live_faults_agree_with_the_report(paced: PacedRuns) -> None:
    """The paced verdicts carry the report's faults on at least 90% of reps, as unpaced.
    Some cannot agree: range_drift is judged against the set's best rep, which may come
    after the rep; a top hold or descent at a threshold can tip either way on the frames
    kept."""
    reps = same = 0
    for clip in _every_clip() + labelled_shared_clips():
        if clip.name in known.PACED:
            continue
        run = paced.get(clip)
        assert run.result.report is not None
        for live, off in zip(run.result.live_reps, run.result.report.reps, strict=True):
            reps += 1
            same += {f.code for f in live.faults} == {f.code for f in off.faults}
    log.info("paced live vs its report: %d of %d reps with the same faults", same, reps)
    assert reps >= 45 and same / reps >= 0.9


@pytest.fixture(params=["quiet", "busy"])
def machine(request: pytest.FixtureRequest) -> Iterator[str]:
    """As it is, or with a CPU-bound process beside the test (one of the two cores)."""
    if request.param == "quiet":
        yield "quiet"
        return
    burner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        yield "busy"
    finally:
        burner.kill()
        burner.wait(timeout=10)


def _count_mismatch(
    reps: list[dict[str, Any]], report: dict[str, Any], out: Path, machine: str
) -> str:
    """What a wall-clock run that disagrees with its report needs to be understood (the
    frames dropped differ every run, so the run cannot be repeated): the live verdicts, the
    report's reps, when the recording began, and whether replaying the recorded frames
    through the live analyzer (no further drops) gives the live count again."""
    if [e["rep"] for e in reps] == [r["index"] for r in report["reps"]]:
        return machine
    rec = PoseSeries.load(out / "landmarks.npz")
    an = LiveAnalyzer(load_config(None), rec.image_size, rec.fps)
    again = [
        r
        for i in range(len(rec))
        for r in an.push(float(rec.timestamps_s[i]), rec.frame(i)).assessed
    ]
    again += an.finish()
    return (
        f"{machine}: live (lockout, end) {[(e['lockout_s'], e['end_s']) for e in reps]}; "
        f"report (start, lockout, end) "
        f"{[(r['start_s'], r['lockout_s'], r['end_s']) for r in report['reps']]}; "
        f"{len(rec)} frames recorded from {rec.timestamps_s[0]:.2f} to "
        f"{rec.timestamps_s[-1]:.2f} s, largest gap {np.diff(rec.timestamps_s).max():.2f} s; "
        f"replayed: {[round(r.lockout_s, 2) for r in again]}"
    )


@pytest.mark.parametrize("name", [c.name for c in _every_clip()])
def test_cli_live_in_real_time_gives_each_verdict_during_the_set(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str, machine: str
) -> None:
    """`formcheck live --source CLIP --headless` as a user runs it (real-time pacing, the
    lite model), on a quiet and on a busy machine: every rep event within 1.5 s of the end
    of that rep in the session report, numbered as the report, with its faults on all reps
    but at most one. Which frames are dropped differs run to run, and so can the lite model's
    legs at a top (on single_leg_hip_thrust_left rep 2 it merges the two legs on some runs:
    peak 128-173 deg, heels 0.2-1.1 torso lengths), so a rep whose tracking tips a fault
    either way is allowed once; fault agreement on fixed frames is
    test_paced_live_faults_agree_with_the_report."""
    clip = SAMPLES / name
    args = ["live", "--source", str(clip), "--headless", "--model", str(shared_path(*LITE))]
    code, events = _run([*args, "--out", str(tmp_path)], capsys)
    assert code == errors.EXIT_OK
    report = json.loads((tmp_path / "report.json").read_text())
    reps = [e for e in events if e["event"] == "rep"]
    why = _count_mismatch(reps, report, tmp_path, machine)
    assert [e["rep"] for e in reps] == [r["index"] for r in report["reps"]], why
    assert events[-1]["reps"] == report["rep_count"] == len(reps)
    differ = []
    for event, rep in zip(reps, report["reps"], strict=True):
        late = event["end_s"] + event["delay_s"] - rep["end_s"]
        log.info("%s %s rep %d: verdict %.2f s after its end", name, machine, rep["index"], late)
        assert 0.0 <= late <= ON_TIME_S, (machine, rep["index"], late)
        assert abs(event["lockout_s"] - rep["lockout_s"]) < 0.5
        said, found = set(event["faults"]), {f["code"] for f in rep["faults"]}
        if said != found:
            differ.append((rep["index"], sorted(said), sorted(found)))
    log.info("%s %s: reps whose live faults differ from the report: %s", name, machine, differ)
    assert len(differ) <= 1, (machine, differ)


def test_live_window_gives_each_verdict_during_the_set(display: str, tmp_path: Path) -> None:
    """The real OpenCV window on a virtual display, no key pressed, until the clip ends:
    the window's drawing and key polling leave the verdicts as timely as headless."""
    env = {**os.environ, "DISPLAY": display}
    clip = SAMPLES / "single_leg_hip_thrust_left.mp4"
    cmd = [sys.executable, "-m", "formcheck.cli", "live", "--source", str(clip)]
    cmd += ["--model", str(shared_path(*LITE)), "--out", str(tmp_path)]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == errors.EXIT_OK, done.stderr
    events = [json.loads(x) for x in (tmp_path / "events.jsonl").read_text().splitlines()]
    report = json.loads((tmp_path / "report.json").read_text())
    reps = [e for e in events if e["event"] == "rep"]
    assert [e["rep"] for e in reps] == [r["index"] for r in report["reps"]]
    assert report["rep_count"] == 3
    for event, rep in zip(reps, report["reps"], strict=True):
        assert 0.0 <= event["end_s"] + event["delay_s"] - rep["end_s"] <= ON_TIME_S
