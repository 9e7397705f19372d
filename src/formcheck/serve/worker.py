"""Workers: take jobs from the queue and run the same per-clip job as ``formcheck batch``.

`work` is one worker's loop (``formcheck serve --workers N`` starts N processes of it; not
daemonic, since a long clip is tracked in processes of its own; each stops when the server
asks or when the server's process is gone).
While a clip is analysed, a thread renews the job's lease and records its progress; when the
lease is lost (the server restarted the queue after a long stall, say) the result is dropped,
since another worker has the job. `dispatch_ray` is the same loop with the clips run as Ray
tasks: up to ``slots`` at a time, their leases renewed here.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from formcheck.batch.job import ClipJob, ClipResult, run_clip
from formcheck.config import Config
from formcheck.serve import jobs
from formcheck.serve.db import Job, open_db
from formcheck.serve.settings import ServeSettings

log = logging.getLogger(__name__)

#: Seconds between looks at an empty queue.
IDLE_S = 1.0


@dataclass
class _Progress:
    value: float = 0.0

    def __call__(self, done: int, total: int) -> None:
        if total > 0:
            self.value = min(0.99, done / total)


def worker_name(k: int = 0) -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{k}"


def clip_job(
    sessions: sessionmaker[Session],
    settings: ServeSettings,
    job_id: int,
    model: Path,
    one_core: bool,
) -> ClipJob:
    with sessions() as s:
        job = s.get(Job, job_id)
        assert job is not None
        row = job.set
        return ClipJob(
            source=settings.videos / row.video,
            clip_id=str(row.id),
            key=row.sha256,
            out_root=settings.outputs,
            config=Config(),
            model=model,
            video=settings.video,
            one_core=one_core,
            annotated=settings.annotated,
        )


def work(settings: ServeSettings, k: int = 0, stop: Any = None, one_core: bool = True) -> None:
    """Run jobs until ``stop`` (an Event) is set; forever without one."""
    from formcheck.pose.models import resolve_model

    sessions = open_db(settings.database_url)
    model = resolve_model(None)
    name = worker_name(k)
    parent = os.getppid()
    log.info("worker %s ready", name)
    while (stop is None or not stop.is_set()) and os.getppid() == parent:  # not orphaned
        job_id = jobs.claim(sessions, name, settings.lease_s)
        if job_id is None:
            time.sleep(IDLE_S)
            continue
        run_one(sessions, settings, job_id, name, model, one_core)


def run_one(
    sessions: sessionmaker[Session],
    settings: ServeSettings,
    job_id: int,
    name: str,
    model: Path,
    one_core: bool,
) -> bool:
    """Analyse one claimed job; True when its result was recorded."""
    job = clip_job(sessions, settings, job_id, model, one_core)
    progress = _Progress()
    done = threading.Event()

    def keep_lease() -> None:
        while not done.wait(settings.lease_s / 3):
            if not jobs.renew(sessions, job_id, name, settings.lease_s, progress.value):
                return

    renewer = threading.Thread(target=keep_lease, daemon=True)
    renewer.start()
    try:
        result = run_clip(job, progress)
    finally:
        done.set()
        renewer.join()
    return jobs.finish(sessions, job_id, name, result.to_json())


def dispatch_ray(
    settings: ServeSettings, address: str | None, slots: int, stop: Any = None
) -> None:
    """Claim up to ``slots`` jobs at a time and run each as a Ray task."""
    import ray

    from formcheck.pose.models import resolve_model

    sessions = open_db(settings.database_url)
    model = resolve_model(None)
    name = worker_name(0) + ":ray"
    if address:
        ray.init(address=address, log_to_driver=False)
    else:
        ray.init(num_cpus=slots, include_dashboard=False, log_to_driver=False)
    task = ray.remote(num_cpus=1)(run_clip)
    running: dict[Any, int] = {}
    last_renew = 0.0
    try:
        while stop is None or not stop.is_set():
            while len(running) < slots:
                job_id = jobs.claim(sessions, name, settings.lease_s)
                if job_id is None:
                    break
                running[task.remote(clip_job(sessions, settings, job_id, model, True))] = job_id
            if not running:
                time.sleep(IDLE_S)
                continue
            ready, _ = ray.wait(list(running), num_returns=1, timeout=IDLE_S)
            for ref in ready:
                job_id = running.pop(ref)
                try:
                    result: ClipResult = ray.get(ref)
                    data = result.to_json()
                except Exception as exc:  # noqa: BLE001 - a lost task is a failed set
                    data = {"status": "failed", "reason": f"Ray task failed: {type(exc).__name__}"}
                jobs.finish(sessions, job_id, name, data)
            if time.monotonic() - last_renew > settings.lease_s / 3:
                for job_id in running.values():
                    jobs.renew(sessions, job_id, name, settings.lease_s, 0.0)
                last_renew = time.monotonic()
    finally:
        ray.shutdown()
