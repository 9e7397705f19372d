"""Every fault rule cites a sentence that is really in its coaching document."""

from __future__ import annotations

import re

import pytest
from conftest import shared_path

from formcheck.analysis.rules import FAULT_CODES, RULES, SHORT_CUES
from formcheck.analysis.summary import _BANDS_SOURCE

SOURCES = [(code, s) for code, r in RULES.items() for s in r.sources] + [
    ("rep_range", _BANDS_SOURCE)
]


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.mark.shared
@pytest.mark.parametrize(("code", "source"), SOURCES, ids=[f"{c}-{s.document}" for c, s in SOURCES])
def test_quote_is_in_its_document(code: str, source: object) -> None:
    doc = _norm(shared_path("seeds", source.file).read_text(encoding="utf-8"))  # type: ignore[attr-defined]
    assert _norm(source.quote).rstrip(".") in doc  # type: ignore[attr-defined]


def test_twelve_codes_in_the_shared_order() -> None:
    assert FAULT_CODES == (
        "incomplete_lockout",
        "lumbar_hyperextension",
        "pelvic_tilt_rotation",
        "rushed_eccentric",
        "no_top_pause",
        "bounce",
        "shins_not_vertical",
        "neck_craning",
        "knees_caving",
        "heels_lifting",
        "range_drift",
        "asymmetry",
    )


def test_every_rule_has_a_short_live_cue() -> None:
    assert set(SHORT_CUES) == set(RULES)
    assert all(0 < len(cue) <= 45 and cue == cue.lower() for cue in SHORT_CUES.values())
