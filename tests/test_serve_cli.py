"""formcheck serve and users on the command line: accounts, and one line with a documented
exit code for a bad database URL, an unreachable database and a taken port."""

from __future__ import annotations

import io
import socket
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="formcheck[serve] is not installed")
from sqlalchemy import select

from formcheck.cli import main
from formcheck.serve.db import User, open_db
from formcheck.serve.security import verify_password
from formcheck.serve.settings import ServeSettings

pytestmark = pytest.mark.server


def _users_add(monkeypatch: pytest.MonkeyPatch, data: Path, password: str, *extra: str) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    return main(["users", "add", "coach", "--data", str(data), "--password-stdin", *extra])


def test_users_add_creates_then_changes_a_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    assert _users_add(monkeypatch, data, "first-password") == 0
    assert _users_add(monkeypatch, data, "second-password") == 0
    assert "password changed for coach" in capsys.readouterr().out
    with open_db(ServeSettings(data=data).database_url)() as s:
        (user,) = s.scalars(select(User))
        assert verify_password(user.password_hash, "second-password")


def test_a_short_password_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _users_add(monkeypatch, tmp_path, "short") == 2
    assert "at least 8 characters" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("url", "code", "said"),
    [
        ("nonsense://x", 2, "not a database URL"),
        ("postgresql://someone:secret@127.0.0.1:9/nothing", 10, "cannot open the database"),
    ],
)
def test_a_bad_or_unreachable_database_is_one_line(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    url: str,
    code: int,
    said: str,
) -> None:
    assert _users_add(monkeypatch, tmp_path, "long-enough-1", "--db", url) == code
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and said in err and "secret" not in err
    assert main(["serve", "--data", str(tmp_path), "--db", url, "--port", "0"]) == code


def test_a_taken_port_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--data", str(tmp_path), "--port", str(port)]) == 10
    err = capsys.readouterr().err
    assert f"cannot listen on 127.0.0.1:{port}" in err and err.count("\n") == 1
