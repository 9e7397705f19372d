"""``formcheck serve`` and ``formcheck users add``: the web app, its workers and its coaches."""

from __future__ import annotations

import argparse
import getpass
import multiprocessing
import os
import socket
import sys
from pathlib import Path

from formcheck.errors import ServiceError, UsageError


def _settings(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    try:
        from formcheck.serve.settings import LEASE_S, ServeSettings
    except ImportError as exc:  # pragma: no cover - the extra is missing
        raise UsageError(_MISSING) from exc
    return ServeSettings(
        data=Path(args.data).expanduser().resolve(),
        db_url=args.db or "",
        max_upload_mb=getattr(args, "max_upload_mb", None) or 500,
        secure_cookies=getattr(args, "secure_cookies", False),
        lease_s=getattr(args, "lease_s", None) or LEASE_S,
        annotated=getattr(args, "annotated", False),
    )


_MISSING = "formcheck serve needs its extra: pip install 'formcheck[serve]'"


def _need_extra() -> None:
    try:
        import fastapi  # noqa: F401
        import sqlalchemy  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as exc:
        raise UsageError(_MISSING) from exc


def cmd_users(args: argparse.Namespace) -> int:
    _need_extra()
    from sqlalchemy import select

    from formcheck.serve.db import User
    from formcheck.serve.security import MIN_PASSWORD, hash_password

    settings = _settings(args)
    settings.data.mkdir(parents=True, exist_ok=True)
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(f"password for {args.name}: ")
        if getpass.getpass("again: ") != password:
            raise UsageError("the two passwords differ")
    if len(password) < MIN_PASSWORD:
        raise UsageError(f"a password needs at least {MIN_PASSWORD} characters")
    sessions = _open(settings.database_url)
    with sessions() as s:
        user = s.scalar(select(User).where(User.username == args.name))
        if user is None:
            s.add(User(username=args.name, password_hash=hash_password(password)))
            what = "added"
        else:
            user.password_hash = hash_password(password)
            what = "password changed for"
        s.commit()
    print(f"coach {what} {args.name} ({settings.database_url.split('://')[0]})")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    _need_extra()
    import uvicorn
    from sqlalchemy import func, select

    from formcheck.cli.commands import workers_for
    from formcheck.serve import jobs
    from formcheck.serve.app import create_app
    from formcheck.serve.db import User
    from formcheck.serve.worker import dispatch_ray, work

    settings = _settings(args)
    _check_port(args.host, args.port)
    settings.data.mkdir(parents=True, exist_ok=True)  # SQLite's file goes in it
    _open(settings.database_url)  # a clear line when the database is unreachable
    app = create_app(settings)  # migrates the database first
    with app.state.sessions() as s:
        if not s.scalar(select(func.count(User.id))):
            print(
                f"formcheck: no coach account yet: formcheck users add NAME --data {args.data}",
                file=sys.stderr,
            )
    jobs.release_dead(app.state.sessions, socket.gethostname(), _alive)
    workers = workers_for(args.workers)
    ctx = multiprocessing.get_context("spawn")
    stop = ctx.Event()
    if args.engine == "ray":
        procs = [ctx.Process(target=dispatch_ray, args=(settings, args.address, workers, stop))]
    else:
        procs = [ctx.Process(target=work, args=(settings, k, stop)) for k in range(workers)]
    for p in procs:
        p.start()
    print(
        f"formcheck serving {settings.data} on http://{args.host}:{args.port}/ "
        f"({len(procs) if args.engine == 'local' else workers} {args.engine} worker(s))"
    )
    try:
        uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    finally:
        stop.set()
        for p in procs:
            p.join(timeout=10)
            if p.is_alive():
                p.terminate()
    return 0


def _open(url: str):  # type: ignore[no-untyped-def]
    """`open_db`, with one line for a URL that is not one or a database out of reach."""
    from sqlalchemy.exc import ArgumentError, SQLAlchemyError

    from formcheck.serve.db import open_db

    shown = url.split("@")[-1]  # no password in the message
    try:
        return open_db(url)
    except ArgumentError as exc:
        raise UsageError(f"--db {shown}: not a database URL ({exc})") from exc
    except (SQLAlchemyError, OSError) as exc:
        why = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        raise ServiceError(f"cannot open the database {shown}: {why}") from exc


def _check_port(host: str, port: int) -> None:
    try:
        with socket.socket() as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((host, port))
    except OSError as exc:
        raise ServiceError(f"cannot listen on {host}:{port}: {exc.strerror}") from exc


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def add_parsers(sub: argparse._SubParsersAction) -> None:
    s = sub.add_parser("serve", help="the web app: athletes upload, coaches review")
    s.add_argument("--data", default="formcheck-data", help="folder for the database and files")
    s.add_argument("--host", default="127.0.0.1", help="address to listen on (default: local)")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--workers", type=int, help="analysis processes (default: the cores)")
    s.add_argument("--engine", choices=["local", "ray"], default="local")
    s.add_argument("--address", help="with --engine ray: the cluster (default: a local Ray)")
    s.add_argument("--db", help="SQLAlchemy URL (default: SQLite in --data)")
    s.add_argument("--max-upload-mb", type=float, default=500, help="largest clip accepted")
    s.add_argument(
        "--annotated",
        action="store_true",
        help="also render each set's annotated.mp4 (a file to share; the report draws over "
        "the clip without it)",
    )
    s.add_argument(
        "--lease-s",
        type=float,
        help="seconds before the job of a worker that stopped answering runs again (default 30)",
    )
    s.add_argument(
        "--secure-cookies",
        action="store_true",
        help="served over HTTPS (behind a TLS proxy): cookies only over HTTPS",
    )
    u = sub.add_parser("users", help="coach accounts of formcheck serve")
    u.add_argument("action", choices=["add"], help="add a coach (or set a new password)")
    u.add_argument("name")
    u.add_argument("--data", default="formcheck-data")
    u.add_argument("--db", help="SQLAlchemy URL (default: SQLite in --data)")
    u.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
