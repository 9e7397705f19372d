"""The coach's pages: login, the dashboard (queue and every set, filtered), athletes and
their links, a set's report, two sets side by side, history and its CSV."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from formcheck.serve import jobs, plots, views
from formcheck.serve.access import check_csrf, coach, coach_form, page
from formcheck.serve.db import Athlete, SetRow, User
from formcheck.serve.security import new_token, verify_password

router = APIRouter()

#: The outputs a visitor may fetch of a set (`formcheck.report.outputs`): the report, the copy
#: of the clip the page draws over, annotated.mp4, the thumbnail. Nothing else (result.json
#: names server paths) is served.
OUTPUT_FILE = re.compile(r"report\.(html|json)|clip\.[a-z0-9]{2,4}|annotated\.mp4|thumb\.jpg")


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request) -> Response:
    return page(request, "login.html", error="")


@router.post("/login")
async def login(request: Request) -> Response:
    form = await request.form()
    check_csrf(request, form.get("csrf"))
    client = request.client.host if request.client else "?"
    limiter = request.app.state.limiter
    wait = limiter.wait_s(client)
    if wait > 0:
        return page(
            request,
            "login.html",
            429,
            error=f"Too many failed logins: try again in {wait / 60:.0f} min.",
        )
    name, password = str(form.get("username", "")), str(form.get("password", ""))
    with request.app.state.sessions() as s:
        user = s.scalar(select(User).where(User.username == name))
        ok = user is not None and verify_password(user.password_hash, password)
    if not ok or user is None:
        limiter.failed(client)
        return page(request, "login.html", 401, error="Wrong user name or password.")
    request.session.clear()  # a new session on login: no fixation
    request.session["user_id"] = user.id
    return RedirectResponse("/", 303)


@router.post("/logout")
async def logout(request: Request) -> Response:
    await coach_form(request)
    request.session.clear()
    return RedirectResponse("/login", 303)


def _date(text: str | None) -> datetime | None:
    try:
        return datetime.strptime(text, "%Y-%m-%d") if text else None
    except ValueError:
        return None


@router.get("/", response_class=HTMLResponse)
def dashboard(
    request: Request,
    athlete: str = "",
    status: str = "",
    fault: str = "",
    since: str = "",
    until: str = "",
) -> Response:
    user = coach(request)
    until_d = _date(until)
    with request.app.state.sessions() as s:
        sets = views.list_sets(
            s,
            athlete_id=int(athlete) if athlete.isdigit() else None,
            status=status if status in (jobs.QUEUED, jobs.RUNNING, jobs.DONE, jobs.FAILED) else "",
            fault=fault,
            since=_date(since),
            until=until_d + timedelta(days=1) if until_d else None,
        )
        queue = views.list_sets(s, status=jobs.RUNNING) + views.list_sets(s, status=jobs.QUEUED)
        everyone = views.athletes(s)
    filters = {"athlete": athlete, "status": status, "fault": fault, "since": since, "until": until}
    return page(
        request,
        "dashboard.html",
        user=user,
        sets=sets,
        queue=queue,
        athletes=everyone,
        filters=filters,
        faults=sorted(views.FAULT_CODES),
    )


@router.post("/athletes")
async def add_athlete(request: Request) -> Response:
    form = await coach_form(request)
    name = str(form.get("name", "")).strip()[:100]
    if not name:
        raise HTTPException(400, "an athlete needs a name")
    with request.app.state.sessions() as s:
        a = Athlete(name=name, token=new_token())
        s.add(a)
        s.commit()
        return RedirectResponse(f"/athletes/{a.id}", 303)


def _athlete(request: Request, athlete_id: int) -> Athlete:
    with request.app.state.sessions() as s:
        a = s.get(Athlete, athlete_id)
    if a is None:
        raise HTTPException(404, "no such athlete")
    return a


@router.get("/athletes/{athlete_id}", response_class=HTMLResponse)
def athlete_page(request: Request, athlete_id: int) -> Response:
    user = coach(request)
    a = _athlete(request, athlete_id)
    settings = request.app.state.settings
    with request.app.state.sessions() as s:
        sets = views.list_sets(s, athlete_id=a.id)
        points = views.history(s, settings, a.id)
    link = str(request.url_for("athlete_home", token=a.token))
    return page(
        request,
        "athlete_coach.html",
        user=user,
        athlete=a,
        link=link,
        sets=sets,
        points=points,
        charts=plots.history_charts(points),
        ready=views.readiness(points),
        rule=views.PROGRESS_RULE,
    )


@router.post("/athletes/{athlete_id}/link")
async def renew_link(request: Request, athlete_id: int) -> Response:
    """Revoke the athlete's link (``action=revoke``) or give them a new one."""
    form = await coach_form(request)
    with request.app.state.sessions() as s:
        a = s.get(Athlete, athlete_id)
        if a is None:
            raise HTTPException(404, "no such athlete")
        if form.get("action") == "revoke":
            a.revoked = True
        else:
            a.token, a.revoked = new_token(), False
        s.commit()
    return RedirectResponse(f"/athletes/{athlete_id}", 303)


@router.get("/athletes/{athlete_id}/history.csv")
def history_csv(request: Request, athlete_id: int) -> Response:
    coach(request)
    a = _athlete(request, athlete_id)
    with request.app.state.sessions() as s:
        points = views.history(s, request.app.state.settings, a.id)
    return Response(
        views.history_csv(points),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="history-{a.id}.csv"'},
    )


def _set(request: Request, set_id: int) -> views.SetView:
    with request.app.state.sessions() as s:
        row = s.get(SetRow, set_id)
        if row is None:
            raise HTTPException(404, "no such set")
        return views.set_view(row)


@router.get("/sets/{set_id}", response_class=HTMLResponse)
def set_page(request: Request, set_id: int) -> Response:
    user = coach(request)
    return page(
        request,
        "set.html",
        user=user,
        set=_set(request, set_id),
        base=f"/sets/{set_id}/files/",
        back="/",
    )


@router.post("/sets/{set_id}/rerun")
async def rerun(request: Request, set_id: int) -> Response:
    await coach_form(request)
    with request.app.state.sessions() as s:
        row = s.get(SetRow, set_id)
        if row is None:
            raise HTTPException(404, "no such set")
        job_id = row.job.id
    jobs.requeue(request.app.state.sessions, job_id)
    return RedirectResponse(f"/sets/{set_id}", 303)


@router.get("/sets/{set_id}/files/{name}")
def set_file(request: Request, set_id: int, name: str) -> Response:
    coach(request)
    _set(request, set_id)
    return output_file(request, set_id, name)


@router.get("/compare", response_class=HTMLResponse)
def compare(request: Request, a: int, b: int) -> Response:
    user = coach(request)
    return page(request, "compare.html", user=user, left=_set(request, a), right=_set(request, b))


@router.get("/api/sets/{set_id}")
def set_status(request: Request, set_id: int) -> dict[str, object]:
    coach(request)
    v = _set(request, set_id)
    return {"id": v.id, "status": v.status, "progress": v.progress, "error": v.error}


def output_file(request: Request, set_id: int, name: str) -> Response:
    """One file of a set's outputs; the name is checked, never joined as a path blindly."""
    if not OUTPUT_FILE.fullmatch(name):
        raise HTTPException(404, "no such file")
    folder: Path = request.app.state.settings.outputs / "clips" / str(set_id)
    path = folder / name
    if not path.is_file() or path.resolve().parent != folder.resolve():
        raise HTTPException(404, "no such file (the analysis may not have finished)")
    return FileResponse(path)
