"""Pose model bundles (formcheck.pose.models): finding, verifying and (not) downloading.

No network: downloads are pointed at a closed local port or a urlopen that fails.
Every test pins the search folders and the cache to known places.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import urllib.error
import zipfile
from pathlib import Path

import pytest
from conftest import shared_path

from formcheck.errors import EXIT_MODEL, ModelError
from formcheck.pose import models
from formcheck.pose.models import (
    ENV_VAR,
    FULL_SHA256,
    KNOWN_MODELS,
    ModelSpec,
    _git_blob_id,
    fetch,
    list_models,
    resolve_model,
)

REPO = Path(__file__).resolve().parents[1]
PACKAGE_MODELS = REPO / "src" / "formcheck" / "models"
FULL = PACKAGE_MODELS / "pose_landmarker_full.task"


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No FORMCHECK_MODEL from the environment; the user cache is an empty temp folder."""
    monkeypatch.delenv(ENV_VAR, raising=False)
    cache = tmp_path / "cache"
    monkeypatch.setattr(models, "cache_dir", lambda: cache)
    return cache


def _only_search(monkeypatch: pytest.MonkeyPatch, *folders: Path) -> None:
    monkeypatch.setattr(models, "search_dirs", lambda: list(folders))


def _fake_bundle(path: Path) -> Path:
    """A .task-shaped zip (both members) that is no known model: used unverified."""
    with zipfile.ZipFile(path, "w") as bundle:
        for member in models.BUNDLE_MEMBERS:
            bundle.writestr(member, b"not real weights")
    return path


def _answering(payload: bytes):  # type: ignore[no-untyped-def]
    """A stand-in for urllib's urlopen whose response body is ``payload`` (no network)."""

    class Response:
        def __enter__(self) -> Response:
            return self

        def __exit__(self, *exc: object) -> None:
            pass

        def read(self) -> bytes:
            return payload

    return lambda *a, **k: Response()


