"""The package's own pose model is reproducible: tools/build_pose_model.py rebuilds the
packaged bundle byte for byte from the PyPI wheel mediapipe==0.10.21 (needs PyPI)."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from formcheck.pose.models import FULL_SHA256, KNOWN_MODELS, package_models_dir

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_the_packaged_model_rebuilds_byte_for_byte(tmp_path: Path) -> None:
    out = tmp_path / "rebuilt.task"
    subprocess.run(
        [sys.executable, str(REPO / "tools" / "build_pose_model.py"), "--out", str(out)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    packaged = package_models_dir() / KNOWN_MODELS["full"].filename
    assert hashlib.sha256(out.read_bytes()).hexdigest() == FULL_SHA256
    assert out.read_bytes() == packaged.read_bytes()
