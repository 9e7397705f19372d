"""A hip thrust filmed from the feet (issue 20), rendered and tracked by the pose model: reps
counted, knees caving found on the reps that have them, and the faults the knees hide from
this view not judged, with the reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from formcheck.config import Config
from formcheck.pipeline import analyze
from formcheck.report.html import render_html
from formcheck.report.json_report import to_dict
from formcheck.results import Unjudged
from formcheck.synth.benchmark import benchmark_specs
from formcheck.synth.render import render_clip

pytestmark = [pytest.mark.model, pytest.mark.slow]


def test_a_hip_thrust_from_the_feet(tmp_path: Path) -> None:
    (spec,) = [s for s in benchmark_specs(frontal=True) if s.name == "test_101_feet85_right_ht"]
    label = render_clip(spec, tmp_path)
    report = analyze(tmp_path / label["file"], config=Config())
    assert report.view.kind == "front"
    assert report.rep_count == len(label["rep_details"]) == 4
    caved = [("knees_caving" in d["faults"]) for d in label["rep_details"]]
    found = [any(f.code == "knees_caving" for f in r.faults) for r in report.reps]
    assert found == caved == [True, False, True, False]
    assert {f.code for r in report.reps for f in r.faults} <= {"knees_caving"}
    for code in ("rushed_eccentric", "bounce", "range_drift"):
        assert "the knees hide the hips" in report.not_assessable[code].why
    for rep in report.reps:  # only the hold is timed: the rest hides behind the knees
        tempo = rep.tempo
        assert (tempo.bottom_pause_s, tempo.concentric_s, tempo.eccentric_s) == (None,) * 3
        assert tempo.top_hold_s is not None and 0.9 <= tempo.top_hold_s <= 2.5
        assert tempo.label.startswith("?-") and tempo.label.endswith("-?")
        assert rep.phases.at(rep.end_s - 0.05) == "down"  # the descent is still drawn
    assert report.assessable["no_top_pause"] and report.assessable["knees_caving"]
    ratios = [rep["knee_width_ratio"] for rep in to_dict(report)["reps"]]
    assert [r < 0.9 for r in ratios] == caved  # the rule's measure, carried per rep
    page = render_html(report, video_name=None)
    assert "<h3>Knee width per rep</h3>" in page and 'aria-label="Knee width over' in page
    assert report.not_assessable["pelvic_tilt_rotation"].reason is Unjudged.MODEL
