"""CLI error paths (formcheck.cli.main): one line on stderr, a documented exit code.

In-process through ``main(argv)``; one test runs the installed entry point in a
subprocess to see the real stderr (native libraries included). Nothing here loads
the pose model.
"""

from __future__ import annotations

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


def test_a_missing_model_file_exits_4(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # a readable clip is needed to get as far as the model: write two tiny frames
    from formcheck.video.writer import VideoSink

    clip = tmp_path / "tiny.mp4"
    with VideoSink(clip, 32, 32, 10.0) as sink:
        for _ in range(2):
            sink.write(np.zeros((32, 32, 3), dtype=np.uint8))
    model = tmp_path / "nope.task"
    assert main(["analyze", str(clip), "--model", str(model)]) == errors.EXIT_MODEL
    _assert_one_error_line(capsys.readouterr().err, str(model))


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


def test_version_comes_from_the_package_metadata(capsys: pytest.CaptureFixture[str]) -> None:
    """One version source: pyproject.toml, read back through the installed metadata."""
    import importlib.metadata

    import formcheck

    assert formcheck.__version__ == importlib.metadata.version("formcheck") != "0+unknown"
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"formcheck {formcheck.__version__}"
