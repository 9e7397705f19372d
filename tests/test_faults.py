"""Each fault is found on the rep that has it, and on no other (built landmark sets)."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from builders import RepShape, build_set

from formcheck.analysis.rules import FAULT_CODES, RULES
from formcheck.config import Config
from formcheck.pipeline import analyze_series
from formcheck.results import Severity, Unjudged

CLEAN = RepShape()


@pytest.mark.parametrize(
    ("bad", "code"),
    [
        (RepShape(top_trunk_deg=15.0), "incomplete_lockout"),  # top 23 deg short of the line
        (RepShape(top_trunk_deg=-25.0), "lumbar_hyperextension"),  # hips well above the line
        (RepShape(down_s=0.4), "rushed_eccentric"),  # 0.4 s descent
        (RepShape(up_s=2.5, down_s=1.2), "rushed_eccentric"),  # descent quicker than the rise
        (RepShape(top_s=0.0), "no_top_pause"),  # straight down from lockout
        (RepShape(bottom_s=0.0), "bounce"),  # no pause at the bottom before the rise
        (RepShape(feet_dx_px=100.0), "shins_not_vertical"),  # feet too close
        (RepShape(feet_dx_px=-110.0), "shins_not_vertical"),  # feet too far
        (RepShape(neck_back_deg=80.0), "neck_craning"),  # head tipped back
        (RepShape(chin_up_deg=30.0), "neck_craning"),  # face turned to the ceiling
    ],
)
def test_fault_on_its_rep_only(bad: RepShape, code: str) -> None:
    series, _ = build_set([CLEAN, CLEAN, bad, CLEAN], noise_px=1.0, seed=3)
    report = analyze_series(series, Config(), "built")
    assert report.rep_count == 4
    found = [{f.code for f in r.faults} for r in report.reps]
    assert code in found[2]
    assert all(code not in f for k, f in enumerate(found) if k != 2)


def test_clean_set_has_no_faults() -> None:
    series, _ = build_set([CLEAN] * 5, noise_px=1.5, seed=7)
    report = analyze_series(series, Config(), "clean")
    assert report.rep_count == 5
    assert [f.code for r in report.reps for f in r.faults] == []
    assert all(r.score == 100 for r in report.reps)


def test_neck_craning_on_a_single_rep() -> None:
    """A set of one rep has no usual top to compare with: the chin lifted against the trunk
    from the bottom to the top is found on its own; a head that keeps its angle is not."""
    found = {}
    for chin in (0.0, 8.0, 25.0):
        report = analyze_series(build_set([RepShape(chin_up_deg=chin)])[0], Config(), "one")
        found[chin] = [f for f in report.reps[0].faults if f.code == "neck_craning"]
    assert not found[0.0] and not found[8.0]
    (crane,) = found[25.0]
    assert crane.value == pytest.approx(25.0, abs=1.0)
    assert "chin lifted" in crane.message


def test_a_face_turn_every_rep_shares_is_the_lifters_usual_not_craning() -> None:
    """The face's direction (ear to eye) is a biased measure: rendered clean sets turn 15-20
    deg chin-up on every rep alike. In a set, a rep cranes when its chin lifts 10 deg beyond
    the set's usual turn; the message says both."""
    usual = RepShape(chin_up_deg=18.0)
    report = analyze_series(build_set([usual] * 4, noise_px=1.0, seed=3)[0], Config(), "bias")
    assert [f.code for r in report.reps for f in r.faults] == []
    reps = [usual, usual, RepShape(chin_up_deg=45.0), usual]
    report = analyze_series(build_set(reps, noise_px=1.0, seed=3)[0], Config(), "one crane")
    found = [[f for f in r.faults if f.code == "neck_craning"] for r in report.reps]
    assert [bool(f) for f in found] == [False, False, True, False]
    assert "beyond your usual" in found[2][0].message
    assert found[2][0].value == pytest.approx(45.0 - 18.0, abs=4.0)


def test_range_drift_against_best_good_rep() -> None:
    # the arched rep rises highest but is not the reference; the shortened ones drift
    reps = [CLEAN, RepShape(top_trunk_deg=-25.0), CLEAN, RepShape(top_trunk_deg=17.0)]
    report = analyze_series(build_set(reps)[0], Config(), "drift")
    drift = [r.index for r in report.reps if any(f.code == "range_drift" for f in r.faults)]
    assert drift == [4]


