"""formcheck serve's job queue and workers: a job is claimed by one worker, survives its
worker's death, and lands once in the results; real analyses through the local workers, a
server killed with kill -9 mid-job, 20 uploads at once, and the Ray engine."""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="formcheck[serve] is not installed")
import httpx2 as httpx
from serving import ServerProcess, csrf_of, free_port, short_clip
from sqlalchemy import func, select, update

from formcheck.serve import jobs
from formcheck.serve.db import Athlete, Job, SetRow, open_db, utcnow
from formcheck.serve.settings import MAX_ATTEMPTS, ServeSettings

pytestmark = pytest.mark.server
REPO = Path(__file__).resolve().parents[1]
CLIP = REPO / "sample_videos" / "glute_bridge_right.mp4"


def _queue(tmp_path: Path, db: str, n: int):  # type: ignore[no-untyped-def]
    settings = ServeSettings(data=tmp_path / "data", db_url=db)
    settings.data.mkdir(parents=True)
    sessions = open_db(settings.database_url)
    with sessions() as s:
        a = Athlete(name="Ann", token="t" * 32)
        s.add(a)
        s.flush()
        for k in range(n):
            row = SetRow(
                athlete_id=a.id,
                original_name=f"{k}.mp4",
                video=f"{k}.mp4",
                size_bytes=1,
                sha256="0" * 64,
                note="",
            )
            s.add(row)
            s.flush()
            s.add(Job(set_id=row.id))
        s.commit()
    return settings, sessions


