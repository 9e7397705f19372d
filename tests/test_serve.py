"""formcheck serve, in-process: who may see what (every route, as nobody, as another athlete,
as the athlete, as the coach), CSRF, uploads that must be refused, names and notes that must
stay text, the session cookie, the login limit, links, backups. Each test runs on SQLite and
on PostgreSQL (`serving.db_url`)."""

from __future__ import annotations

import errno
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="formcheck[serve] is not installed")
from fastapi.testclient import TestClient
from serving import PASSWORD, add_coach, csrf_of
from sqlalchemy import func, select

from formcheck.serve import store
from formcheck.serve.app import create_app
from formcheck.serve.db import Athlete, Job, SetRow, User
from formcheck.serve.settings import ServeSettings

pytestmark = pytest.mark.server
REPO = Path(__file__).resolve().parents[1]
CLIP = REPO / "sample_videos" / "glute_bridge_right.mp4"


@dataclass
class Site:
    settings: ServeSettings
    app: object
    coach: TestClient
    nobody: TestClient
    a_token: str
    b_token: str
    a_set: int  # a finished set of athlete A


def _client(app: object) -> TestClient:
    return TestClient(app, follow_redirects=False)  # type: ignore[arg-type]


def login(client: TestClient, password: str = PASSWORD) -> object:
    token = csrf_of(client.get("/login").text)
    return client.post("/login", data={"username": "coach", "password": password, "csrf": token})


def upload(
    client: TestClient, token: str, data: bytes | Path = CLIP, name: str = "set.mp4", **fields: str
) -> object:
    page = client.get(f"/a/{token}")
    assert page.status_code == 200
    body = data.read_bytes() if isinstance(data, Path) else data
    return client.post(
        f"/a/{token}/upload",
        data={"csrf": csrf_of(page.text), **fields},
        files={"clip": (name, body, "video/mp4")},
        headers={"accept": "application/json"},
    )


@pytest.fixture
def site(tmp_path: Path, db_url: str) -> Site:
    return make_site(tmp_path, db_url)


def make_site(tmp_path: Path, db_url: str) -> Site:
    settings = ServeSettings(data=tmp_path / "data", db_url=db_url, max_upload_mb=1)
    app = create_app(settings)
    add_coach(settings.data, db_url)
    coach = _client(app)
    assert login(coach).status_code == 303  # type: ignore[attr-defined]
    tokens = []
    for name in ("Ann", "Bob"):
        r = coach.post("/athletes", data={"name": name, "csrf": csrf_of(coach.get("/").text)})
        assert r.status_code == 303
        athlete_id = int(r.headers["location"].rsplit("/", 1)[1])
        with app.state.sessions() as s:
            tokens.append(s.get(Athlete, athlete_id).token)
    a = _client(app)
    r = upload(a, tokens[0], note="first set")
    assert r.status_code == 201, r.text  # type: ignore[attr-defined]
    set_id = r.json()["set_id"]  # type: ignore[attr-defined]
    _finish_without_model(settings, app, set_id)
    return Site(settings, app, coach, _client(app), tokens[0], tokens[1], set_id)


def _finish_without_model(settings: ServeSettings, app: object, set_id: int) -> None:
    """Mark the set's job done with a stand-in report (these tests are about access, not the
    analysis: tests/test_serve_jobs.py runs the real one)."""
    folder = settings.outputs / "clips" / str(set_id)
    folder.mkdir(parents=True)
    (folder / "report.html").write_text("<!doctype html><p>stand-in report</p>")
    (folder / "report.json").write_text(json.dumps({"rep_count": 0, "reps": [], "summary": {}}))
    with app.state.sessions() as s:  # type: ignore[attr-defined]
        job = s.scalar(select(Job).where(Job.set_id == set_id))
        job.status, job.result = "done", json.dumps({"status": "ok", "reps": 0, "rep_rows": []})
        s.commit()


# -- who may see what ---------------------------------------------------------------------