def _corrupt_copy(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    data = bytearray(FULL.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte
    path = folder / FULL.name
    path.write_bytes(bytes(data))
    return path


# --- the committed model ------------------------------------------------------------------


def test_full_model_resolves_to_the_committed_bundle() -> None:
    path = resolve_model("full")
    assert path == FULL.resolve()
    assert hashlib.sha256(path.read_bytes()).hexdigest() == FULL_SHA256


def test_the_default_model_is_full() -> None:
    assert resolve_model(None) == resolve_model("full")


def test_the_full_model_is_package_data_found_first() -> None:
    """The wheel carries the bundle (importlib.resources); a checkout's top-level models/ is
    searched after it, for extra bundles, and the user cache last."""
    dirs = models.search_dirs()
    assert dirs[0] == models.package_models_dir() == PACKAGE_MODELS.resolve()
    assert dirs[1:] == [REPO / "models", models.cache_dir()]


def test_list_models_reports_full_ok() -> None:
    rows = {row.name: row for row in list_models()}
    assert set(rows) == set(KNOWN_MODELS)
    assert rows["full"].status == "ok" and rows["full"].path == FULL.resolve()
    assert rows["lite"].status == "missing" and rows["lite"].path is None


# --- corrupt and misplaced files ----------------------------------------------------------


def test_a_corrupted_copy_fails_its_checksum(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    bad = _corrupt_copy(tmp_path / "models")
    _only_search(monkeypatch, bad.parent, PACKAGE_MODELS)  # the bad copy is found first
    with pytest.raises(ModelError) as info:
        resolve_model("full")
    message = str(info.value)
    assert "checksum" in message and str(bad) in message and "\n" not in message
    assert info.value.exit_code == EXIT_MODEL


def test_list_models_reports_a_checksum_mismatch(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    bad = _corrupt_copy(tmp_path / "models")
    _only_search(monkeypatch, bad.parent)
    rows = {row.name: row for row in list_models()}
    assert rows["full"].status == "checksum mismatch" and rows["full"].path == bad


def test_a_missing_model_without_download_is_a_model_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _only_search(monkeypatch, tmp_path / "nowhere")
    with pytest.raises(ModelError, match="not installed"):
        resolve_model("full", download=False)


def test_a_model_in_the_cache_is_found(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    shutil.copy(FULL, cache / FULL.name)
    _only_search(monkeypatch, tmp_path / "empty-repo-models", cache)
    assert resolve_model("full") == cache / FULL.name


# --- explicit paths and the environment ----------------------------------------------------


def test_env_var_pointing_to_a_file_is_used(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    custom = tmp_path / "my_pose.task"
    _fake_bundle(custom)
    monkeypatch.setenv(ENV_VAR, str(custom))
    assert resolve_model() == custom
    assert "unverified" in caplog.text  # not a known bundle: used, with a warning


def test_an_explicit_spec_beats_the_env_var(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    custom = tmp_path / "my_pose.task"
    _fake_bundle(custom)
    monkeypatch.setenv(ENV_VAR, str(custom))
    assert resolve_model("full") == FULL.resolve()


def test_env_var_naming_a_known_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VAR, "full")
    assert resolve_model() == FULL.resolve()


def test_a_path_to_a_copy_of_a_known_bundle_is_used_without_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    copy = tmp_path / "renamed.task"
    shutil.copy(FULL, copy)
    assert resolve_model(str(copy)) == copy
    assert "unverified" not in caplog.text


@pytest.mark.parametrize(
    "spec",
    [
        "does/not/exist.task",  # a relative path that is not there
        "/nonexistent/pose_landmarker_full.task",  # an absolute one
        "medium",  # neither a known name nor a file
    ],
)
def test_model_spec_that_is_neither_known_nor_a_file(spec: str) -> None:
    with pytest.raises(ModelError) as info:
        resolve_model(spec)
    assert spec in str(info.value) and "full, lite, heavy" in str(info.value)


def test_a_folder_is_not_a_model(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="nor a file"):
        resolve_model(str(tmp_path))


# --- downloads while offline --------------------------------------------------------------


def _closed_port(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(models, "_URL", "http://127.0.0.1:9/{name}")  # discard port, closed


def _urlopen_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(models.urllib.request, "urlopen", fail)


@pytest.mark.parametrize(
    "go_offline",
    [
        _closed_port,  # connection refused
        _urlopen_fails,  # DNS failure, as on a machine with no network
    ],
)
def test_fetch_while_offline_is_a_one_line_model_error(
    monkeypatch: pytest.MonkeyPatch, _isolated: Path, go_offline
) -> None:
    go_offline(monkeypatch)
    with pytest.raises(ModelError) as info:
        fetch(KNOWN_MODELS["lite"])
    message = str(info.value)
    assert "offline" in message and "lite" in message and "\n" not in message
    assert str(_isolated) in message  # says where to put the file by hand
    assert not _isolated.exists()  # nothing half-written


def test_resolve_downloads_a_missing_model_and_fails_cleanly_offline(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _only_search(monkeypatch, tmp_path / "nowhere")
    _closed_port(monkeypatch)
    with pytest.raises(ModelError, match="offline"):
        resolve_model("lite")


def test_a_download_with_the_wrong_bytes_is_rejected(
    monkeypatch: pytest.MonkeyPatch, _isolated: Path
) -> None:
    monkeypatch.setattr(models.urllib.request, "urlopen", _answering(b"<html>portal</html>"))
    with pytest.raises(ModelError, match="does not match"):
        fetch(KNOWN_MODELS["lite"])
    assert not (_isolated / "pose_landmarker_lite.task").exists()


def test_a_good_download_lands_in_the_cache(
    monkeypatch: pytest.MonkeyPatch, _isolated: Path
) -> None:
    payload = b"pretend model bytes"
    spec = ModelSpec("tiny", (), _git_blob_id(payload), bundled=False)

    monkeypatch.setattr(models.urllib.request, "urlopen", _answering(payload))
    path = fetch(spec)
    assert path == _isolated / "pose_landmarker_tiny.task"
    assert path.read_bytes() == payload
    assert [p.name for p in _isolated.iterdir()] == [path.name]  # no temp file left behind


# --- checksums ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "blob"),
    [
        (b"hello\n", "ce013625030ba8dba906f756967f9e9ca394464a"),  # `echo hello | git hash-object`
        (b"", "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"),  # git's empty blob
    ],
)
def test_git_blob_id_known_values(data: bytes, blob: str) -> None:
    assert _git_blob_id(data) == blob


@pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
def test_git_blob_id_matches_git_hash_object() -> None:
    data = bytes(range(256)) * 3 + b"\0 binary\r\n"
    out = subprocess.run(
        ["git", "hash-object", "--stdin"], input=data, capture_output=True, check=True
    )
    assert _git_blob_id(data) == out.stdout.decode().strip()


@pytest.mark.parametrize(
    ("sha256", "git_blob", "matches"),
    [
        ((hashlib.sha256(b"x").hexdigest(),), None, True),  # pinned content hash
        (("0" * 64, hashlib.sha256(b"x").hexdigest()), None, True),  # one of several
        ((), _git_blob_id(b"x"), True),  # only the published blob id
        (("0" * 64,), _git_blob_id(b"x"), True),  # either one is enough
        (("0" * 64,), None, False),  # wrong hash
        ((), None, False),  # nothing to check against: never trusted
    ],
)
def test_model_spec_matches(sha256: tuple[str, ...], git_blob, matches: bool) -> None:
    assert ModelSpec("t", sha256, git_blob, bundled=False).matches(b"x") is matches


# --- the official files (../shared/models holds copies; no network) ----------------------


def _official(name: str) -> bytes:
    return shared_path("models", f"pose_landmarker_{name}.task").read_bytes()


@pytest.mark.shared
@pytest.mark.parametrize("name", ["full", "lite"])
def test_the_pinned_hashes_are_the_official_files(name: str) -> None:
    """The sha256 pinned for --fetch is that of Google's file (../shared/models/SHA256SUMS,
    checked on the copy there), and no other model's pin accepts it."""
    data = _official(name)
    sums = dict(
        reversed(line.split())
        for line in shared_path("models", "SHA256SUMS").read_text().splitlines()
        if line.strip()
    )
    digest = hashlib.sha256(data).hexdigest()
    assert sums[f"pose_landmarker_{name}.task"] == digest
    assert digest in KNOWN_MODELS[name].sha256 and KNOWN_MODELS[name].matches(data)
    assert not any(spec.matches(data) for key, spec in KNOWN_MODELS.items() if key != name)


@pytest.mark.shared
def test_the_pinned_git_blob_ids_are_the_published_ones() -> None:
    """The git blob ids are copied from ../shared/models/README.md (the only hash published
    for heavy). They are not those of the copies there (another upload of the same names:
    full ca7df685..., lite b0247d1b...), so the sha256 above is what a download here meets."""
    text = shared_path("models", "README.md").read_text()
    published = dict(re.findall(r"(lite|full|heavy) ([0-9a-f]{40})", text))
    assert published == {name: spec.git_blob for name, spec in KNOWN_MODELS.items()}


@pytest.mark.shared
@pytest.mark.parametrize("name", ["full", "lite"])
def test_fetching_an_official_file_verifies_it_and_stores_it(
    monkeypatch: pytest.MonkeyPatch, _isolated: Path, name: str
) -> None:
    """`formcheck models --fetch NAME`, with the download answered by the official file (and
    then by the same file with one byte changed)."""
    data = _official(name)

    monkeypatch.setattr(models.urllib.request, "urlopen", _answering(data))
    path = fetch(KNOWN_MODELS[name])
    assert path == _isolated / f"pose_landmarker_{name}.task" and path.read_bytes() == data
    path.unlink()
    broken = bytearray(data)
    broken[len(broken) // 3] ^= 0x01
    monkeypatch.setattr(models.urllib.request, "urlopen", _answering(bytes(broken)))
    with pytest.raises(ModelError, match="does not match its published checksum"):
        fetch(KNOWN_MODELS[name])
    assert not path.exists()


@pytest.mark.shared
def test_an_official_full_bundle_in_the_cache_is_used(
    monkeypatch: pytest.MonkeyPatch, _isolated: Path, tmp_path: Path
) -> None:
    """A package without its bundle (say a custom build) takes the official full file."""
    _isolated.mkdir()
    (_isolated / FULL.name).write_bytes(_official("full"))
    _only_search(monkeypatch, tmp_path / "no-package-data", _isolated)
    assert resolve_model("full") == _isolated / FULL.name


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"just some text", "not a pose model bundle (.task)"),
        (None, "no pose_landmarks_detector.tflite"),  # a zip without the landmark model
    ],
)
def test_a_file_that_is_not_a_bundle_is_a_model_error(
    tmp_path: Path, content: bytes | None, words: str
) -> None:
    path = tmp_path / "model.task"
    if content is None:
        with zipfile.ZipFile(path, "w") as bundle:
            bundle.writestr(models.BUNDLE_MEMBERS[0], b"x")
    else:
        path.write_bytes(content)
    with pytest.raises(ModelError) as info:
        resolve_model(str(path))
    assert words in str(info.value) and info.value.exit_code == EXIT_MODEL
