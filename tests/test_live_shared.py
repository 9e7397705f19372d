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

import pytest
from conftest import shared_path

from formcheck import errors
from formcheck.cli import main
from formcheck.config import Config
from formcheck.evaluate.cache import LandmarkCache
from formcheck.live.session import EventLog, SessionOptions, run_session
from formcheck.live.sources import FileSource
from formcheck.pose.replay import ReplayPose
from formcheck.video.reader import VideoReader

pytestmark = [pytest.mark.model, pytest.mark.shared, pytest.mark.slow]

log = logging.getLogger(__name__)


def _clips() -> list[Path]:
    out = []
    for folder in ("synth", "videos"):
        labels = json.loads(shared_path(folder, "labels.json").read_text())
        out += [shared_path(folder, lab["file"]) for lab in labels]
    return out


class _Null:
    def write(self, s: str) -> None:
        pass

    def flush(self) -> None:
        pass


def test_live_agrees_with_offline_on_every_shared_clip(
    cache: LandmarkCache, tmp_path: Path
) -> None:
    """Same landmarks (the model's, cached), the live loop against the offline analysis."""
    reps = same = 0
    for clip in _clips():
        raw, _ = cache.get(clip)
        with FileSource(clip, every_frame=True) as src:
            opts = SessionOptions(out_dir=tmp_path / clip.stem, clip=clip.name)
            result = run_session(src, ReplayPose(raw), Config(), opts, EventLog(_Null()))
        assert result.report is not None
        offline = result.report.reps
        assert len(result.live_reps) == len(offline), clip.name
        for live, off in zip(result.live_reps, offline, strict=True):
            assert abs(live.lockout_s - off.lockout_s) < 0.5, clip.name
            reps += 1
            same += {f.code for f in live.faults} == {f.code for f in off.faults}
    log.info("live vs offline: %d of %d reps with the same faults", same, reps)
    assert reps >= 30  # 37 hip-thrust reps in ../shared
    assert same / reps >= 0.9


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