#: Every route of the app, with the address to try (A = athlete A, S = A's finished set).
COACH_ROUTES = [
    ("GET", "/"),
    ("POST", "/athletes"),
    ("GET", "/athletes/{A}"),
    ("POST", "/athletes/{A}/link"),
    ("GET", "/athletes/{A}/history.csv"),
    ("GET", "/sets/{S}"),
    ("POST", "/sets/{S}/rerun"),
    ("GET", "/sets/{S}/files/report.html"),
    ("GET", "/compare?a={S}&b={S}"),
    ("GET", "/api/sets/{S}"),
    ("POST", "/logout"),
]
ATHLETE_ROUTES = [
    ("GET", "/a/{T}"),
    ("GET", "/a/{T}/status"),
    ("GET", "/a/{T}/sets/{S}"),
    ("GET", "/a/{T}/sets/{S}/files/report.html"),
    ("POST", "/a/{T}/upload"),
]
OPEN_ROUTES = [("GET", "/login"), ("POST", "/login"), ("GET", "/static/style.css")]


def test_every_route_is_in_the_access_matrix(site: Site) -> None:
    listed = {
        re.sub(r"\{[A-Z]\}", "X", p.split("?")[0])
        for _, p in COACH_ROUTES + ATHLETE_ROUTES + OPEN_ROUTES
    }
    from formcheck.serve import routes_athlete, routes_coach

    for route in routes_coach.router.routes + routes_athlete.router.routes:
        path = re.sub(r"\{[a-z_]+\}", "X", getattr(route, "path", ""))
        listed_path = path.replace("/files/X", "/files/report.html")
        assert listed_path in listed, f"{path} has no access test"


def _fill(path: str, site: Site, token: str | None = None) -> str:
    with site.app.state.sessions() as s:  # type: ignore[attr-defined]
        a_id = s.scalar(select(Athlete.id).where(Athlete.token == site.a_token))
    return path.format(A=a_id, S=site.a_set, T=token or site.a_token)


def _send(client: TestClient, method: str, path: str, csrf: str = "") -> object:
    if method == "GET":
        return client.get(path)
    return client.post(path, data={"csrf": csrf, "name": "x"})


@pytest.mark.parametrize(("method", "path"), COACH_ROUTES)
def test_coach_routes_send_everyone_else_to_the_login(site: Site, method: str, path: str) -> None:
    athlete = _client(site.app)
    csrf = csrf_of(athlete.get(f"/a/{site.a_token}").text)  # an athlete's own session
    for who, client, token in (("nobody", site.nobody, ""), ("athlete", athlete, csrf)):
        r = _send(client, method, _fill(path, site), token)
        assert r.status_code == 303, f"{who}: {r.status_code}"  # type: ignore[attr-defined]
        assert r.headers["location"] == "/login", who  # type: ignore[attr-defined]
    r = _send(site.coach, method, _fill(path, site), csrf_of(site.coach.get("/").text))
    assert r.status_code in (200, 303), r.text  # type: ignore[attr-defined]
    if path == "/logout":
        assert site.coach.get("/").status_code == 303  # logged out
    elif r.status_code == 303:  # type: ignore[attr-defined]
        assert r.headers["location"] != "/login"  # type: ignore[attr-defined]


@pytest.mark.parametrize(("method", "path"), ATHLETE_ROUTES)
def test_athlete_routes_are_the_athletes_own(site: Site, method: str, path: str) -> None:
    a, b = _client(site.app), _client(site.app)
    if method == "GET":
        assert a.get(_fill(path, site)).status_code == 200
        # nobody: a made-up token; another athlete: B's own link on A's set
        assert site.nobody.get(_fill(path, site, "not-a-token")).status_code == 404
        r = b.get(_fill(path, site, site.b_token))
        if "{S}" in path:
            assert r.status_code == 404
        else:
            assert r.status_code == 200
            assert "first set" not in r.text and f'"id":{site.a_set}' not in r.text
        # the coach's login gives no way into an athlete's link
        assert site.coach.get(_fill(path, site, "not-a-token")).status_code == 404
    else:
        r = site.nobody.post(_fill(path, site, "not-a-token"), data={"csrf": "x"})
        assert r.status_code == 404


