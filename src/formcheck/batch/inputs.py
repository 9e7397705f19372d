"""Turn command-line inputs (folders, globs, files, text files listing paths) into clips."""

from __future__ import annotations

import glob
import logging
from pathlib import Path

from formcheck.errors import InputError
from formcheck.landmarks.series import PoseSeries

log = logging.getLogger(__name__)

#: What a batch analyses: videos, and landmarks saved by --save-landmarks.
CLIP_SUFFIXES = {".mp4", ".mov", ".m4v", ".avi", ".mkv", ".webm", ".npz"}
#: A text file listing one path per line (relative to the list's folder; # comments).
LIST_SUFFIXES = {".txt", ".list"}


def expand_inputs(items: list[str]) -> list[Path]:
    """Clips named by ``items``, in the order given, each once.

    A folder contributes its clips (recursively, sorted); a glob its matches; a .txt/.list
    file the paths it lists; any other file is taken as a clip (a broken one becomes a
    failed row later, not an error here). A name that matches nothing is an `InputError`.
    """
    clips: list[Path] = []
    for item in items:
        path = Path(item)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if _is_clip(p))
            if not found:
                log.warning("%s: no clips in this folder", path)
            clips += found
        elif path.is_file() and path.suffix.lower() in LIST_SUFFIXES:
            clips += _listed(path)
        elif path.exists() or path.is_symlink():
            clips.append(path)
        elif matches := sorted(glob.glob(item, recursive=True)):  # noqa: PTH207 - a pattern
            clips += [Path(m) for m in matches if Path(m).is_file()]
        else:
            raise InputError(f"{item}: no such file, folder or matching clips")
    seen: set[Path] = set()
    unique = []
    for clip in clips:
        key = clip.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(clip)
    return unique


def _is_clip(path: Path) -> bool:
    """In a folder: videos by suffix, and only those .npz files that are formcheck landmarks
    (not, say, the ground truth `formcheck synth` writes beside its clips)."""
    suffix = path.suffix.lower()
    if suffix == ".npz":
        return PoseSeries.is_landmarks_file(path)
    return suffix in CLIP_SUFFIXES and path.is_file()


def _listed(path: Path) -> list[Path]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            p = Path(line).expanduser()
            out.append(p if p.is_absolute() else path.parent / p)
    return out
