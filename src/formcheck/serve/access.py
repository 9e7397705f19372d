"""Who may see what, decided in one place per kind of visitor: `coach` (a logged-in user,
from the session cookie) and `athlete` (the private link's token, from the path); every route
asks one of them. Every form posts the session's CSRF token back (`check_csrf`). `page`
renders a template with that token."""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy import select

from formcheck.serve.db import Athlete, User
from formcheck.serve.security import csrf_ok, csrf_token


class Redirect(HTTPException):
    def __init__(self, location: str) -> None:
        super().__init__(status_code=303, headers={"Location": location})


def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    context.setdefault("csrf", csrf_token(request.session))
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, template, context, status_code=status)


def coach(request: Request) -> User:
    """The logged-in coach, or a redirect to the login page."""
    user_id = request.session.get("user_id")
    if isinstance(user_id, int):
        with request.app.state.sessions() as s:
            user = s.get(User, user_id)
            if user is not None:
                return user
    raise Redirect("/login")


def athlete(request: Request, token: str) -> Athlete:
    """The athlete whose private link this is; 404 for an unknown or revoked link."""
    with request.app.state.sessions() as s:
        found = s.scalar(select(Athlete).where(Athlete.token == token))
    if found is None or found.revoked:
        raise HTTPException(404, "this link is not valid (it may have been revoked)")
    return found


def check_csrf(request: Request, sent: Any) -> None:
    if not csrf_ok(request.session, sent if isinstance(sent, str) else None):
        raise HTTPException(403, "the form was out of date or not from this site: reload the page")


async def coach_form(request: Request) -> Any:
    """A coach's posted form, once its CSRF token is checked."""
    coach(request)
    form = await request.form()
    check_csrf(request, form.get("csrf"))
    return form
