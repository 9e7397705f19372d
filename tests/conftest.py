"""Shared test fixtures: paths to ../shared and the repository."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from formcheck.evaluate.cache import LandmarkCache
from formcheck.pose.models import resolve_model

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
sys.path.insert(0, str(Path(__file__).parent))  # tests/builders.py

from browser import proxy  # noqa: E402, F401 - the recording-proxy fixture, for page tests


def shared_path(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.fail(f"{path} is missing: ../shared must sit beside the repository")
    return path


@pytest.fixture(scope="session")
def cache(tmp_path_factory: pytest.TempPathFactory) -> LandmarkCache:
    """One landmark cache for the session: the model runs once per clip (eval and the live
    tests reuse it). ``FORMCHECK_TEST_CACHE=DIR`` keeps it between runs while developing
    (entries are keyed by clip and model content); CI leaves it unset and starts empty."""
    folder = os.environ.get("FORMCHECK_TEST_CACHE")
    return LandmarkCache(
        Path(folder) if folder else tmp_path_factory.mktemp("landmarks"), resolve_model(None)
    )
