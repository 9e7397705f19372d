"""Typed results of an analysis: `SetReport` (report.py) and the measurements it carries
(measures.py). The one object every output is made from."""

from formcheck.results.measures import (
    SEED_FILES,
    BarTrack,
    FrameMetrics,
    RepBar,
    Source,
    View,
    ViewKind,
)
from formcheck.results.report import (
    SCHEMA_VERSION,
    Finding,
    NotJudged,
    PhaseName,
    Phases,
    Rep,
    RepRangeBand,
    SetReport,
    SetSummary,
    Severity,
    Status,
    Tempo,
    Unjudged,
    Variation,
)

__all__ = [
    "SCHEMA_VERSION",
    "SEED_FILES",
    "BarTrack",
    "Finding",
    "FrameMetrics",
    "NotJudged",
    "PhaseName",
    "Phases",
    "Rep",
    "RepBar",
    "RepRangeBand",
    "SetReport",
    "SetSummary",
    "Severity",
    "Source",
    "Status",
    "Tempo",
    "Unjudged",
    "Variation",
    "View",
    "ViewKind",
]
