"""Typed results of an analysis: findings, reps, the set summary and the report.

`SetReport` is the one object every output is made from (JSON, terminal table,
and later HTML and annotated video). It also carries the cleaned landmarks and
per-frame metrics (not serialised) so that renderers never recompute analysis.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from formcheck.config import Config
from formcheck.landmarks.names import Side
from formcheck.landmarks.series import PoseSeries
from formcheck.results.measures import BarTrack, FrameMetrics, RepBar, Source, View

SCHEMA_VERSION = "1.2"
Severity = Literal["minor", "moderate", "major"]
Status = Literal["ok", "not_hip_thrust", "tracking_unreliable"]


@dataclass(frozen=True)
class Finding:
    """One fault on one rep, with the measurement that triggered it."""

    code: str
    severity: Severity
    value: float | None
    threshold: float
    unit: str
    confidence: float  # 0..1: landmark visibility x view x how directly the fault is seen
    cue: str
    source: Source
    message: str  # e.g. "peak hip extension 142 deg, below 160 deg"


@dataclass(frozen=True)
class Tempo:
    """Phase durations in seconds; None where the clip does not show the phase."""

    bottom_pause_s: float | None
    concentric_s: float
    top_hold_s: float | None
    eccentric_s: float | None

    @property
    def label(self) -> str:
        """Concentric-hold-eccentric in whole seconds, e.g. "2-1-3" ("?" = unseen)."""
        parts = (self.concentric_s, self.top_hold_s, self.eccentric_s)
        return "-".join("?" if p is None else f"{p:.0f}" for p in parts)


@dataclass(frozen=True)
class Rep:
    index: int  # from 1
    start_s: float
    lockout_s: float
    end_s: float
    tempo: Tempo
    peak_hip_extension_deg: float | None
    range_deg: float | None  # hip extension gained from bottom to top
    rise: float  # hip rise in torso lengths
    partial: bool
    working_leg: Side | None
    score: int
    faults: tuple[Finding, ...]
    #: fault code -> why this rep could not be judged on it (e.g. the load hides the hip)
    not_judged: dict[str, str] = field(default_factory=dict)
    bar: RepBar | None = None  # the bar's rise and speed, when a plate shows the bar
    bottom_i: int = field(repr=False, default=0)
    lockout_i: int = field(repr=False, default=0)
    end_i: int = field(repr=False, default=0)


@dataclass(frozen=True)
class RepRangeBand:
    name: str  # "strength", "hypertrophy", "endurance / warm-up", or "between ..."
    low: int | None
    high: int | None
    source: Source


@dataclass(frozen=True)
class SetSummary:
    rep_count: int
    partial_reps: int
    variation: str  # hip_thrust, glute_bridge, single_leg_hip_thrust, single_leg_glute_bridge
    working_leg: Side | Literal["both"] | None
    mean_tempo: Tempo | None
    rep_range: RepRangeBand | None
    speed_loss_pct: float | None  # concentric speed, last rep vs the faster of the first two
    first_breakdown_rep: int | None  # first rep with a moderate or major fault
    score: int | None  # mean of the rep scores
    top_faults: tuple[tuple[str, int], ...]  # (code, reps with it), most important first


@dataclass(frozen=True)
class SetReport:
    clip: str
    status: Status
    view: View
    assessable: dict[str, bool]
    not_assessable: dict[str, str]  # code -> why not
    summary: SetSummary
    reps: tuple[Rep, ...]
    warnings: tuple[str, ...]
    duration_s: float
    frames: int
    fps: float
    series: PoseSeries = field(repr=False, compare=False)
    metrics: FrameMetrics = field(repr=False, compare=False)
    bar: BarTrack | None = field(default=None, repr=False, compare=False)
    cuts_s: tuple[float, ...] = ()  # where the picture cuts to another shot
    #: the thresholds the report was made with: every renderer reads them from here
    config: Config = field(default_factory=Config, repr=False, compare=False)

    @property
    def rep_count(self) -> int:
        return self.summary.rep_count
