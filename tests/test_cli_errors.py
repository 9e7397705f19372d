"""CLI error paths (formcheck.cli.main): one line on stderr, a documented exit code.

In-process through ``main(argv)``; one test runs the installed entry point in a
subprocess to see the real stderr (native libraries included). Nothing here loads
the pose model.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from bad_inputs import empty as _empty
from bad_inputs import folder as _folder
from bad_inputs import missing as _missing
from bad_inputs import text as _text

from formcheck import errors
from formcheck.cli import main
from formcheck.landmarks.series import PoseSeries


@pytest.fixture(autouse=True)
def _in_tmp(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Run from a temp folder (the default output folder is relative), no model override."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FORMCHECK_MODEL", raising=False)


def _missing_npz(tmp_path: Path) -> Path:
    return tmp_path / "landmarks.npz"


def _foreign_npz(tmp_path: Path) -> Path:
    path = tmp_path / "other.npz"
    np.savez(path, weights=np.zeros(3))
    return path


def _truncated_npz(tmp_path: Path) -> Path:
    path = tmp_path / "cut.npz"
    PoseSeries.from_frames([0.0], [None], (64, 48), 30.0).save(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def _good_landmarks(tmp_path: Path, name: str, **change: object) -> Path:
    """A valid landmarks file of 5 empty frames, with ``change`` written over its arrays."""
    path = tmp_path / name
    times = [0.0, 0.033, 0.067, 0.1, 0.133]
    PoseSeries.from_frames(times, [None] * 5, (64, 48), 30.0).save(path)
    with np.load(path, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    arrays.update(change)  # type: ignore[arg-type]
    np.savez(path, **arrays)  # type: ignore[arg-type]
    return path


def _reversed_times(tmp_path: Path) -> Path:
    return _good_landmarks(tmp_path, "rev.npz", timestamps_s=np.array([5.9, 4, 3, 2, 1.0]))


def _nan_times(tmp_path: Path) -> Path:
    return _good_landmarks(tmp_path, "nan.npz", timestamps_s=np.array([0, np.nan, 0.1, 0.2, 0.3]))


def _fps_array(tmp_path: Path) -> Path:
    return _good_landmarks(tmp_path, "fps.npz", fps=np.array([30.0, 30.0]))


def _zero_fps(tmp_path: Path) -> Path:
    return _good_landmarks(tmp_path, "fps0.npz", fps=np.array(0.0))


def _random_npz(tmp_path: Path) -> Path:
    path = tmp_path / "random.npz"
    path.write_bytes(np.random.default_rng(0).bytes(4096))
    return path


def _assert_one_error_line(err: str, *words: str) -> None:
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("formcheck: error:"), err
    assert "Traceback" not in err
    for word in words:
        assert word in lines[0]


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (_missing, "no such file"),  # the clip does not exist
        (_text, "not a readable video"),  # a text file named clip.mp4
        (_empty, "empty file"),  # zero bytes
        (_folder, "is a folder"),  # a folder instead of a clip
        (_missing_npz, "cannot read landmarks"),  # saved landmarks that are not there
        (_foreign_npz, "not a formcheck landmarks file"),  # an npz from another tool
        (_truncated_npz, "cannot read landmarks"),  # saved landmarks cut in half
        (_reversed_times, "frame times that do not increase"),  # edited by hand or another tool
        (_nan_times, "frame times that are not numbers"),
        (_fps_array, "fps is not one number"),
        (_zero_fps, "frame rate 0.0"),
        (_random_npz, "not a formcheck landmarks file (not an .npz archive)"),  # not numpy's advice
    ],
)
def test_analyze_bad_input_exits_3_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make, words: str
) -> None:
    path = make(tmp_path)
    assert main(["analyze", str(path)]) == errors.EXIT_INPUT
    out, err = capsys.readouterr()
    _assert_one_error_line(err, str(path), words)
    assert out == ""
    assert not (tmp_path / "formcheck-out").exists()  # no report for a failed run


def test_a_config_that_is_not_utf8_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "latin1.toml"
    config.write_bytes("# réglages\n[faults]\nlockout_min_deg = 170\n".encode("latin-1"))
    assert main(["analyze", str(_text(tmp_path)), "--config", str(config)]) == errors.EXIT_USAGE
    _assert_one_error_line(capsys.readouterr().err, str(config), "not UTF-8")


@pytest.mark.parametrize(
    ("toml", "words"),
    [
        ("[faults]\nlockout_deg = 170\n", ["'lockout_deg'"]),  # unknown key
        ("[nope]\n", ["[nope]"]),  # unknown section
        ("[faults]\nlockout_min_deg = 500\n", ["lockout_min_deg", "[120, 180]"]),  # out of range
    ],
)
def test_analyze_with_a_bad_config_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], toml: str, words: list[str]
) -> None:
    config = tmp_path / "bad.toml"
    config.write_text(toml)
    clip = _text(tmp_path)  # the config is checked before the clip is opened
    assert main(["analyze", str(clip), "--config", str(config)]) == errors.EXIT_USAGE
    _assert_one_error_line(capsys.readouterr().err, str(config), *words)


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (None, "not a known model"),  # no such file
        (b"weights?", "not a pose model bundle (.task)"),  # a file that is not a bundle
    ],
)
def test_a_bad_model_file_exits_4(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes | None, words: str
) -> None:
    # a readable clip is needed to get as far as the model: write two tiny frames
    from formcheck.video.writer import VideoSink

    clip = tmp_path / "tiny.mp4"
    with VideoSink(clip, 32, 32, 10.0) as sink:
        for _ in range(2):
            sink.write(np.zeros((32, 32, 3), dtype=np.uint8))
    model = tmp_path / "nope.task"
    if content is not None:
        model.write_bytes(content)
    assert main(["analyze", str(clip), "--model", str(model)]) == errors.EXIT_MODEL
    _assert_one_error_line(capsys.readouterr().err, str(model), words)


def test_models_lists_the_full_model_as_ok(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["models"]) == errors.EXIT_OK
    out, err = capsys.readouterr()
    rows = {line.split()[0]: line.split()[1] for line in out.splitlines()}
    assert rows["full"] == "ok"
    assert set(rows) == {"full", "lite", "heavy"}
    assert "pose_landmarker_full.task" in out
    assert err == ""


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    # argparse's own errors (no subcommand) keep its usage text and exit code 2
    with pytest.raises(SystemExit) as info:
        main([])
    assert info.value.code == errors.EXIT_USAGE
    assert "Traceback" not in capsys.readouterr().err


def _entry_point() -> list[str]:
    script = shutil.which("formcheck", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "formcheck.cli"]


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (_missing, "no such file"),  # the clip does not exist
        (_text, "not a readable video"),  # FFmpeg's own complaints must stay quiet too
    ],
)
def test_installed_command_prints_one_line(tmp_path: Path, make, words: str) -> None:
    path = make(tmp_path)
    proc = subprocess.run(
        [*_entry_point(), "analyze", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == errors.EXIT_INPUT, proc.stderr
    _assert_one_error_line(proc.stderr, str(path), words)
    assert proc.stdout == ""


def test_a_missing_camera_is_one_line_without_opencvs_own(tmp_path: Path) -> None:
    """OpenCV prints "[ERROR:0@0.4] ... Camera index out of range" for a camera that is not
    there; formcheck's line is the only one (OpenCV's log shows with --debug)."""
    proc = subprocess.run(
        [*_entry_point(), "live", "--camera", "7", "--headless", "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == errors.EXIT_CAMERA, proc.stderr
    _assert_one_error_line(proc.stderr, "camera 7")


def test_version_comes_from_the_package_metadata(capsys: pytest.CaptureFixture[str]) -> None:
    """One version source: pyproject.toml, read back through the installed metadata."""
    import importlib.metadata

    import formcheck

    assert formcheck.__version__ == importlib.metadata.version("formcheck") != "0+unknown"
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"formcheck {formcheck.__version__}"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--out", "afile"], "exists and is not a folder"),  # --out names an existing file
        (["--out", "afile/reports"], "cannot be created (afile is a file)"),  # under a file
        (["--json", "adir"], "is a folder, not a file"),
        (["--save-landmarks", "afile/x.npz"], "cannot be created"),
    ],
)
def test_outputs_that_cannot_be_written_exit_2_before_any_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], words: str
) -> None:
    """Checked before the clip is even opened: a text file as the clip would give exit 3."""
    (tmp_path / "afile").write_text("x")
    (tmp_path / "adir").mkdir()
    clip = _text(tmp_path)
    assert main(["analyze", str(clip), *args]) == errors.EXIT_USAGE
    out, err = capsys.readouterr()
    _assert_one_error_line(err, words)
    assert out == ""


@pytest.mark.parametrize("frames", [1, 10])  # a single frame; 0.3 s of a setup
def test_landmarks_too_short_for_a_rep_exit_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], frames: int
) -> None:
    path = tmp_path / "short.npz"
    PoseSeries.from_frames([k / 30 for k in range(frames)], [None] * frames, (64, 48), 30.0).save(
        path
    )
    assert main(["analyze", str(path)]) == errors.EXIT_INPUT
    _assert_one_error_line(capsys.readouterr().err, "too short to contain a repetition")


@pytest.mark.model
@pytest.mark.parametrize("kind", ["png", "mp4"])
def test_a_still_image_or_one_frame_clip_exits_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    """A photo of a lifter, or a clip of one frame (was: exit 1, IndexError)."""
    import cv2

    from formcheck.video.reader import VideoReader
    from formcheck.video.writer import VideoSink

    sample = Path(__file__).resolve().parents[1] / "sample_videos" / "hip_thrust_side.mp4"
    with VideoReader(sample) as reader:
        frame = next(iter(reader)).image_bgr
    path = tmp_path / f"still.{kind}"
    if kind == "png":
        cv2.imwrite(str(path), frame)
    else:
        with VideoSink(path, frame.shape[1], frame.shape[0], 30.0) as sink:
            sink.write(frame)
    for args in (["analyze", str(path)], ["analyze", str(path), "--json", "-"]):
        assert main(args) == errors.EXIT_INPUT
        out, err = capsys.readouterr()
        _assert_one_error_line(err, "too short to contain a repetition", "1 frame")
        assert out == ""


def test_an_unreadable_clip_says_permission_denied(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A clip this user may not read (chmod 0 does not stop root, who runs CI here, so the
    permission check itself is made to say no for that one file)."""
    import formcheck.video.reader as reader

    clip = tmp_path / "locked.mp4"
    clip.write_bytes(b"\0" * 64)
    clip.chmod(0)
    real = os.access
    monkeypatch.setattr(
        reader.os, "access", lambda p, mode: False if Path(p) == clip else real(p, mode)
    )
    assert main(["analyze", str(clip)]) == errors.EXIT_INPUT
    _assert_one_error_line(capsys.readouterr().err, str(clip), "permission denied")


