"""What ``formcheck serve`` was told: the data folder, the database, the limits."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

#: Largest upload accepted by default, MB (a 1080p phone clip of a set: 20-150 MB).
DEFAULT_MAX_UPLOAD_MB = 500
#: A running job's lease: a worker that has not renewed it for this long is taken for dead
#: and its job runs again (renewed every LEASE_S / 3).
LEASE_S = 30.0
#: Runs of one job before it is failed for good (a clip that kills its worker every time).
MAX_ATTEMPTS = 3


@dataclass(frozen=True)
class ServeSettings:
    data: Path
    db_url: str = ""  # default: SQLite in the data folder
    max_upload_mb: float = DEFAULT_MAX_UPLOAD_MB
    secure_cookies: bool = False  # behind TLS: the session cookie is sent over HTTPS only
    lease_s: float = LEASE_S
    video: bool = True  # outputs with the clip (the page plays it)
    annotated: bool = False  # also annotated.mp4 (the page draws over the clip without it)

    @property
    def database_url(self) -> str:
        """The SQLAlchemy URL; a plain ``postgresql://`` (or ``postgres://``) uses psycopg 3,
        the driver the ``serve`` extra installs."""
        url = self.db_url or f"sqlite:///{(self.data / 'formcheck.db').resolve()}"
        for plain in ("postgresql://", "postgres://"):
            if url.startswith(plain):
                return "postgresql+psycopg://" + url[len(plain) :]
        return url

    @property
    def videos(self) -> Path:
        return self.data / "videos"

    @property
    def outputs(self) -> Path:
        """Each set's outputs in ``outputs/clips/<set id>/`` (`ClipJob.folder`)."""
        return self.data / "outputs"

    @property
    def tmp(self) -> Path:
        return self.data / "tmp"

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)
