"""The athlete's pages, reached through their private link ``/a/<token>``: upload a set,
follow its analysis, see their own sets and history, and nothing else."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException
from starlette.types import Message, Receive

from formcheck.errors import InputError
from formcheck.serve import plots, store, views
from formcheck.serve.access import athlete, check_csrf, page
from formcheck.serve.db import Job, SetRow
from formcheck.serve.routes_coach import output_file

log = logging.getLogger(__name__)
router = APIRouter()

#: Room for the form's other fields around the clip, bytes.
FORM_OVERHEAD = 64 * 1024
MAX_NOTE = 2000


@router.get("/a/{token}", response_class=HTMLResponse, name="athlete_home")
def home(request: Request, token: str) -> Response:
    a = athlete(request, token)
    settings = request.app.state.settings
    with request.app.state.sessions() as s:
        sets = views.list_sets(s, athlete_id=a.id)
        points = views.history(s, settings, a.id)
    return page(
        request,
        "athlete.html",
        athlete=a,
        token=token,
        sets=sets,
        points=points,
        charts=plots.history_charts(points),
        ready=views.readiness(points),
        rule=views.PROGRESS_RULE,
        max_mb=settings.max_upload_mb,
    )


@router.get("/a/{token}/status")
def status(request: Request, token: str) -> dict[str, Any]:
    a = athlete(request, token)
    with request.app.state.sessions() as s:
        sets = views.list_sets(s, athlete_id=a.id)
    return {
        "sets": [{"id": v.id, "status": v.status, "progress": round(v.progress, 3)} for v in sets]
    }


def _own_set(request: Request, token: str, set_id: int) -> views.SetView:
    a = athlete(request, token)
    with request.app.state.sessions() as s:
        row = s.get(SetRow, set_id)
        if row is None or row.athlete_id != a.id:
            raise HTTPException(404, "no such set")
        return views.set_view(row)


@router.get("/a/{token}/sets/{set_id}", response_class=HTMLResponse)
def set_page(request: Request, token: str, set_id: int) -> Response:
    v = _own_set(request, token, set_id)
    return page(
        request, "set.html", set=v, base=f"/a/{token}/sets/{set_id}/files/", back=f"/a/{token}"
    )


@router.get("/a/{token}/sets/{set_id}/files/{name}")
def set_file(request: Request, token: str, set_id: int, name: str) -> Response:
    _own_set(request, token, set_id)
    return output_file(request, set_id, name)


def _limited(receive: Receive, limit: int) -> Receive:
    """``receive`` that fails with `store.TooLarge` once the body passes ``limit`` bytes."""
    seen = 0

    async def wrapped() -> Message:
        nonlocal seen
        message = await receive()
        seen += len(message.get("body", b""))
        if seen > limit:
            raise store.TooLarge(
                f"the clip is larger than this server's limit of {limit / 2**20:.0f} MB"
            )
        return message

    return wrapped


async def _chunks(file: UploadFile) -> AsyncIterator[bytes]:
    while chunk := await file.read(1 << 20):
        yield chunk


def text(value: str, limit: int, lines: bool) -> str:
    """What a visitor typed, as plain text: no control characters (a NUL cannot even be
    stored in PostgreSQL), newlines kept in notes, cut to ``limit``."""
    keep = "\n\t" if lines else ""
    return "".join(c for c in value if c.isprintable() or c in keep)[:limit]


def _number(form: Any, key: str, kind: type, lo: float, hi: float) -> Any:
    text = str(form.get(key) or "").strip().replace(",", ".")
    if not text:
        return None
    try:
        value = kind(text)
    except ValueError:
        raise InputError(f"{key.replace('_', ' ')} must be a number") from None
    if not lo <= value <= hi:
        raise InputError(f"{key.replace('_', ' ')} must be between {lo:g} and {hi:g}")
    return value


def _answer(
    request: Request, token: str, status: int, message: str, set_id: int | None = None
) -> Response:
    if "application/json" in request.headers.get("accept", ""):
        return JSONResponse({"ok": status < 400, "message": message, "set_id": set_id}, status)
    if status < 400:
        return RedirectResponse(f"/a/{token}", 303)
    return page(request, "error.html", status, message=message, back=f"/a/{token}")


@router.post("/a/{token}/upload")
async def upload(request: Request, token: str) -> Response:
    a = athlete(request, token)
    settings = request.app.state.settings
    limit = settings.max_upload_bytes + FORM_OVERHEAD
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit:
        return _answer(
            request,
            token,
            413,
            f"The clip is larger than this server's limit of {settings.max_upload_mb:.0f} MB.",
        )
    counted = Request(request.scope, _limited(request.receive, limit))
    try:
        form = await counted.form(max_files=1, max_fields=10)
    except store.TooLarge as exc:
        return _answer(request, token, 413, f"{str(exc).capitalize()}.")
    except MultiPartException as exc:
        return _answer(request, token, 400, f"The upload was not a form this page sends: {exc}")
    check_csrf(request, form.get("csrf"))
    clip = form.get("clip")
    if not isinstance(clip, UploadFile) or not clip.filename:
        return _answer(request, token, 400, "Choose a clip to upload.")
    try:
        load_kg = _number(form, "load_kg", float, 0, 1000)
        set_number = _number(form, "set_number", int, 1, 100)
        tmp = await store.receive(_chunks(clip), settings.tmp, settings.max_upload_bytes)
        stored = await run_in_threadpool(store.keep, tmp, settings.videos)
    except store.TooLarge as exc:
        return _answer(request, token, 413, f"{str(exc).capitalize()}.")
    except store.DiskFull as exc:
        log.error("upload refused: %s", exc)
        return _answer(request, token, 507, f"{str(exc).capitalize()}; try again later.")
    except InputError as exc:
        return _answer(request, token, 400, f"Not stored: {exc}.")
    finally:
        await clip.close()
    try:
        with request.app.state.sessions() as s:
            row = SetRow(
                athlete_id=a.id,
                original_name=text(str(clip.filename), 255, lines=False),
                video=stored.name,
                size_bytes=stored.size_bytes,
                sha256=stored.sha256,
                note=text(str(form.get("note") or ""), MAX_NOTE, lines=True),
                load_kg=load_kg,
                set_number=set_number,
            )
            s.add(row)
            s.flush()
            s.add(Job(set_id=row.id))
            s.commit()
            set_id = row.id
    except BaseException:
        (settings.videos / stored.name).unlink(missing_ok=True)  # nothing half-registered
        raise
    log.info("set %d stored for athlete %d (%d bytes)", set_id, a.id, stored.size_bytes)
    return _answer(request, token, 201, "Uploaded: the analysis is queued.", set_id)