#: The bad-input corpus (built here; no third-party footage), by the commands that take it.
CORPUS = {
    "missing": (_missing, "no such file"),
    "text": (_text, "not a readable video"),
    "empty": (_empty, "empty file"),
    "folder": (_folder, "is a folder"),
    "truncated landmarks": (_truncated_npz, "cannot read landmarks"),
    "reversed times": (_reversed_times, "do not increase"),
    "NaN times": (_nan_times, "not numbers"),
    "fps array": (_fps_array, "fps is not one number"),
    "random bytes .npz": (_random_npz, "not an .npz archive"),
}
VIDEO_ONLY = ("missing", "text", "empty", "folder")


@pytest.mark.parametrize(
    ("command", "name"),
    [
        (command, name)
        for command in ("analyze", "analyze --json -", "batch", "live")
        for name in CORPUS
        if command != "live" or name in VIDEO_ONLY  # live plays video files only
    ],
)
def test_bad_input_corpus_through_every_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, command: str
) -> None:
    """Each bad input through each command that takes it: the documented exit code, one line
    on stderr naming the problem, no traceback. Batch turns it into a failed row (exit 8) and
    says why in the summary; live plays files only (landmark files are not a camera)."""
    make, words = CORPUS[name]
    path = make(tmp_path)
    out = tmp_path / "out"
    if command == "batch":
        code = main(["batch", str(path), "--out", str(out), "-q", "--workers", "1"])
        _, err = capsys.readouterr()
        if path.is_dir():  # batch reads a folder as a folder of clips: here, none
            assert code == errors.EXIT_INPUT
            _assert_one_error_line(err, "no clips found")
            return
        assert code == (errors.EXIT_BATCH_FAILED if path.exists() else errors.EXIT_INPUT), err
        assert "Traceback" not in err
        if path.exists():
            summary = (out / "summary.csv").read_text()
            assert words in summary, summary
        else:
            _assert_one_error_line(err, str(path), words)
        return
    args = {
        "analyze": ["analyze", str(path)],
        "analyze --json -": ["analyze", str(path), "--json", "-"],
        "live": ["live", "--source", str(path), "--headless", "--out", str(out)],
    }[command]
    assert main(args) == errors.EXIT_INPUT
    stdout, err = capsys.readouterr()
    _assert_one_error_line(err, str(path), words)
    assert stdout == ""


