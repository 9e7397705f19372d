"""Run clip jobs: in local worker processes, or as tasks on a Ray cluster.

Both engines run the same `run_clip` and hand each result to ``on_result`` as it finishes.
A worker process that dies (a decoder crash, say) fails only its own clips: the pool is
restarted for the rest, and a clip whose worker died twice becomes a failed row.
"""

from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from formcheck.batch.job import ClipJob, ClipResult, run_clip
from formcheck.errors import FormcheckError, UsageError

log = logging.getLogger(__name__)

OnResult = Callable[[ClipResult], None]
#: Attempts per clip when its worker process dies.
MAX_ATTEMPTS = 2


def _crashed(job: ClipJob, why: str) -> ClipResult:
    return ClipResult(job.clip_id, str(job.source), job.key, "failed", why, 1)


def run_local(jobs: list[ClipJob], workers: int, on_result: OnResult) -> None:
    """``workers`` processes (1: in this process, no pool)."""
    if workers <= 1:
        for job in jobs:
            on_result(run_clip(job))
        return
    attempts = dict.fromkeys(range(len(jobs)), 0)
    pending = list(range(len(jobs)))
    # spawn: forking a process that holds MediaPipe or Ray threads is not safe
    ctx = multiprocessing.get_context("spawn")
    while pending:
        retry: list[int] = []
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
            futures: dict[Future[ClipResult], int] = {}
            for k in pending:
                attempts[k] += 1
                futures[pool.submit(run_clip, jobs[k])] = k
            waiting = set(futures)
            while waiting:
                done, waiting = wait(waiting, return_when=FIRST_COMPLETED)
                for fut in done:
                    k = futures[fut]
                    try:
                        on_result(fut.result())
                    except BrokenProcessPool:
                        if attempts[k] < MAX_ATTEMPTS:
                            retry.append(k)
                        else:
                            on_result(_crashed(jobs[k], "the analysis crashed (worker died)"))
        pending = sorted(retry)
        if pending:
            log.warning("a worker process died; retrying %d clip(s)", len(pending))


def run_ray(jobs: list[ClipJob], address: str | None, workers: int, on_result: OnResult) -> None:
    """Each job as a Ray task (one CPU each) on the cluster at ``address``, or on a local Ray
    instance with ``workers`` CPUs when there is none. Inputs and outputs must be on paths
    every node sees (a shared file system), and formcheck installed on every node."""
    try:
        import ray
    except ImportError as exc:
        raise UsageError(
            "--engine ray needs Ray, which is not installed: pip install 'formcheck[ray]'"
        ) from exc
    started = not ray.is_initialized()
    if started:
        try:
            if address:
                ray.init(address=address, log_to_driver=False)
            else:
                ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False)
        except (ConnectionError, RuntimeError, ValueError) as exc:
            raise FormcheckError(
                f"cannot start or reach Ray at {address or 'local'}: {exc}"
            ) from exc
    try:
        task = ray.remote(num_cpus=1, max_retries=MAX_ATTEMPTS - 1)(run_clip)
        refs = {task.remote(job): job for job in jobs}
        waiting = list(refs)
        while waiting:
            done, waiting = ray.wait(waiting, num_returns=1)
            for ref in done:
                try:
                    on_result(ray.get(ref))
                except Exception as exc:  # noqa: BLE001 - a lost task is a failed row
                    on_result(_crashed(refs[ref], f"Ray task failed: {type(exc).__name__}"))
    finally:
        if started:
            ray.shutdown()
