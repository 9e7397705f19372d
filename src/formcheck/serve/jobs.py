"""The persistent job queue, in the database.

A worker *claims* a job with one conditional UPDATE (queued, or running with an expired
lease): of two workers racing for it, exactly one changes the row. It renews the lease while
it works, and records the result only while the job is still its own, so a job whose worker
was killed runs again (its outputs replace the half-made ones: `run_clip` renames a whole
folder into place) and appears once in the results. The same SQL runs on SQLite and
PostgreSQL.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from formcheck.serve.db import Job, utcnow
from formcheck.serve.settings import MAX_ATTEMPTS

log = logging.getLogger(__name__)

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"


def _claimable(now: Any) -> Any:
    return or_(Job.status == QUEUED, (Job.status == RUNNING) & (Job.lease_until < now))


def claim(sessions: sessionmaker[Session], worker: str, lease_s: float) -> int | None:
    """The id of a job now leased to ``worker``, or None when there is nothing to do."""
    with sessions() as s:
        for _ in range(5):  # another worker may take the one we saw first
            now = utcnow()
            job_id = s.scalar(select(Job.id).where(_claimable(now)).order_by(Job.id).limit(1))
            if job_id is None:
                return None
            taken = s.execute(
                update(Job)
                .where(Job.id == job_id, _claimable(now))
                .values(
                    status=RUNNING,
                    worker=worker,
                    lease_until=now + timedelta(seconds=lease_s),
                    attempts=Job.attempts + 1,
                    started_at=now,
                    progress=0.0,
                )
            )
            s.commit()
            if taken.rowcount != 1:  # type: ignore[attr-defined]
                continue
            job = s.get(Job, job_id)
            assert job is not None
            if job.attempts > MAX_ATTEMPTS:
                _end(s, job_id, worker, FAILED, error="the analysis crashed its worker every time")
                continue
            return job_id
    return None


def renew(
    sessions: sessionmaker[Session], job_id: int, worker: str, lease_s: float, progress: float
) -> bool:
    """Extend the lease and record progress; False when the job is no longer ours."""
    with sessions() as s:
        r = s.execute(
            update(Job)
            .where(Job.id == job_id, Job.worker == worker, Job.status == RUNNING)
            .values(lease_until=utcnow() + timedelta(seconds=lease_s), progress=progress)
        )
        s.commit()
        return bool(r.rowcount == 1)  # type: ignore[attr-defined]


def finish(
    sessions: sessionmaker[Session], job_id: int, worker: str, result: dict[str, Any]
) -> bool:
    """Record a finished analysis (a failed clip is a finished job with its reason)."""
    status = FAILED if result.get("status") == "failed" else DONE
    with sessions() as s:
        return _end(s, job_id, worker, status, result=result, error=result.get("reason", ""))


def _end(
    s: Session,
    job_id: int,
    worker: str,
    status: str,
    result: dict[str, Any] | None = None,
    error: str = "",
) -> bool:
    r = s.execute(
        update(Job)
        .where(Job.id == job_id, Job.worker == worker, Job.status == RUNNING)
        .values(
            status=status,
            finished_at=utcnow(),
            lease_until=None,
            progress=1.0,
            result=json.dumps(result) if result else "",
            error=error if status == FAILED else "",
        )
    )
    s.commit()
    ok = bool(r.rowcount == 1)  # type: ignore[attr-defined]
    if not ok:
        log.warning("job %d was taken over by another worker; its result is not recorded", job_id)
    return ok


def release_dead(sessions: sessionmaker[Session], host: str, alive: Callable[[int], bool]) -> int:
    """Jobs leased to workers of ``host`` whose process is gone (the server was killed):
    claimable now instead of when their lease runs out. Returns how many."""
    released = 0
    with sessions() as s:
        for job in s.scalars(select(Job).where(Job.status == RUNNING)):
            w_host, _, rest = job.worker.partition(":")
            pid = rest.split(":", 1)[0]
            if w_host == host and pid.isdigit() and not alive(int(pid)):
                job.lease_until = utcnow() - timedelta(seconds=1)
                released += 1
        s.commit()
    if released:
        log.warning("%d job(s) of workers that died will run again", released)
    return released


def requeue(sessions: sessionmaker[Session], job_id: int) -> None:
    """Run a finished or failed job again (the coach's "analyse again")."""
    with sessions() as s:
        s.execute(
            update(Job)
            .where(Job.id == job_id, Job.status.in_((DONE, FAILED)))
            .values(status=QUEUED, attempts=0, worker="", progress=0.0, error="")
        )
        s.commit()