def test_a_revoked_link_sees_nothing_and_a_new_one_works(site: Site) -> None:
    with site.app.state.sessions() as s:  # type: ignore[attr-defined]
        a_id = s.scalar(select(Athlete.id).where(Athlete.token == site.a_token))
    csrf = csrf_of(site.coach.get("/").text)
    site.coach.post(f"/athletes/{a_id}/link", data={"csrf": csrf, "action": "revoke"})
    assert site.nobody.get(f"/a/{site.a_token}").status_code == 404
    assert site.nobody.get(f"/a/{site.a_token}/sets/{site.a_set}").status_code == 404
    site.coach.post(f"/athletes/{a_id}/link", data={"csrf": csrf, "action": "new"})
    with site.app.state.sessions() as s:  # type: ignore[attr-defined]
        new = s.get(Athlete, a_id).token
    assert new != site.a_token
    assert site.nobody.get(f"/a/{site.a_token}").status_code == 404
    r = site.nobody.get(f"/a/{new}")
    assert r.status_code == 200 and "first set" in r.text


# -- forms ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/athletes", {"name": "Eve"}),
        ("/athletes/{A}/link", {"action": "revoke"}),
        ("/sets/{S}/rerun", {}),
        ("/logout", {}),
    ],
)
def test_a_coach_form_without_its_csrf_token_changes_nothing(
    site: Site, path: str, data: dict[str, str]
) -> None:
    for token in (None, "forged"):
        form = dict(data) if token is None else {**data, "csrf": token}
        r = site.coach.post(_fill(path, site), data=form)
        assert r.status_code == 403
    with site.app.state.sessions() as s:  # type: ignore[attr-defined]
        assert s.scalar(select(func.count(Athlete.id))) == 2
        assert not any(a.revoked for a in s.scalars(select(Athlete)))
        assert s.scalar(select(Job.status).where(Job.set_id == site.a_set)) == "done"
    assert site.coach.get("/").status_code == 200  # still logged in


def test_an_upload_without_its_csrf_token_stores_nothing(site: Site) -> None:
    r = site.nobody.post(
        f"/a/{site.a_token}/upload",
        data={"csrf": "forged"},
        files={"clip": ("x.mp4", CLIP.read_bytes(), "video/mp4")},
    )
    assert r.status_code == 403
    assert _stored(site) == 1
    r = site.nobody.post("/login", data={"username": "coach", "password": PASSWORD})
    assert r.status_code == 403


def _stored(site: Site) -> int:
    """Sets in the database, checked against the files on disk (none half-registered)."""
    with site.app.state.sessions() as s:  # type: ignore[attr-defined]
        rows = list(s.scalars(select(SetRow)))
    assert sorted(r.video for r in rows) == sorted(p.name for p in site.settings.videos.iterdir())
    assert not list(site.settings.tmp.iterdir()), "a temporary upload was left behind"
    return len(rows)