def test_finding_fields_and_citation() -> None:
    series, _ = build_set([CLEAN, RepShape(top_trunk_deg=15.0), CLEAN])
    finding = analyze_series(series, Config(), "x").reps[1].faults[0]
    assert finding.code == "incomplete_lockout"
    assert finding.value is not None and finding.value < finding.threshold
    assert finding.unit == "deg"
    assert finding.severity in ("minor", "moderate", "major")
    assert 0 < finding.confidence <= 1
    assert finding.source == RULES["incomplete_lockout"].sources[0]
    assert finding.cue


def test_side_view_marks_frontal_faults_not_assessable() -> None:
    report = analyze_series(build_set([CLEAN] * 2)[0], Config(), "side")
    assert set(report.assessable) == set(FAULT_CODES)
    assert report.assessable["pelvic_tilt_rotation"] is False
    assert report.assessable["knees_caving"] is False
    assert report.not_assessable["knees_caving"].reason is Unjudged.VIEW
    assert "not assessable from this view" in report.not_assessable["knees_caving"].why
    assert report.assessable["incomplete_lockout"] is True


def test_severity_is_ordered_and_a_string_in_json() -> None:
    assert Severity.MINOR < Severity.MODERATE < Severity.MAJOR
    assert Severity.MAJOR > Severity.MINOR and Severity.MAJOR >= Severity.MODERATE  # not as text
    assert sorted([Severity.MAJOR, Severity.MINOR]) == [Severity.MINOR, Severity.MAJOR]
    assert [Severity.of_steps(s) for s in (0.2, 1.5, 2.5)] == list(Severity)
    assert json.dumps([Severity.MAJOR]) == '["major"]' and f"{Severity.MINOR}" == "minor"


def test_score_weights_come_from_the_config() -> None:
    """A rep's score loses each finding's severity points x its confidence ([faults] score_*)."""
    reps = [CLEAN, RepShape(top_trunk_deg=20.0), CLEAN]
    series = build_set(reps)[0]
    default = analyze_series(series, Config(), "x").reps[1]
    heavier = replace(Config().faults, score_minor=40.0, score_moderate=45.0, score_major=50.0)
    harsh = analyze_series(series, replace(Config(), faults=heavier), "x").reps[1]
    assert default.faults and [f.code for f in harsh.faults] == [f.code for f in default.faults]
    expected = 100 - sum(
        {"minor": 40.0, "moderate": 45.0, "major": 50.0}[f.severity] * f.confidence
        for f in harsh.faults
    )
    assert harsh.score == max(0, round(expected)) < default.score


def test_score_drops_with_severity() -> None:
    reps = [CLEAN, RepShape(top_trunk_deg=10.0), RepShape(top_trunk_deg=20.0)]
    report = analyze_series(build_set(reps)[0], Config(), "x")
    assert report.reps[0].score > report.reps[1].score > report.reps[2].score


def test_heels_are_not_judged_from_video() -> None:
    """Heel landmarks drift as much on planted heels as on rendered 5-cm lifts: a heel lift on
    built landmarks is not reported: the set says it is not judged, and why."""
    series, _ = build_set([CLEAN, RepShape(heel_lift_px=40.0), CLEAN], noise_px=1.0, seed=3)
    report = analyze_series(series, Config(), "built")
    assert not any(f.code == "heels_lifting" for r in report.reps for f in r.faults)
    why = report.not_assessable["heels_lifting"]
    assert why.reason is Unjudged.MODEL and "bench_heels.py" in why.why
    assert report.assessable["heels_lifting"] is False


def test_views_along_the_body_do_not_judge_what_the_knees_hide() -> None:
    """From the feet or the head the knees hide the hips through the lower half of a rep: the
    descent, the bottom and the range are not judged there, and say why."""
    from formcheck.analysis.set_faults import assessability
    from formcheck.results import Variation, View

    front = View("front", 1.0, None, None, None)
    reasons = assessability(front, Variation.HIP_THRUST, 0)
    for code in ("rushed_eccentric", "bounce", "range_drift"):
        why = reasons[code]
        assert why is not None and why.reason is Unjudged.VIEW
        assert "the knees hide the hips" in why.why
    assert reasons["no_top_pause"] is None and reasons["knees_caving"] is None
    single = assessability(front, Variation.SINGLE_LEG_HIP_THRUST, 1)
    assert single["knees_caving"] is not None and "both feet" in single["knees_caving"].why
    pelvis = single["pelvic_tilt_rotation"]  # no view shows it: the model's hips stay level
    assert pelvis is not None and pelvis.reason is Unjudged.MODEL
    assert pelvis.why.startswith("not judged reliably from video")
    side = View("side", 0.05, "left", "right", "right")
    assert all(assessability(side, Variation.HIP_THRUST, 0)[c] is None for c in ("bounce",))
