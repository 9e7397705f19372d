"""The web app's history and "ready to progress?" line (document 002's rule), without a server."""

from __future__ import annotations

import pytest

pytest.importorskip("sqlalchemy", reason="formcheck[serve] is not installed")
from formcheck.serve import plots, views
from formcheck.serve.views import SessionPoint


def point(
    k: int, faults: tuple[str, ...] = (), range_deg: float = 70.0, top: float = 178.0
) -> SessionPoint:
    return SessionPoint(
        k, f"2026-12-0{k}", 60.0, 8, 95, top, range_deg, "1-2-2", list(faults), None
    )


def test_three_steady_clean_sets_are_ready() -> None:
    r = views.readiness([point(1), point(2, range_deg=75), point(3, top=176)])
    assert r.ready is True and r.reasons == []


def test_fewer_than_three_sets_cannot_say() -> None:
    r = views.readiness([point(1), point(2)])
    assert r.ready is None and "3 finished sets" in r.reasons[0]


@pytest.mark.parametrize(
    ("fault", "said"),
    [
        ("no_top_pause", "shortened top position"),
        ("incomplete_lockout", "shortened top"),
        ("rushed_eccentric", "lost control"),
        ("bounce", "bounced"),
    ],
)
def test_a_breakdown_in_a_recent_set_is_not_ready(fault: str, said: str) -> None:
    r = views.readiness([point(1), point(2, (fault,)), point(3)])
    assert r.ready is False and said in r.reasons[0] and "2026-12-02" in r.reasons[0]


def test_only_the_last_three_sets_count() -> None:
    assert views.readiness([point(1, ("bounce",)), point(2), point(3), point(4)]).ready


def test_a_changed_range_or_top_position_is_not_the_same_lift() -> None:
    r = views.readiness([point(1), point(2, range_deg=55), point(3)])
    assert r.ready is False and "range changed by 15 deg" in r.reasons[0]
    r = views.readiness([point(1), point(2, top=170), point(3)])
    assert r.ready is False and "top position changed by 8 deg" in r.reasons[0]


def test_a_measure_missing_on_a_set_is_said() -> None:
    r = views.readiness(
        [point(1), point(2), SessionPoint(3, "d", None, 0, None, None, None, "", [], None)]
    )
    assert r.ready is False and "not measured on every set" in " ".join(r.reasons)


def test_csv_quotes_what_a_spreadsheet_would_run() -> None:
    p = point(1)
    p.tempo = "=HYPERLINK(1)"
    text = views.history_csv([p])
    assert "'=HYPERLINK(1)" in text and text.splitlines()[0].startswith("set_id,date")


def test_history_charts_plot_every_set_and_say_when_unmeasured() -> None:
    charts = plots.history_charts([point(1), point(2, range_deg=60)])
    by = {c.title: str(c.svg) for c in charts}
    assert by["Range"].count("<circle") == 2 and "<polyline" in by["Range"]
    assert "not measured yet" in by["Bar velocity"]
