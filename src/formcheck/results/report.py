"""Typed results of an analysis: findings, reps, the set summary and the report.

`SetReport` is the one object every output is made from (JSON, terminal table,
and later HTML and annotated video). It also carries the cleaned landmarks and
per-frame metrics (not serialised) so that renderers never recompute analysis.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Literal

from formcheck.config import Config
from formcheck.landmarks.names import Side
from formcheck.landmarks.series import PoseSeries
from formcheck.results.measures import BarTrack, FrameMetrics, RepBar, Source, View

SCHEMA_VERSION = "1.3"


class Severity(str, Enum):
    """How far beyond its threshold a fault is, in the rule's severity steps (`formcheck.config.
    FaultConfig`, ``*_step``): under one step minor, under two moderate, beyond that major.
    Ordered (``Severity.MINOR < Severity.MAJOR``); a string in JSON ("minor")."""

    MINOR = "minor"
    MODERATE = "moderate"
    MAJOR = "major"

    @classmethod
    def of_steps(cls, steps: float) -> Severity:
        return cls.MINOR if steps < 1 else cls.MODERATE if steps < 2 else cls.MAJOR

    @property
    def rank(self) -> int:
        """0 for minor, 1 moderate, 2 major."""
        return list(Severity).index(self)

    # by rank, not as strings ("major" < "minor" alphabetically)
    def __lt__(self, other: str) -> bool:
        return self.rank < Severity(other).rank

    def __le__(self, other: str) -> bool:
        return self.rank <= Severity(other).rank

    def __gt__(self, other: str) -> bool:
        return self.rank > Severity(other).rank

    def __ge__(self, other: str) -> bool:
        return self.rank >= Severity(other).rank

    def __str__(self) -> str:
        return self.value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)


Status = Literal["ok", "not_hip_thrust", "tracking_unreliable"]


class Unjudged(str, Enum):
    """Why a fault was not judged, on the whole set or on one rep."""

    VIEW = "view"  # the camera's position cannot show it
    SET = "set"  # this kind of set cannot show it (asymmetry needs single-leg sets of both legs)
    SHOT = "shot"  # the shot between camera cuts the rep is in cannot show it
    LOAD = "load"  # the load hides the hip, so its position is a guess
    BAR = "bar"  # the hip estimated from the bar is too close to the threshold to call
    LOST_LEG = "lost_leg"  # the pose model lost the legs behind the load
    TRACKING = "tracking"  # the skeleton was tracked unreliably at the top
    TOO_SMALL = "too_small"  # the lifter is too small in the picture for the detail
    MODEL = "model"  # the pose model's landmarks do not show it (measured on rendered clips)

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class NotJudged:
    """A fault not judged: the kind of reason (what renderers decide on) and the sentence
    people read."""

    reason: Unjudged
    why: str


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
    concentric_s: float | None  # None: the rise is partly hidden (a view from the feet)
    top_hold_s: float | None
    eccentric_s: float | None

    @property
    def label(self) -> str:
        """Concentric-hold-eccentric in whole seconds, e.g. "2-1-3" ("?" = unseen)."""
        parts = (self.concentric_s, self.top_hold_s, self.eccentric_s)
        return "-".join("?" if p is None else f"{p:.0f}" for p in parts)


PhaseName = Literal["bottom", "up", "top", "down"]


@dataclass(frozen=True)
class Phases:
    """One rep's phase boundaries in clip seconds, worked out once
    (`formcheck.analysis.reps.phase_times`) and only read everywhere else: the bottom pause
    from ``start_s`` to ``concentric_start_s``, the rise to ``top_s``, the top hold to
    ``eccentric_start_s``, the descent to ``end_s``; ``tempo`` holds their durations (None
    where the clip does not show a phase). ``lockout_s`` is the middle of the hold. Frame
    indices: ``bottom_i`` the bottom the rise left, ``top_i`` the highest frame of the rise,
    ``end_i`` the end of the descent."""

    start_s: float
    concentric_start_s: float
    top_s: float
    lockout_s: float
    eccentric_start_s: float
    end_s: float
    tempo: Tempo
    bottom_i: int = field(repr=False, default=0)
    top_i: int = field(repr=False, default=0)
    end_i: int = field(repr=False, default=0)

    def spans(self) -> list[tuple[PhaseName, float, float]]:
        """(phase, start, end) of each phase the clip shows, in order."""
        out: list[tuple[PhaseName, float, float]] = []
        if self.tempo.bottom_pause_s is not None:
            out.append(("bottom", self.start_s, self.concentric_start_s))
        out.append(("up", self.concentric_start_s, self.top_s))
        if self.tempo.top_hold_s is not None:
            out.append(("top", self.top_s, self.eccentric_start_s))
        if self.tempo.eccentric_s is not None:
            out.append(("down", self.eccentric_start_s, self.end_s))
        return out

    def at(self, t: float) -> PhaseName:
        """The phase at time ``t`` within the rep (before its rise: the bottom; after the
        top, until a descent is seen: the top). A descent is seen when the hold before it
        is (`formcheck.analysis.reps.phase_times`), even if its length is unknown."""
        if t < self.concentric_start_s:
            return "bottom"
        if t < self.top_s:
            return "up"
        if t < self.eccentric_start_s or self.tempo.top_hold_s is None:
            return "top"
        return "down"

    def shifted(self, frames: int) -> Phases:
        """The same phases with frame indices counted from ``frames`` earlier."""
        return replace(
            self,
            bottom_i=self.bottom_i + frames,
            top_i=self.top_i + frames,
            end_i=self.end_i + frames,
        )


@dataclass(frozen=True)
class Rep:
    index: int  # from 1
    phases: Phases
    peak_hip_extension_deg: float | None
    range_deg: float | None  # hip extension gained from bottom to top
    rise: float  # hip rise in torso lengths
    partial: bool
    working_leg: Side | None
    score: int
    faults: tuple[Finding, ...]
    #: fault code -> why this rep could not be judged on it (e.g. the load hides the hip)
    not_judged: dict[str, NotJudged] = field(default_factory=dict)
    bar: RepBar | None = None  # the bar's rise and speed, when a plate shows the bar
    #: knee width / ankle width, low quarter of the rise and hold (views from the feet)
    knee_width_ratio: float | None = None

    @property
    def start_s(self) -> float:
        return self.phases.start_s

    @property
    def lockout_s(self) -> float:
        return self.phases.lockout_s

    @property
    def end_s(self) -> float:
        return self.phases.end_s

    @property
    def tempo(self) -> Tempo:
        return self.phases.tempo

    @property
    def bottom_i(self) -> int:
        return self.phases.bottom_i

    @property
    def lockout_i(self) -> int:
        return self.phases.top_i

    @property
    def end_i(self) -> int:
        return self.phases.end_i


@dataclass(frozen=True)
class RepRangeBand:
    name: str  # "strength", "hypertrophy", "endurance / warm-up", or "between ..."
    low: int | None
    high: int | None
    source: Source


class Variation(str, Enum):
    """Which hip-thrust variation the set is (`formcheck.analysis.summary.variation`)."""

    HIP_THRUST = "hip_thrust"
    GLUTE_BRIDGE = "glute_bridge"
    SINGLE_LEG_HIP_THRUST = "single_leg_hip_thrust"
    SINGLE_LEG_GLUTE_BRIDGE = "single_leg_glute_bridge"

    @property
    def single_leg(self) -> bool:
        return self in (Variation.SINGLE_LEG_HIP_THRUST, Variation.SINGLE_LEG_GLUTE_BRIDGE)

    def __str__(self) -> str:
        return self.value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)


@dataclass(frozen=True)
class SetSummary:
    rep_count: int
    partial_reps: int
    variation: Variation
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
    not_assessable: dict[str, NotJudged]  # code -> why the set cannot show it
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