def test_an_oversize_upload_is_refused_with_the_limit_and_stores_nothing(site: Site) -> None:
    big = CLIP.read_bytes() * 20  # > 1 MB
    r = upload(site.nobody, site.a_token, big)
    assert r.status_code == 413  # type: ignore[attr-defined]
    assert "limit of 1 MB" in r.json()["message"]  # type: ignore[attr-defined]
    assert _stored(site) == 1
    # without a Content-Length (a chunked body), counted as it arrives
    page = site.nobody.get(f"/a/{site.a_token}")
    boundary = "fcboundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n'
            f"{csrf_of(page.text)}\r\n--{boundary}\r\n"
            'Content-Disposition: form-data; name="clip"; filename="a.mp4"\r\n'
            "Content-Type: video/mp4\r\n\r\n"
        ).encode()
        + big
        + f"\r\n--{boundary}--\r\n".encode()
    )

    def chunks():  # type: ignore[no-untyped-def]
        for k in range(0, len(body), 65536):
            yield body[k : k + 65536]

    r = site.nobody.post(
        f"/a/{site.a_token}/upload",
        content=chunks(),
        headers={
            "content-type": f"multipart/form-data; boundary={boundary}",
            "accept": "application/json",
        },
    )
    assert r.status_code == 413
    assert _stored(site) == 1


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (b"", "no frame"),
        (b"hello, not a video at all" * 100, "not a video"),
        (b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 5000, "not a video"),  # an mp4 header only
    ],
)
def test_a_file_that_is_not_a_decodable_video_is_refused(site: Site, body: bytes, why: str) -> None:
    r = upload(site.nobody, site.a_token, body, name="clip.mp4")
    assert r.status_code == 400  # type: ignore[attr-defined]
    assert r.json()["message"].startswith("Not stored") or "Choose" in r.json()["message"]  # type: ignore[attr-defined]
    assert _stored(site) == 1


def test_a_video_named_like_a_text_file_is_judged_by_its_content(site: Site) -> None:
    r = upload(site.nobody, site.a_token, CLIP, name="notes.txt")
    assert r.status_code == 201  # type: ignore[attr-defined]
    assert _stored(site) == 2


HOSTILE_NAMES = [
    "../../etc/passwd",
    "..\\..\\boot.ini",
    "/etc/shadow.mp4",
    "a/../../b.mp4",
    "<img src=x onerror=alert(1)>.mp4",
    "clip\x00.mp4",
]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_path_like_and_script_like_names_and_notes_stay_text(site: Site, name: str) -> None:
    note = f'<script>alert("{name}")</script> & "quotes"'
    r = upload(site.nobody, site.a_token, CLIP, name=name, note=note)
    assert r.status_code == 201, r.text  # type: ignore[attr-defined]
    set_id = r.json()["set_id"]  # type: ignore[attr-defined]
    _stored(site)  # every file is in the videos folder, under the server's name
    for p in site.settings.data.rglob("*"):
        assert "passwd" not in p.name and "shadow" not in p.name and "<" not in p.name
    pages = [
        site.coach.get("/").text,
        site.coach.get(f"/sets/{set_id}").text,
        site.nobody.get(f"/a/{site.a_token}").text,
        site.nobody.get(f"/a/{site.a_token}/sets/{set_id}").text,
    ]
    for html in pages:
        assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert" in pages[0]


def test_an_athlete_name_with_markup_is_escaped(site: Site) -> None:
    csrf = csrf_of(site.coach.get("/").text)
    site.coach.post("/athletes", data={"name": "<b onmouseover=x>Zed</b>", "csrf": csrf})
    html = site.coach.get("/").text
    assert "<b onmouseover" not in html and "&lt;b onmouseover=x&gt;Zed" in html


def test_a_cut_upload_leaves_nothing(site: Site, tmp_path: Path) -> None:
    import asyncio

    async def cut():  # type: ignore[no-untyped-def]
        yield b"x" * 1000
        raise ConnectionResetError("the phone lost its signal")

    with pytest.raises(ConnectionResetError):
        asyncio.run(store.receive(cut(), site.settings.tmp, 10**6))
    assert _stored(site) == 1


