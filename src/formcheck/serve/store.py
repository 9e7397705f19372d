"""Uploaded clips on disk: streamed to a temporary file under a size limit, checked to be a
video that decodes, then renamed into place under a name the server chooses.

The name a phone sends is kept only to be shown (escaped); it never becomes a path. A cut or
refused upload leaves no file behind, and a full disk is one clear message.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from formcheck.errors import FormcheckError, InputError

log = logging.getLogger(__name__)

#: The container formats (PyAV's names) kept, and the extension each is stored under.
EXTENSIONS = {"mov,mp4,m4a,3gp,3g2,mj2": ".mp4", "matroska,webm": ".webm", "avi": ".avi"}


class TooLarge(InputError):
    pass


class DiskFull(FormcheckError):
    pass


@dataclass(frozen=True)
class Stored:
    name: str  # file name under the videos folder
    size_bytes: int
    sha256: str


async def receive(chunks: AsyncIterator[bytes], tmp_dir: Path, max_bytes: int) -> Path:
    """Write ``chunks`` to a new temporary file; `TooLarge` past ``max_bytes``."""
    tmp_dir.mkdir(parents=True, exist_ok=True)
    path = tmp_dir / f"upload-{secrets.token_hex(8)}.part"
    size = 0
    try:
        with path.open("wb") as f:
            async for chunk in chunks:
                size += len(chunk)
                if size > max_bytes:
                    raise TooLarge(
                        f"the clip is larger than this server's limit of {max_bytes / 2**20:.0f} MB"
                    )
                f.write(chunk)
    except OSError as exc:
        path.unlink(missing_ok=True)
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise DiskFull("the server's disk is full: the clip was not stored") from exc
        raise
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


def check_video(path: Path) -> str:
    """The extension to store a clip under, once a video frame decoded; `InputError` if not."""
    import av

    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                raise InputError("the file has no video in it")
            fmt = container.format.name
            for _frame in container.decode(video=0):
                break
            else:
                raise InputError("no frame of the video could be decoded")
    except InputError:
        raise
    except (av.error.FFmpegError, OSError, ValueError) as exc:
        raise InputError("the file is not a video formcheck can read") from exc
    return EXTENSIONS.get(fmt, ".video")


def keep(tmp: Path, videos: Path) -> Stored:
    """Check ``tmp`` and move it under ``videos`` with a fresh name; it is removed on failure."""
    try:
        ext = check_video(tmp)
        videos.mkdir(parents=True, exist_ok=True)
        name = f"{secrets.token_hex(12)}{ext}"
        digest = _sha256(tmp)
        size = tmp.stat().st_size
        tmp.replace(videos / name)
    finally:
        tmp.unlink(missing_ok=True)
    return Stored(name, size, digest)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
