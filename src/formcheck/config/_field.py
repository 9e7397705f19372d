"""The one way a threshold is declared: a dataclass field with its unit, allowed range and
reason (why this value: a coaching document's number or a measurement)."""

from __future__ import annotations

from dataclasses import field
from typing import Any


def threshold(default: float, unit: str, lo: float, hi: float, why: str) -> Any:
    return field(default=default, metadata={"unit": unit, "range": (lo, hi), "why": why})
