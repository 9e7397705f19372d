"""formcheck serve under load: uploads per second and the queue's throughput.

    python benchmarks/bench_serve.py [CLIP] [--uploads 20] [--workers 2] [--rounds 3]
                                     [--db URL] [--pad-mb 0] [--one-rep]

Each round starts ``formcheck serve`` on a fresh data folder (SQLite, or ``--db``), makes an
athlete, and posts ``--uploads`` copies of the clip at once from as many threads over
loopback, as a phone's page does (multipart form with its CSRF token). It times until every
upload is stored (uploads/s, MB/s), then until every job is done (jobs/s, seconds per clip on
``--workers`` worker processes), and reads the peak memory of the server and its workers.
``--pad-mb`` appends that much to each clip after its last box (players ignore it), to
measure uploads of phone-sized files. ``--one-rep`` uploads the clip's first 7 s at 480 px and
15 fps instead, the one-rep clip the test suite's twenty-upload test sends. Prints each round
and the medians.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx2 as httpx

ROOT = Path(__file__).resolve().parents[1]
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _peak_rss_mb(pid: int) -> float:
    """VmHWM of a process and its children (Linux /proc), MB."""
    total = 0.0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            status = (proc / "status").read_text()
            ppid = int(re.search(r"PPid:\s+(\d+)", status).group(1))  # type: ignore[union-attr]
            if int(proc.name) != pid and ppid != pid:
                continue
            hwm = re.search(r"VmHWM:\s+(\d+)", status)
            total += int(hwm.group(1)) / 1024 if hwm else 0.0
        except (OSError, AttributeError):
            continue
    return total


def one_round(clip: bytes, uploads: int, workers: int, db: str) -> dict[str, float]:
    from formcheck.serve.db import Athlete, Job, open_db
    from formcheck.serve.security import new_token
    from formcheck.serve.settings import ServeSettings

    with tempfile.TemporaryDirectory() as tmp:
        data, port = Path(tmp) / "data", _port()
        cmd = [
            sys.executable,
            "-m",
            "formcheck.cli",
            "serve",
            "--data",
            str(data),
            "--port",
            str(port),
            "--workers",
            str(workers),
        ] + (["--db", db] if db else [])
        server = subprocess.Popen(cmd, start_new_session=True, stderr=subprocess.DEVNULL)
        try:
            url = f"http://127.0.0.1:{port}"
            for _ in range(200):
                try:
                    httpx.get(f"{url}/login")
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            sessions = open_db(ServeSettings(data=data, db_url=db).database_url)
            with sessions() as s:
                athlete = Athlete(name="bench", token=new_token())
                s.add(athlete)
                s.commit()
                link = f"{url}/a/{athlete.token}"

            def post(_: int) -> None:
                with httpx.Client(timeout=300) as c:
                    token = CSRF.search(c.get(link).text).group(1)  # type: ignore[union-attr]
                    r = c.post(
                        f"{link}/upload",
                        data={"csrf": token},
                        files={"clip": ("set.mp4", clip, "video/mp4")},
                        headers={"accept": "application/json"},
                    )
                    r.raise_for_status()

            start = time.perf_counter()
            with ThreadPoolExecutor(uploads) as pool:
                list(pool.map(post, range(uploads)))
            stored = time.perf_counter() - start
            while True:
                with sessions() as s:
                    statuses = [j.status for j in s.query(Job)]
                if all(st in ("done", "failed") for st in statuses):
                    break
                time.sleep(0.2)
            finished = time.perf_counter() - start
            rss = _peak_rss_mb(server.pid)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(30)
    return {
        "uploads_per_s": uploads / stored,
        "upload_mb_per_s": uploads * len(clip) / 2**20 / stored,
        "jobs_per_s": uploads / finished,
        "s_per_clip_per_worker": finished * workers / uploads,
        "failed": float(statuses.count("failed")),
        "peak_rss_mb_server_and_workers": rss,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "clip", nargs="?", type=Path, default=ROOT / "sample_videos" / "glute_bridge_right.mp4"
    )
    ap.add_argument("--uploads", type=int, default=20)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--db", default="")
    ap.add_argument("--pad-mb", type=float, default=0.0)
    ap.add_argument("--one-rep", action="store_true", help="the clip's first 7 s, 480 px, 15 fps")
    args = ap.parse_args()
    if args.one_rep:
        sys.path.insert(0, str(ROOT / "tests"))
        from serving import short_clip  # the test suite's cut, so both measure the same clip

        with tempfile.TemporaryDirectory() as tmp:
            clip = short_clip(args.clip, Path(tmp) / "one_rep.mp4", 7.0, 480, 2).read_bytes()
    else:
        clip = args.clip.read_bytes()
    if args.pad_mb:  # a 'free' box: MP4 readers skip it
        size = int(args.pad_mb * 2**20)
        clip += size.to_bytes(4, "big") + b"free" + bytes(size - 8)
    rounds = [one_round(clip, args.uploads, args.workers, args.db) for _ in range(args.rounds)]
    for r in rounds:
        print(json.dumps({k: round(v, 3) for k, v in r.items()}))
    med = {k: round(statistics.median(r[k] for r in rounds), 3) for k in rounds[0]}
    print(
        f"median of {args.rounds} rounds ({len(clip) / 2**20:.2f} MB clip, {args.uploads} "
        f"uploads, {args.workers} workers): {json.dumps(med)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
