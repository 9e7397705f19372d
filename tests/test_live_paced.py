"""Live coaching in real-time pacing, without the pose model: frames dropped the way a slow
machine drops them (a virtual clock, tests/pacing.py), and every rep verdict on time.

Issue 14: with real-time pacing, verdicts came at the end of the set or never, because
"has the rep ended?" required frames recorded in the 0.2 s after its end, and those were the
very frames dropped while the previous try ran; the live hip height of a single-leg set was
flat (measured against the frame's own raised foot); and the last verdict's window could
leave an unassessed first rep behind.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from builders import FOUR_REPS, RepShape, build_set, with_dropouts
from pacing import PacedRun, rep_delays, run_paced

from formcheck.config import Config, LiveConfig
from formcheck.landmarks.names import Landmark as L
from formcheck.landmarks.series import PoseSeries
from formcheck.live.analyzer import LiveAnalyzer, settled
from formcheck.results import Rep, SetReport

SETTLE_S = LiveConfig().settle_s

FPS = 30.0
SHAPES = FOUR_REPS
#: A rep's verdict comes within this long of the rep's end in the report (issue 14).
ON_TIME_S = 1.5
#: A verdict may come before the report's end of the rep only once the descent is done but
#: for a creep: the hips within this share of the rep's drop (top to end) of their end height.
#: (ht_db_side_feet_close rep 1: after a 3 s descent the hips creep down the last 0.04 torso
#: lengths, 9% of the drop, over 1.2 s, so where it "ends" moves with the frames kept: 5.9 s
#: in the report of every frame, 7.03 s in a paced run's; its verdict came at 6.6 s, 5% left.)
CREEP_SHARE = 0.1


@pytest.fixture(scope="module")
def built() -> PoseSeries:
    series, _ = build_set(SHAPES, fps=FPS, lead_out_s=1.5, noise_px=1.0)
    return series


def _codes(rep: object) -> set[str]:
    return {f.code for f in rep.faults}  # type: ignore[attr-defined]


def assert_on_time(run: PacedRun) -> None:
    """Every rep event: numbered as the report, within ON_TIME_S of that rep's end."""
    report = run.result.report
    assert report is not None
    events = [e for e in run.events if e["event"] == "rep"]
    assert [e["rep"] for e in events] == [r.index for r in report.reps]
    assert run.events[-1]["event"] == "end" and run.events[-1]["reps"] == report.rep_count
    for number, delay in rep_delays(run):
        assert delay <= ON_TIME_S, f"rep {number}: verdict {delay:.2f} s after its end"
        if delay < 0.0:
            rep = report.reps[number - 1]
            left = _drop_left(report, rep, rep.end_s + delay)
            assert left <= CREEP_SHARE, (
                f"rep {number}: verdict {-delay:.2f} s before its end, with {left:.0%} of the "
                "descent still to come"
            )


def _drop_left(report: SetReport, rep: Rep, at_s: float) -> float:
    """The share of the rep's drop (top to end) its hips still had to fall at ``at_s``."""
    t, h = report.metrics.t_s, report.metrics.hip_height
    seen = np.isfinite(h)
    at = (rep.phases.top_s, rep.end_s, at_s)
    top, end, now = (float(np.interp(s, t[seen], h[seen])) for s in at)
    return (now - end) / max(top - end, 1e-9)


@pytest.mark.parametrize(
    ("pose_cost_s", "verdict_cost_s"),
    [(0.02, 0.1), (0.05, 0.3), (0.05, 0.5)],
    ids=["quiet", "slow", "slow-and-busy"],
)
def test_paced_verdicts_come_during_the_set(
    built: PoseSeries,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    pose_cost_s: float,
    verdict_cost_s: float,
) -> None:
    run = run_paced(
        built, tmp_path, monkeypatch, pose_cost_s=pose_cost_s, verdict_cost_s=verdict_cost_s
    )
    assert run.dropped_share > (0.3 if pose_cost_s > 1 / FPS else 0.0)
    assert_on_time(run)
    report = run.result.report
    assert report is not None and report.rep_count == len(SHAPES)
    assert [_codes(r) for r in run.result.live_reps] == [_codes(r) for r in report.reps]


