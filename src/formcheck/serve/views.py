"""What the pages show of the database: a set's row, an athlete's history and whether they
are ready to progress. Pages and the CSV export read these; nothing here draws HTML."""

from __future__ import annotations

import csv
import io
import json
import statistics
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from formcheck.analysis.rules import FAULT_CODES
from formcheck.serve.db import Athlete, Job, SetRow
from formcheck.serve.settings import ServeSettings

__all__ = ["FAULT_CODES", "history", "history_csv", "list_sets", "readiness", "set_view"]

#: The sentences the "ready to progress?" line applies (../shared/seeds/002).
PROGRESS_RULE = (
    "Add load or reps only when you can finish the planned sets without shortening the top "
    "position, losing control, turning the movement into a bounce, or carrying soreness and "
    "fatigue into the work that matters more."
)
SAME_SETUP = (
    "same bench height, same foot position, same range, same top position, and the same "
    "effort target from week to week"
)
#: Faults that mean the top was shortened, control was lost, or the rep bounced (002).
BREAKDOWN_FAULTS = {
    "incomplete_lockout": "shortened top position",
    "no_top_pause": "shortened top position",
    "rushed_eccentric": "lost control on the way down",
    "bounce": "bounced out of the bottom",
    "range_drift": "range shrank through the set",
}
#: Sets the readiness line looks at (the last ones finished).
READY_SETS = 3
#: How far the sets' median range and top position may differ and still be "the same", deg.
SAME_RANGE_DEG = 10.0
SAME_TOP_DEG = 5.0


@dataclass
class SetView:
    id: int
    athlete_id: int
    athlete: str
    created_at: datetime
    original_name: str
    note: str
    load_kg: float | None
    set_number: int | None
    status: str
    progress: float
    error: str
    reps: int | None = None
    score: int | None = None
    faults: list[str] = field(default_factory=list)
    view: str = ""


def set_view(row: SetRow) -> SetView:
    job: Job = row.job
    result = json.loads(job.result) if job.result else {}
    return SetView(
        id=row.id,
        athlete_id=row.athlete_id,
        athlete=row.athlete.name,
        created_at=row.created_at,
        original_name=row.original_name,
        note=row.note,
        load_kg=row.load_kg,
        set_number=row.set_number,
        status=job.status,
        progress=job.progress,
        error=job.error,
        reps=result.get("reps"),
        score=result.get("score"),
        faults=sorted({f for r in result.get("rep_rows", []) for f in r["faults"].split()}),
        view=result.get("view", ""),
    )


def list_sets(
    s: Session,
    athlete_id: int | None = None,
    status: str = "",
    fault: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[SetView]:
    q = select(SetRow).join(Job).order_by(SetRow.created_at.desc(), SetRow.id.desc())
    if athlete_id is not None:
        q = q.where(SetRow.athlete_id == athlete_id)
    if status:
        q = q.where(Job.status == status)
    if since is not None:
        q = q.where(SetRow.created_at >= since)
    if until is not None:
        q = q.where(SetRow.created_at < until)
    views = [set_view(r) for r in s.scalars(q)]
    return [v for v in views if not fault or fault in v.faults]


def athletes(s: Session) -> list[Athlete]:
    return list(s.scalars(select(Athlete).order_by(Athlete.name)))


@dataclass
class SessionPoint:
    """One finished set, as the history plots and the CSV show it."""

    set_id: int
    date: str
    load_kg: float | None
    reps: int
    score: int | None
    peak_hip_extension_deg: float | None
    range_deg: float | None
    tempo: str
    faults: list[str]
    bar_velocity_m_s: float | None
    top_hold_s: float | None = None  # the set's mean, as its tempo
    eccentric_s: float | None = None


def _median(xs: list[Any]) -> float | None:
    vals = [float(x) for x in xs if x is not None]
    return round(statistics.median(vals), 1) if vals else None


def history(s: Session, settings: ServeSettings, athlete_id: int) -> list[SessionPoint]:
    """The athlete's finished sets, oldest first, from each one's report.json."""
    rows = s.scalars(
        select(SetRow)
        .join(Job)
        .where(SetRow.athlete_id == athlete_id, Job.status == "done")
        .order_by(SetRow.created_at, SetRow.id)
    )
    points = []
    for row in rows:
        report = _report(settings.outputs / "clips" / str(row.id) / "report.json")
        if report is None:
            continue
        reps = report.get("reps", [])
        tempo = report.get("summary", {}).get("mean_tempo") or {}
        bars = [r["bar"].get("mean_velocity_m_s") for r in reps if isinstance(r.get("bar"), dict)]
        points.append(
            SessionPoint(
                set_id=row.id,
                date=row.created_at.strftime("%Y-%m-%d %H:%M"),
                load_kg=row.load_kg,
                reps=int(report.get("rep_count", 0)),
                score=report.get("summary", {}).get("score"),
                peak_hip_extension_deg=_median([r.get("peak_hip_extension_deg") for r in reps]),
                range_deg=_median([r.get("range_deg") for r in reps]),
                tempo=str(tempo.get("label", "")),
                faults=sorted({f["code"] for r in reps for f in r.get("faults", [])}),
                bar_velocity_m_s=_median(bars),
                top_hold_s=tempo.get("top_hold_s"),
                eccentric_s=tempo.get("eccentric_s"),
            )
        )
    return points


def _report(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


@dataclass(frozen=True)
class Readiness:
    ready: bool | None  # None: not enough finished sets to say
    reasons: list[str]


def readiness(points: list[SessionPoint]) -> Readiness:
    """The documents' rule on the last READY_SETS finished sets."""
    last = points[-READY_SETS:]
    if len(last) < READY_SETS:
        return Readiness(None, [f"{READY_SETS} finished sets are needed ({len(last)} so far)"])
    reasons = []
    for p in last:
        broke = sorted({BREAKDOWN_FAULTS[f] for f in p.faults if f in BREAKDOWN_FAULTS})
        if broke:
            reasons.append(f"set of {p.date}: {', '.join(broke)}")
    for what, values, limit in (
        ("range", [p.range_deg for p in last], SAME_RANGE_DEG),
        ("top position", [p.peak_hip_extension_deg for p in last], SAME_TOP_DEG),
    ):
        seen = [v for v in values if v is not None]
        if len(seen) < len(values):
            reasons.append(f"the {what} was not measured on every set")
        elif max(seen) - min(seen) > limit:
            reasons.append(
                f"the {what} changed by {max(seen) - min(seen):.0f} deg (at most {limit:.0f})"
            )
    return Readiness(not reasons, reasons)


CSV_FIELDS = [
    "set_id",
    "date",
    "load_kg",
    "reps",
    "score",
    "peak_hip_extension_deg",
    "range_deg",
    "tempo",
    "faults",
    "bar_velocity_m_s",
]


def history_csv(points: list[SessionPoint]) -> str:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(CSV_FIELDS)
    for p in points:
        row = [getattr(p, f) for f in CSV_FIELDS]
        row[CSV_FIELDS.index("faults")] = " ".join(p.faults)
        # a cell a spreadsheet would run as a formula is quoted as text
        w.writerow(["'" + c if isinstance(c, str) and c[:1] in "=+-@" else c for c in row])
    return out.getvalue()
