"""Fixtures for the web app's tests: a database (SQLite, and PostgreSQL where a server is
reachable), an app with a coach and two athletes, and a real server process."""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

#: A PostgreSQL role that may create databases (.ci/run makes it); each test gets its own.
PG_ADMIN = os.environ.get(
    "FORMCHECK_TEST_PG", "postgresql+psycopg://formcheck:formcheck@127.0.0.1:5432/postgres"
)
PG_MISSING = (
    "no PostgreSQL server at FORMCHECK_TEST_PG (.ci/run installs and starts one): "
    "the PostgreSQL half of the web app's suite did not run"
)
IN_CI = bool(os.environ.get("CI"))
PASSWORD = "coach-password-1"


def _pg_reachable() -> bool:
    try:
        import sqlalchemy

        engine = sqlalchemy.create_engine(PG_ADMIN)
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception:  # noqa: BLE001 - any failure means: not here
        return False


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database of each kind."""
    if request.param == "sqlite":
        yield ""  # the default: SQLite in the data folder
        return
    if not _pg_reachable():
        if IN_CI:
            pytest.fail(PG_MISSING)
        pytest.skip(PG_MISSING)
    import sqlalchemy

    name = f"fc_test_{secrets.token_hex(6)}"
    admin = sqlalchemy.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sqlalchemy.text(f"CREATE DATABASE {name}"))
    yield PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as conn:
        conn.execute(sqlalchemy.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


def add_coach(data: Path, db: str, name: str = "coach") -> None:
    from sqlalchemy import select

    from formcheck.serve.db import User, open_db
    from formcheck.serve.security import hash_password
    from formcheck.serve.settings import ServeSettings

    data.mkdir(parents=True, exist_ok=True)
    sessions = open_db(ServeSettings(data=data, db_url=db).database_url)
    with sessions() as s:
        if s.scalar(select(User).where(User.username == name)) is None:
            s.add(User(username=name, password_hash=hash_password(PASSWORD)))
            s.commit()
    sessions.kw["bind"].dispose()


CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    m = CSRF.search(html)
    assert m, "the page has no CSRF token"
    return m.group(1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class ServerProcess:
    """``formcheck serve`` in its own process group (so kill -9 takes its workers too)."""

    data: Path
    db: str
    port: int
    workers: int = 1
    extra: tuple[str, ...] = ()
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout_s: float = 60.0) -> ServerProcess:
        cmd = [
            sys.executable,
            "-m",
            "formcheck.cli",
            "serve",
            "--data",
            str(self.data),
            "--port",
            str(self.port),
            "--workers",
            str(self.workers),
            *self.extra,
        ]
        if self.db:
            cmd += ["--db", self.db]
        self.proc = subprocess.Popen(
            cmd,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=(self.data.parent / f"serve-{self.port}.log").open("ab"),
        )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"serve exited: {self.proc.returncode}") from None
                time.sleep(0.2)
        raise RuntimeError("formcheck serve did not start listening")

    def kill9(self) -> None:
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def short_clip(
    src: Path, out: Path, seconds: float = 5.0, width: int = 320, every: int = 1
) -> Path:
    """The first ``seconds`` of ``src`` at ``width`` px and every ``every``-th frame: a real
    set's first rep, quick to analyse (for tests that push many clips through the workers)."""
    import av

    with av.open(str(src)) as inp, av.open(str(out), "w") as dst:
        stream_in = inp.streams.video[0]
        height = round(stream_in.height * width / stream_in.width / 2) * 2
        rate = stream_in.average_rate / every
        stream = dst.add_stream("libx264", rate=rate)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for k, frame in enumerate(inp.decode(stream_in)):
            if frame.time is not None and frame.time >= seconds:
                break
            if k % every:
                continue
            small = frame.reformat(width=width, height=height, format="yuv420p")
            small.pts, small.time_base = k // every, 1 / rate
            for packet in stream.encode(small):
                dst.mux(packet)
        for packet in stream.encode():
            dst.mux(packet)
    return out