def test_a_full_disk_is_one_clear_message_and_loses_nothing(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_open = Path.open

    def full(self: Path, mode: str = "r", *a: object, **k: object):  # type: ignore[no-untyped-def]
        if self.suffix == ".part" and "w" in mode:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_open(self, mode, *a, **k)  # type: ignore[call-overload]

    monkeypatch.setattr(Path, "open", full)
    r = upload(site.nobody, site.a_token, CLIP)
    assert r.status_code == 507  # type: ignore[attr-defined]
    assert "disk is full" in r.json()["message"]  # type: ignore[attr-defined]
    monkeypatch.undo()
    assert _stored(site) == 1
    assert site.coach.get(f"/sets/{site.a_set}/files/report.html").status_code == 200


# -- accounts and sessions ------------------------------------------------------------------


def test_passwords_are_stored_as_argon2id_hashes(site: Site) -> None:
    with site.app.state.sessions() as s:  # type: ignore[attr-defined]
        stored = s.scalar(select(User.password_hash))
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_the_session_cookie_is_httponly_and_samesite(site: Site, tmp_path: Path) -> None:
    r = login(_client(site.app))
    cookie = r.headers["set-cookie"].lower()  # type: ignore[attr-defined]
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
    tls = create_app(
        ServeSettings(data=site.settings.data, db_url=site.settings.db_url, secure_cookies=True)
    )
    r = login(_client(tls))
    assert "; secure" in r.headers["set-cookie"].lower()  # type: ignore[attr-defined]


def test_logins_are_rate_limited(site: Site) -> None:
    client = _client(site.app)
    for _ in range(5):
        assert login(client, "wrong-password").status_code == 401  # type: ignore[attr-defined]
    r = login(client)  # even the right password must wait now
    assert r.status_code == 429  # type: ignore[attr-defined]
    assert "Too many failed logins" in r.text  # type: ignore[attr-defined]


def test_a_wrong_password_does_not_log_in(site: Site) -> None:
    client = _client(site.app)
    assert login(client, "nope-nope").status_code == 401  # type: ignore[attr-defined]
    assert client.get("/").status_code == 303


# -- data -----------------------------------------------------------------------------------


def test_the_schema_is_versioned_by_migrations(site: Site) -> None:
    from sqlalchemy import text

    with site.app.state.sessions() as s:  # type: ignore[attr-defined]
        assert s.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0001"
    create_app(site.settings)  # a second start migrates nothing and keeps the data
    assert _stored(site) == 1


def test_a_copy_of_the_data_folder_is_a_whole_backup(tmp_path: Path) -> None:
    """SQLite only: with PostgreSQL the database is backed up with pg_dump (docs/SERVE.md)."""
    site = make_site(tmp_path / "original", "")
    copy = tmp_path / "restored"
    shutil.copytree(site.settings.data, copy)
    restored = create_app(ServeSettings(data=copy))
    coach = _client(restored)
    assert login(coach).status_code == 303  # type: ignore[attr-defined]
    assert "first set" in coach.get("/").text
    r = coach.get(f"/sets/{site.a_set}/files/report.html")
    assert r.status_code == 200 and "stand-in report" in r.text
    assert _client(restored).get(f"/a/{site.a_token}").status_code == 200


def test_history_csv_has_a_row_per_finished_set(site: Site) -> None:
    with site.app.state.sessions() as s:  # type: ignore[attr-defined]
        a_id = s.scalar(select(Athlete.id).where(Athlete.token == site.a_token))
    r = site.coach.get(f"/athletes/{a_id}/history.csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    lines = r.text.strip().splitlines()
    assert lines[0].startswith("set_id,date,load_kg,reps,score") and len(lines) == 2


def test_only_a_sets_outputs_are_served(site: Site) -> None:
    folder = site.settings.outputs / "clips" / str(site.a_set)
    (folder / "result.json").write_text('{"source": "/srv/data/videos/x.mp4"}')
    for name in ("result.json", "..%2F..%2Fformcheck.db", "%2E%2E", "secret_key", "x.html"):
        assert site.coach.get(f"/sets/{site.a_set}/files/{name}").status_code == 404, name
        assert (
            site.nobody.get(f"/a/{site.a_token}/sets/{site.a_set}/files/{name}").status_code == 404
        ), name
    assert site.coach.get(f"/sets/{site.a_set}/files/report.json").status_code == 200
