"""Shared test fixtures: paths to ../shared and the repository."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from formcheck.evaluate.cache import LandmarkCache
from formcheck.pose.models import resolve_model
from formcheck.processes import usable_cores

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
sys.path.insert(0, str(Path(__file__).parent))  # tests/builders.py

from browser import proxy  # noqa: E402, F401 - the recording-proxy fixture, for page tests
from serving import db_url  # noqa: E402, F401 - the web app's databases: SQLite, PostgreSQL

#: Without ../shared the tests that read it skip with this reason; under CI (which has it)
#: any skipped test fails instead (`pytest_runtest_makereport` below).
SHARED_MISSING = (
    f"{SHARED} is missing: clone the shared data beside the repository to run the tests that "
    "read it"
)
IN_CI = bool(os.environ.get("CI"))


def shared_path(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        if SHARED.is_dir() or IN_CI:
            pytest.fail(f"{path} is missing: ../shared must sit beside the repository")
        pytest.skip(SHARED_MISSING)
    return path


def shared_labels(folder: str) -> list[dict[str, Any]]:
    """A ../shared dataset's labels, for parametrizing at collection: none when ../shared is
    missing (its tests then skip, see `pytest_collection_modifyitems`)."""
    path = SHARED / folder / "labels.json"
    if not SHARED.is_dir():
        return []
    return list(json.loads(path.read_text()))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if SHARED.is_dir():
        return
    for item in items:
        if item.get_closest_marker("shared"):
            item.add_marker(pytest.mark.skip(reason=SHARED_MISSING))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    """Under CI every selected test must run: a skip there is a failure (an expected failure,
    a strict xfail, is not a skip)."""
    outcome = yield
    report = outcome.get_result()
    if IN_CI and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped under CI, where every test must run: {report.longrepr}"


@pytest.fixture(scope="session")
def cache(tmp_path_factory: pytest.TempPathFactory) -> LandmarkCache:
    """One landmark cache for the session: the model runs once per clip (eval and the live
    tests reuse it). ``FORMCHECK_TEST_CACHE=DIR`` keeps it between runs while developing
    (entries are keyed by clip and model content); CI leaves it unset and starts empty."""
    folder = os.environ.get("FORMCHECK_TEST_CACHE")
    return LandmarkCache(
        Path(folder) if folder else tmp_path_factory.mktemp("landmarks"), resolve_model(None)
    )


def labelled_shared_clips() -> list[Path]:
    """Every labelled ../shared clip (none when ../shared is missing: their tests skip)."""
    return [SHARED / f / lab["file"] for f in ("synth", "videos") for lab in shared_labels(f)]


@pytest.fixture(scope="session")
def warm_cache(cache: LandmarkCache) -> LandmarkCache:
    """`cache` holding every labelled ../shared clip's landmarks, the model run on as many
    clips at once as there are cores (one landmarker keeps about one core busy): the tests
    that read them all ask for this first."""
    cache.fill(labelled_shared_clips(), usable_cores())
    return cache
