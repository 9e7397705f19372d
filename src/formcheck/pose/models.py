"""Pose model bundles: where they are found, and checking them before use.

Resolution order for ``resolve_model(spec)``: an explicit ``--model NAME|PATH``,
then the ``FORMCHECK_MODEL`` environment variable, then the models shipped inside
the package (the full bundle, package data found with importlib.resources), then a
source checkout's top-level ``models/`` folder, then the user cache
(``$XDG_CACHE_HOME/formcheck/models``, default ``~/.cache/formcheck/models``). A
known model's checksum is verified at every load; a file passed by path that is not
a known bundle is used as given with a warning. lite, heavy (and full, if the
packaged copy were missing) are downloaded from Google's official addresses and
checked against the official files' sha256 or git blob ids (../shared/models).
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from importlib import resources
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
    sha256: tuple[str, ...]  # pinned content hashes (empty: only the git blob id is known)
    git_blob: str | None  # `git hash-object` of the official file
    bundled: bool  # shipped inside the package (src/formcheck/models/)

    @property
    def filename(self) -> str:
        return f"pose_landmarker_{self.name}.task"

    @property
    def url(self) -> str:
        return _URL.format(name=self.name)

    def matches(self, data: bytes) -> bool:
        if hashlib.sha256(data).hexdigest() in self.sha256:
            return True
        return bool(self.git_blob) and _git_blob_id(data) == self.git_blob


# "full" is built by tools/build_pose_model.py from the PyPI wheel mediapipe==0.10.21 and
# shipped in the package; Google's official full bundle (what --fetch downloads) is accepted
# too. Official hashes: ../shared/models/README.md and SHA256SUMS.
FULL_SHA256 = "b9d8687f305326dcad80cc91708492b37b93653e6c94dce3e56800ef5f075a8e"
OFFICIAL_FULL_SHA256 = "1d1ac65b316dc608b1dbe314c9bb7ae51b55f5343b575c08123c0394b9434c46"
KNOWN_MODELS: dict[str, ModelSpec] = {
    "full": ModelSpec(
        "full",
        (FULL_SHA256, OFFICIAL_FULL_SHA256),
        "300a181ec73dc0eb45859faad179b1ef5d882497",
        bundled=True,
    ),
    "lite": ModelSpec(
        "lite",
        ("aa473df5e08948e3b03fe528256421d4b6b493d90fb84f202989da466f8e3b0c",),
        "09576a930167d58ba3cd759a1521a1f7b159b0f2",
        bundled=False,
    ),
    "heavy": ModelSpec("heavy", (), "45449d98ebc71322c4c5ee03a1ae31400ae8deee", bundled=False),
}


def _git_blob_id(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def package_models_dir() -> Path:
    """The models shipped inside the installed package (package data)."""
    return Path(str(resources.files("formcheck").joinpath("models")))


def checkout_models_dir() -> Path | None:
    """A source checkout's top-level models/ folder (extra bundles a developer put there),
    or None when running from an installed wheel."""
    root = Path(__file__).resolve().parents[3]
    return root / "models" if (root / "pyproject.toml").is_file() else None


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "formcheck" / "models"


def search_dirs() -> list[Path]:
    checkout = checkout_models_dir()
    return [package_models_dir(), *([checkout] if checkout else []), cache_dir()]


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
        data = path.read_bytes()
        known = next((m for m in KNOWN_MODELS.values() if m.matches(data)), None)
        if known is None:
            _check_bundle(path)
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


#: What MediaPipe's Pose Landmarker needs inside a .task bundle (a zip archive).
BUNDLE_MEMBERS = ("pose_detector.tflite", "pose_landmarks_detector.tflite")


def _check_bundle(path: Path) -> None:
    """Raise ModelError unless ``path`` looks like a pose landmarker bundle."""
    try:
        with zipfile.ZipFile(path) as bundle:
            names = set(bundle.namelist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise ModelError(f"{path}: not a pose model bundle (.task)") from exc
    missing = [m for m in BUNDLE_MEMBERS if m not in names]
    if missing:
        raise ModelError(f"{path}: not a pose landmarker bundle (no {', '.join(missing)})")


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