def _sample_frames(count: int) -> list[np.ndarray]:
    from formcheck.video.reader import VideoReader

    sample = Path(__file__).resolve().parents[1] / "sample_videos" / "hip_thrust_side.mp4"
    with VideoReader(sample) as reader:
        return [f.image_bgr for f, _ in zip(reader, range(count), strict=False)]


def _still_png(tmp_path: Path) -> Path:
    import cv2

    path = tmp_path / "still.png"
    cv2.imwrite(str(path), _sample_frames(1)[0])
    return path


def _clip_of(tmp_path: Path, frames: int) -> Path:
    from formcheck.video.writer import VideoSink

    images = _sample_frames(frames)
    path = tmp_path / f"first{frames}.mp4"
    with VideoSink(path, images[0].shape[1], images[0].shape[0], 30.0) as sink:
        for img in images:
            sink.write(img)
    return path


#: Inputs with a lifter in them (the pose model runs): a photo, one frame, 0.3 s of a setup.
SHORT = {
    "still image": _still_png,
    "one frame": lambda tmp_path: _clip_of(tmp_path, 1),
    "0.3 s": lambda tmp_path: _clip_of(tmp_path, 9),
}


@pytest.mark.model
@pytest.mark.parametrize("name", list(SHORT))
@pytest.mark.parametrize("command", ["analyze", "analyze --json -", "batch", "live"])
def test_too_short_through_every_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, command: str
) -> None:
    """Too short to hold a repetition: exit 3 and that reason (was exit 1, IndexError, and a
    traceback in batch; a 0.3 s clip was called 'not a hip thrust'; live said nobody was
    analysed). Live prints its frame statistics before the error line."""
    path = SHORT[name](tmp_path)
    out = tmp_path / "out"
    if command == "batch":
        code = main(["batch", str(path), "--out", str(out), "-q", "--workers", "1"])
        _, err = capsys.readouterr()
        assert code == errors.EXIT_BATCH_FAILED and "Traceback" not in err, err
        assert "too short to contain a repetition" in (out / "summary.csv").read_text()
        return
    args = {
        "analyze": ["analyze", str(path)],
        "analyze --json -": ["analyze", str(path), "--json", "-"],
        "live": ["live", "--source", str(path), "--headless", "--every-frame", "--out", str(out)],
    }[command]
    assert main(args) == errors.EXIT_INPUT
    _, err = capsys.readouterr()
    lines = err.splitlines()
    if command == "live":
        lines = lines[-1:]  # after its "N frames analysed ..." line
    _assert_one_error_line("\n".join(lines), "too short to contain a repetition")
    assert "Traceback" not in err