def test_a_rep_has_ended_once_the_time_has_passed_even_if_no_frame_came() -> None:
    """The cause of the late verdicts: the frames right after a rep's end are the ones
    dropped while the loop was busy, so settling is judged by elapsed time."""
    t = np.array([0.0, 0.5, 1.0, 1.6, 1.7])  # nothing recorded in (1.0, 1.6)
    h = np.ones_like(t)
    assert settled(h, t, 1.0, SETTLE_S)
    assert not settled(h, t[:3], 1.0, SETTLE_S)  # no time has passed yet
    assert not settled(h, np.array([0.0, 1.0, 1.0 + SETTLE_S / 2]), 1.0, SETTLE_S)
    unseen = h.copy()
    unseen[3:] = np.nan  # the lifter went out of sight: the rep may still be going on
    assert not settled(unseen, t, 1.0, SETTLE_S)


def _raised_far_leg(series: PoseSeries) -> PoseSeries:
    """The far (left) foot off the floor and swinging up twice as far as the hips rise (the
    free leg of a single-leg set, as on sample_videos/single_leg_hip_thrust_left.mp4): the
    midpoint of the two feet then rises exactly as the hips do."""
    xy = series.xy_px.copy()
    hip_y = xy[:, L.RIGHT_HIP, 1]
    lift = 2.0 * (np.nanmax(hip_y) - hip_y)  # hip_y is largest at the bottom (y down)
    for name in ("KNEE", "ANKLE", "HEEL", "FOOT_INDEX"):
        xy[:, L[f"LEFT_{name}"], 1] -= lift + 40.0
    return series.with_arrays(
        xy_px=xy,
        world_xyz_m=np.concatenate([xy / 1000.0, series.world_xyz_m[..., 2:]], axis=-1),
        visibility=series.visibility,
    )


def test_single_leg_reps_are_counted_while_the_set_goes_on(built: PoseSeries) -> None:
    """Measured against each frame's own feet, a raised foot rising with the hips left the
    live hip height flat: no rep counted, every verdict only at the end."""
    series = _raised_far_leg(built)
    live = LiveAnalyzer(Config(), series.image_size, FPS)
    during = []
    for i in range(len(series)):
        during += live.push(float(series.timestamps_s[i]), series.frame(i)).assessed
    assert live.reps_counted == len(SHAPES)
    assert len(during) == len(SHAPES)


def test_the_last_verdict_reaches_back_to_a_rep_never_assessed() -> None:
    """A rep the lifter dropped out of sight after is never settled during the set; at the
    end it is still judged, however far back it is."""
    series, _ = build_set(SHAPES[:2], fps=FPS, lead_out_s=9.0)
    rep2_end = 0.5 + 2 * 5.1
    series = with_dropouts(series, [(rep2_end + 0.05, 99.0)])
    cfg = Config(live=LiveConfig(window_s=5.0))
    live = LiveAnalyzer(cfg, series.image_size, FPS)
    for i in range(len(series)):
        live.push(float(series.timestamps_s[i]), series.frame(i))
    assert len(live.reps) == 1  # rep 2 could not be settled: nobody seen after it
    assert [r.index for r in live.finish()] == [2]
    assert series.timestamps_s[-1] - live.reps[1].lockout_s > cfg.live.window_s


def test_fast_pumps_each_get_their_verdict(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Frog pumps (~1.2 s a rep) on a slow machine: every pump gets its verdict on time."""
    pump = RepShape(bottom_s=0.3, up_s=0.35, top_s=0.2, down_s=0.35)
    series, _ = build_set([pump] * 6, fps=FPS, lead_out_s=1.5, noise_px=1.0)
    run = run_paced(series, tmp_path, monkeypatch, pose_cost_s=0.05, verdict_cost_s=0.3)
    assert run.result.report is not None and run.result.report.rep_count == 6
    assert_on_time(run)


def test_a_descent_hidden_from_view_is_judged_at_the_end() -> None:
    """The hips go out of sight at the top of rep 2 and are back at the bottom 2 s later:
    where that rep ended is unknown, so it gets no live verdict with an end guessed from the
    last frame seen at the top (a real clip gave such a rep, with four faults, during a
    busy run); the end of the set judges it."""
    series, _ = build_set(SHAPES[:2], fps=FPS, lead_out_s=6.0)
    top2 = 0.5 + 5.1 + 0.6 + 1.0  # rep 2's top hold starts
    series = with_dropouts(series, [(top2 + 0.5, top2 + 1.5 + 2.0 + 0.5)])
    live = LiveAnalyzer(Config(), series.image_size, FPS)
    for i in range(len(series)):
        live.push(float(series.timestamps_s[i]), series.frame(i))
    assert live.reps_counted == 2 and len(live.reps) == 1
    assert [r.index for r in live.finish()] == [2]