def test_each_job_is_claimed_by_exactly_one_of_many_workers(tmp_path: Path, db_url: str) -> None:
    _, sessions = _queue(tmp_path, db_url, 30)
    claimed: dict[str, list[int]] = {}

    def worker(name: str) -> None:
        mine = claimed.setdefault(name, [])
        while (job_id := jobs.claim(sessions, name, 60)) is not None:
            mine.append(job_id)

    threads = [threading.Thread(target=worker, args=(f"w{k}",)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ids = [j for mine in claimed.values() for j in mine]
    assert sorted(ids) == list(range(1, 31))  # every job once, none twice


def test_a_dead_workers_job_runs_again_and_its_late_result_is_not_recorded(
    tmp_path: Path,
    db_url: str,
) -> None:
    _, sessions = _queue(tmp_path, db_url, 1)
    job_id = jobs.claim(sessions, "dead", 60)
    assert job_id is not None and jobs.claim(sessions, "other", 60) is None
    with sessions() as s:  # the lease runs out (the worker was killed)
        s.execute(update(Job).values(lease_until=utcnow() - timedelta(seconds=1)))
        s.commit()
    assert jobs.claim(sessions, "second", 60) == job_id
    assert not jobs.renew(sessions, job_id, "dead", 60, 0.5)
    assert not jobs.finish(sessions, job_id, "dead", {"status": "ok", "reps": 1})
    assert jobs.finish(sessions, job_id, "second", {"status": "ok", "reps": 3})
    with sessions() as s:
        job = s.get(Job, job_id)
        assert (job.status, job.attempts, json.loads(job.result)["reps"]) == ("done", 2, 3)


def test_a_job_that_kills_its_worker_every_time_fails_for_good(tmp_path: Path, db_url: str) -> None:
    _, sessions = _queue(tmp_path, db_url, 1)
    for _ in range(MAX_ATTEMPTS):
        assert jobs.claim(sessions, "w", 60) == 1
        with sessions() as s:
            s.execute(update(Job).values(lease_until=utcnow() - timedelta(seconds=1)))
            s.commit()
    assert jobs.claim(sessions, "w", 60) is None
    with sessions() as s:
        job = s.get(Job, 1)
        assert job.status == "failed" and "crashed" in job.error


# -- real analyses ---------------------------------------------------------------------------


def _wait(sessions, set_ids: list[int], timeout_s: float) -> list[Job]:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with sessions() as s:
            found = list(s.scalars(select(Job).where(Job.set_id.in_(set_ids))))
        if len(found) == len(set_ids) and all(j.status in ("done", "failed") for j in found):
            return found
        time.sleep(0.5)
    raise AssertionError(
        f"jobs not finished in {timeout_s:.0f} s: {[(j.set_id, j.status) for j in found]}"
    )


def _athlete_link(server: ServerProcess) -> str:
    from formcheck.serve.security import new_token

    sessions = open_db(ServeSettings(data=server.data, db_url=server.db).database_url)
    with sessions() as s:
        a = Athlete(name="Ann", token=new_token())
        s.add(a)
        s.commit()
        return f"{server.url}/a/{a.token}"


def _upload(link: str, clip: Path = CLIP, client: httpx.Client | None = None) -> int:
    with httpx.Client(timeout=60) as own:
        c = client or own
        page = c.get(link)
        r = c.post(
            f"{link}/upload",
            data={"csrf": csrf_of(page.text), "note": "n"},
            files={"clip": (clip.name, clip.read_bytes(), "video/mp4")},
            headers={"accept": "application/json"},
        )
        assert r.status_code == 201, r.text
        return int(r.json()["set_id"])


@pytest.mark.model
@pytest.mark.slow
def test_kill_9_mid_job_then_restart_finishes_the_job_once(
    tmp_path: Path, db_url: str, one_rep_clip: Path
) -> None:
    data = tmp_path / "data"
    server = ServerProcess(data, db_url, free_port(), workers=1, extra=("--lease-s", "3")).start()
    try:
        link = _athlete_link(server)
        set_id = _upload(link, one_rep_clip)
        sessions = open_db(ServeSettings(data=data, db_url=db_url).database_url)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # kill while the worker is analysing
            with sessions() as s:
                job = s.scalar(select(Job).where(Job.set_id == set_id))
                if job.status == "running" and job.progress > 0:
                    break
            time.sleep(0.05)
        else:
            raise AssertionError("the job never started")
        server.kill9()
        with sessions() as s:
            assert s.scalar(select(Job.status).where(Job.set_id == set_id)) == "running"
        server.start()
        (job,) = _wait(sessions, [set_id], 120)
    finally:
        server.stop()
    assert job.status == "done" and job.attempts == 2, (job.status, job.attempts, job.error)
    with sessions() as s:
        assert s.scalar(select(func.count(Job.id))) == 1
        assert s.scalar(select(func.count(SetRow.id))) == 1
    clips = data / "outputs" / "clips"
    assert sorted(p.name for p in clips.iterdir()) == [str(set_id)]  # no half-made folder
    report = json.loads((clips / str(set_id) / "report.json").read_text())
    assert report["rep_count"] == json.loads(job.result)["reps"] > 0


@pytest.fixture(scope="module")
def one_rep_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One rep at 15 fps: twenty of them go through two workers in ~30 s."""
    return short_clip(CLIP, tmp_path_factory.mktemp("clips") / "one_rep.mp4", 7.0, 480, 2)


@pytest.mark.model
@pytest.mark.slow
def test_twenty_uploads_at_once_are_all_stored_and_processed_once(
    tmp_path: Path,
    db_url: str,
    one_rep_clip: Path,
) -> None:
    data = tmp_path / "data"
    server = ServerProcess(data, db_url, free_port(), workers=2).start()
    try:
        link = _athlete_link(server)
        start = time.perf_counter()
        with ThreadPoolExecutor(20) as pool:
            ids = list(pool.map(lambda _: _upload(link, one_rep_clip), range(20)))
        uploaded_s = time.perf_counter() - start
        sessions = open_db(ServeSettings(data=data, db_url=db_url).database_url)
        found = _wait(sessions, ids, 300)
        processed_s = time.perf_counter() - start
    finally:
        server.stop()
    assert len(set(ids)) == 20
    assert all(j.status == "done" and j.attempts == 1 for j in found)
    assert all(json.loads(j.result)["reps"] == 1 for j in found)  # the clip's one rep
    with sessions() as s:
        assert s.scalar(select(func.count(SetRow.id))) == 20
        assert len(set(s.scalars(select(SetRow.video)))) == 20
    assert len(list((data / "videos").iterdir())) == 20
    assert sorted(int(p.name) for p in (data / "outputs" / "clips").iterdir()) == sorted(ids)
    (tmp_path.parent / f"serve-throughput-{'pg' if db_url else 'sqlite'}.json").write_text(
        json.dumps({"uploads_per_s": 20 / uploaded_s, "jobs_per_s": 20 / processed_s})
    )


@pytest.mark.model
@pytest.mark.slow
def test_the_ray_engine_runs_the_queue_on_a_local_ray(tmp_path: Path, one_rep_clip: Path) -> None:
    """``--engine ray``: jobs claimed here, run as Ray tasks, recorded once (SQLite; the
    queue's SQL is the same on PostgreSQL, tested above)."""
    pytest.importorskip("ray", reason="Ray is not installed")
    from formcheck.serve import store
    from formcheck.serve.worker import dispatch_ray

    settings, sessions = _queue(tmp_path, "", 0)
    with sessions() as s:
        a = s.scalar(select(Athlete))
        ids = []
        for _ in range(2):
            tmp = settings.tmp / "up.part"
            settings.tmp.mkdir(exist_ok=True)
            tmp.write_bytes(one_rep_clip.read_bytes())
            kept = store.keep(tmp, settings.videos)
            row = SetRow(
                athlete_id=a.id,
                original_name="x.mp4",
                video=kept.name,
                size_bytes=kept.size_bytes,
                sha256=kept.sha256,
                note="",
            )
            s.add(row)
            s.flush()
            s.add(Job(set_id=row.id))
            ids.append(row.id)
        s.commit()
    stop = threading.Event()
    runner = threading.Thread(target=dispatch_ray, args=(settings, None, 2, stop))
    runner.start()
    try:
        found = _wait(sessions, ids, 240)
    finally:
        stop.set()
        runner.join(60)
    assert all(j.status == "done" and j.worker.endswith(":ray") for j in found)
    assert all(json.loads(j.result)["reps"] == 1 for j in found)
