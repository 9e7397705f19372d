"""Pose model bundles: where they are found, and checking them before use.

Resolution order for ``resolve_model(spec)``: an explicit ``--model NAME|PATH``,
then the ``FORMCHECK_MODEL`` environment variable, then the repository's
``models/`` folder, then the user cache (``$XDG_CACHE_HOME/formcheck/models``,
default ``~/.cache/formcheck/models``). A known model's checksum is verified at
every load; a file passed by path that is not a known bundle is used as given
with a warning. lite and heavy are downloaded from Google's official addresses
(checked against their published git blob ids) when they are not found locally.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from formcheck.errors import ModelError

log = logging.getLogger(__name__)

DEFAULT_MODEL = "full"
ENV_VAR = "FORMCHECK_MODEL"
_URL = (
    "https://storage.googleapis.com/mediapipe-models/pose_landmarker/"
    "pose_landmarker_{name}/float16/latest/pose_landmarker_{name}.task"
)
DOWNLOAD_TIMEOUT_S = 20.0


@dataclass(frozen=True)
class ModelSpec:
    """A known bundle: its file name and how to recognise a good copy."""

    name: str
    sha256: str | None  # pinned content hash (None: only the git blob id is published)
    git_blob: str | None  # `git hash-object` of the official file
    bundled: bool  # committed in the repository's models/ folder

    @property
    def filename(self) -> str:
        return f"pose_landmarker_{self.name}.task"

    @property
    def url(self) -> str:
        return _URL.format(name=self.name)

    def matches(self, data: bytes) -> bool:
        if self.sha256 and hashlib.sha256(data).hexdigest() == self.sha256:
            return True
        return bool(self.git_blob) and _git_blob_id(data) == self.git_blob


# "full" is built by tools/build_pose_model.py from the PyPI wheel mediapipe==0.10.21.
FULL_SHA256 = "b9d8687f305326dcad80cc91708492b37b93653e6c94dce3e56800ef5f075a8e"
KNOWN_MODELS: dict[str, ModelSpec] = {
    "full": ModelSpec("full", FULL_SHA256, None, bundled=True),
    "lite": ModelSpec(
        "lite",
        "aa473df5e08948e3b03fe528256421d4b6b493d90fb84f202989da466f8e3b0c",
        "09576a930167d58ba3cd759a1521a1f7b159b0f2",
        bundled=False,
    ),
    "heavy": ModelSpec("heavy", None, "45449d98ebc71322c4c5ee03a1ae31400ae8deee", bundled=False),
}


def _git_blob_id(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def repo_models_dir() -> Path:
    """The repository's models/ folder (src layout: two levels above the package)."""
    return Path(__file__).resolve().parents[3] / "models"


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "formcheck" / "models"


def search_dirs() -> list[Path]:
    return [repo_models_dir(), cache_dir()]


def verify(path: Path, spec: ModelSpec) -> None:
    """Raise ModelError unless ``path`` holds the expected bytes of ``spec``."""
    if not spec.matches(path.read_bytes()):
        raise ModelError(
            f"{path}: checksum mismatch for the {spec.name} pose model "
            f"(corrupt or replaced file; rebuild or re-download it)"
        )


def resolve_model(spec: str | None = None, *, download: bool = True) -> Path:
    """Path of a verified model bundle for ``spec`` (a known name or a file path)."""
    chosen = spec or os.environ.get(ENV_VAR) or DEFAULT_MODEL
    known = KNOWN_MODELS.get(chosen)
    if known is None:
        path = Path(chosen).expanduser()
        if not path.is_file():
            names = ", ".join(KNOWN_MODELS)
            raise ModelError(f"model {chosen!r}: not a known model ({names}) nor a file")
        known = next((m for m in KNOWN_MODELS.values() if m.matches(path.read_bytes())), None)
        if known is None:
            log.warning("%s is not a known pose bundle; using it unverified", path)
        return path
    for folder in search_dirs():
        path = folder / known.filename
        if path.is_file():
            verify(path, known)
            return path
    if not download:
        raise ModelError(f"the {chosen} pose model is not installed ({known.filename})")
    return fetch(known)


def resolve_live_model(spec: str | None = None) -> Path:
    """Live coaching prefers the lite model (about twice the frame rate) when it is installed
    and nothing else was asked for (``--model`` or FORMCHECK_MODEL); otherwise as
    `resolve_model`."""
    if spec or os.environ.get(ENV_VAR):
        return resolve_model(spec)
    try:
        return resolve_model("lite", download=False)
    except ModelError:
        log.info("live: the lite model is not installed; using %s", DEFAULT_MODEL)
        return resolve_model(None)


def fetch(spec: ModelSpec) -> Path:
    """Download ``spec`` into the user cache, verify it, and return its path."""
    target = cache_dir() / spec.filename
    log.info("downloading %s from %s", spec.filename, spec.url)
    try:
        with urllib.request.urlopen(spec.url, timeout=DOWNLOAD_TIMEOUT_S) as response:
            data = response.read()
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ModelError(
            f"cannot download the {spec.name} pose model ({reason}); offline? "
            f"Put {spec.filename} in {cache_dir()} or pass --model PATH"
        ) from exc
    if not spec.matches(data):
        raise ModelError(f"downloaded {spec.filename} does not match its published checksum")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as tmp:
        tmp.write(data)
    Path(tmp.name).replace(target)
    return target


@dataclass(frozen=True)
class ModelStatus:
    name: str
    path: Path | None
    status: str  # "ok", "missing", or "checksum mismatch"


def list_models() -> list[ModelStatus]:
    """Each known model, where it was found and whether it verifies (no download)."""
    rows = []
    for spec in KNOWN_MODELS.values():
        found = [d / spec.filename for d in search_dirs() if (d / spec.filename).is_file()]
        if not found:
            rows.append(ModelStatus(spec.name, None, "missing"))
            continue
        ok = spec.matches(found[0].read_bytes())
        rows.append(ModelStatus(spec.name, found[0], "ok" if ok else "checksum mismatch"))
    return rows
