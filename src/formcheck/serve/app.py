"""The web app: `create_app` wires the database, the sessions, the templates and the routes
(`routes_coach`, `routes_athlete`; who may see what is in `access`)."""

from __future__ import annotations

import logging
import secrets
from pathlib import Path
from typing import Any

import jinja2
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from formcheck import __version__
from formcheck.serve import routes_athlete, routes_coach
from formcheck.serve.access import page
from formcheck.serve.db import open_db
from formcheck.serve.security import LoginLimiter
from formcheck.serve.settings import ServeSettings

log = logging.getLogger(__name__)

HERE = Path(__file__).parent
#: A week: the coach logs in again after that.
SESSION_MAX_AGE_S = 7 * 24 * 3600


def secret_key(data: Path) -> str:
    """The key that signs session cookies, made once per data folder (so a restart keeps
    everyone logged in, and a copy of the folder is a whole backup)."""
    path = data / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def create_app(settings: ServeSettings) -> FastAPI:
    for folder in (settings.data, settings.videos, settings.outputs, settings.tmp):
        folder.mkdir(parents=True, exist_ok=True)
    app = FastAPI(
        title="formcheck", version=__version__, docs_url=None, redoc_url=None, openapi_url=None
    )
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret_key(settings.data),
        session_cookie="formcheck_session",
        max_age=SESSION_MAX_AGE_S,
        same_site="lax",
        https_only=settings.secure_cookies,
    )
    app.state.settings = settings
    app.state.sessions = open_db(settings.database_url)
    app.state.limiter = LoginLimiter()
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True)
    app.state.templates = Jinja2Templates(env=env)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.middleware("http")
    async def headers(request: Request, call_next: Any) -> Any:
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")  # links carry tokens
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        return response

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 303 and exc.headers:
            return RedirectResponse(exc.headers["Location"], 303)
        if "application/json" in request.headers.get("accept", ""):
            return JSONResponse({"message": exc.detail}, exc.status_code)
        return page(request, "error.html", exc.status_code, message=exc.detail, back="")

    app.include_router(routes_coach.router)
    app.include_router(routes_athlete.router)
    return app