@pytest.mark.model
@pytest.mark.slow
def test_no_native_library_lines_on_stderr(tmp_path: Path) -> None:
    """MediaPipe (absl/glog), TFLite and OpenCV write their own log lines to stderr; the
    command quiets them (cli.py sets their levels before importing them), so a clean run of
    `analyze -q` prints nothing there and `live --headless` only its own statistics line."""
    from serving import short_clip

    full = Path(__file__).resolve().parents[1] / "sample_videos" / "glute_bridge_right.mp4"
    sample = short_clip(full, tmp_path / "one_rep.mp4", 7.0, 640)  # its first rep
    runs = {
        "analyze": ["analyze", str(sample), "--out", str(tmp_path / "a"), "-q"],
        "live": [
            *("live", "--source", str(sample), "--headless", "--every-frame"),
            *("--out", str(tmp_path / "l")),
        ],
    }
    for name, args in runs.items():
        proc = subprocess.run(
            [*_entry_point(), *args], capture_output=True, text=True, timeout=300, check=False
        )
        assert proc.returncode == errors.EXIT_OK, proc.stderr
        lines = proc.stderr.splitlines()
        if name == "live":
            assert len(lines) == 2 and "frames analysed" in lines[0] and "reps;" in lines[1], lines
        else:
            assert lines == [], lines
