"""Rep counting (per-frame state machine) and phase timing."""

from __future__ import annotations

import itertools
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from builders import RepShape, build_set, with_dropouts

from formcheck.analysis.reps import (
    RepCounter,
    RepEvent,
    RepSegmenter,
    RepState,
    count_reps,
    phase_times,
)
from formcheck.analysis.summary import phase_slices
from formcheck.config import Config, RepConfig, load_config
from formcheck.pipeline import analyze_series
from formcheck.results import Phases, Tempo

RISE = 0.15
DT = 0.1  # s between samples in the per-sample tables


@pytest.mark.parametrize(
    ("samples", "events_at", "states"),
    [
        # a clean up-and-down: still at the bottom for 0.2 s, the bottom is seen; it is
        # confirmed at 0.2, the top once the hips fall 0.15 from 0.6
        ([0.0, 0.0, 0.0, 0.2, 0.6, 0.5, 0.4], [6], "SSSRRRS"),
        # the clip opens near the top of a rise (0.1 below it): that rep's bottom was never
        # seen, so it is not counted; the next one, from the bottom seen after the descent, is
        ([0.5, 0.6, 0.6, 0.3, 0.0, 0.4, 0.7, 0.5], [7], "SSSSSRRS"),
        # the clip opens on a rise that still climbs 0.25 (unseen_bottom_rise): most of it
        # is seen, it counts
        ([0.0, 0.2, 0.4, 0.6, 0.4], [4], "SSRRS"),
        # the hips came down into the first low: seen at once
        ([0.1, 0.0, 0.2, 0.6, 0.4], [4], "SSRRS"),
        # jitter smaller than min_rise never starts a rep
        ([0.0, 0.1, 0.0, 0.1, 0.05, 0.12], [], "SSSSSS"),
        # starting at the top: the first fall is not a rep, the rise after it is
        ([0.6, 0.6, 0.3, 0.0, 0.4, 0.7, 0.5], [6], "SSSSRRS"),
        # NaN (person unseen) is skipped without changing state
        ([0.1, 0.0, 0.3, np.nan, 0.6, 0.4], [5], "SSRRRS"),
        # two reps back to back
        ([0.1, 0.0, 0.5, 0.2, 0.0, 0.5, 0.2], [3, 6], "SSRSSRS"),
    ],
)
def test_counter_per_frame(samples: list[float], events_at: list[int], states: str) -> None:
    counter = RepCounter(RepConfig(min_rise=RISE, bottom_seen_s=0.2, unseen_bottom_rise=0.25))
    got_events, got_states = [], ""
    for i, h in enumerate(samples):
        if counter.update(h, i * DT) is not None:
            got_events.append(i)
        got_states += "R" if counter.state is RepState.RISING else "S"
    assert got_events == events_at
    assert got_states == states


@pytest.mark.parametrize(
    ("tail", "counted"),
    [
        ([0.6, 0.6, 0.6], True),  # stopped at the top when the clip ends: a rep
        ([0.2, 0.35, 0.5], False),  # still rising when the clip ends: never locked out
    ],
)
def test_finish_counts_only_a_finished_rise(tail: list[float], counted: bool) -> None:
    h = np.array([0.0, 0.0, 0.0, 0.1, *tail])
    cfg = RepConfig(min_rise=RISE, bottom_seen_s=0.2)
    events = count_reps(np.arange(len(h)) * DT, h, cfg)
    assert (len(events) == 1) is counted


@pytest.mark.parametrize(
    ("tail", "counted"),
    [
        # the clip ends while the estimate still creeps up past the first rep's top (0.6):
        # the hips are as high as a lockout the set reached, so the rep counts
        ([0.2, 0.4, 0.55, 0.62], True),
        # still rising and below every earlier top: never locked out
        ([0.2, 0.35, 0.5], False),
    ],
)
def test_a_last_rise_as_high_as_an_earlier_top_counts(tail: list[float], counted: bool) -> None:
    h = np.array([0.0, 0.0, 0.0, 0.3, 0.6, 0.6, 0.3, 0.0, 0.0, 0.0, *tail])
    cfg = RepConfig(min_rise=RISE, bottom_seen_s=0.2)
    events = count_reps(np.arange(len(h)) * DT, h, cfg)
    assert len(events) == 1 + counted
    if counted:
        assert events[-1].top_i == len(h) - 1


def test_still_share_from_a_config_file_reaches_the_end_of_clip_rule(tmp_path: Path) -> None:
    """A rise slowing to 0.02 a frame at the clip's end (0.27 of its mean step) is still going
    up under the default still_share (0.08) but stopped under a file's 0.3: the file's value
    decides (the end-of-clip rule used the default whatever the file said)."""
    h = np.array([0.0, 0.0, 0.0, 0.1, 0.2, 0.35, 0.5, 0.52])
    t = np.arange(len(h)) * DT
    (tmp_path / "c.toml").write_text("[reps]\nstill_share = 0.3\n", encoding="utf-8")
    from_file = load_config(tmp_path / "c.toml").reps
    assert len(count_reps(t, h, replace(from_file, bottom_seen_s=0.2))) == 1
    assert len(count_reps(t, h, RepConfig(bottom_seen_s=0.2))) == 0


def test_counter_reset() -> None:
    counter = RepCounter(RepConfig(min_rise=RISE))
    for i, h in enumerate((0.1, 0.0, 0.4)):
        counter.update(h, i * DT)
    assert counter.state is RepState.RISING
    counter.reset()
    assert counter.state is RepState.SEEK_BOTTOM


def _analyze(reps: list[RepShape], **kw: object):  # type: ignore[no-untyped-def]
    series, truth = build_set(reps, **kw)  # type: ignore[arg-type]
    return analyze_series(series, Config(), "built"), truth


@pytest.mark.parametrize(
    ("kw", "n"),
    [
        ({}, 3),  # clean
        ({"noise_px": 2.0, "seed": 1}, 3),  # landmark jitter
        ({"noise_px": 4.0, "seed": 2}, 3),  # heavier jitter
        ({"start_at_top": True}, 3),  # clip opens at lockout: that top is not a rep
        ({"fps": 60.0}, 3),  # frame rate does not matter
        ({"fps": 15.0}, 3),
        ({"mirror": True}, 3),  # head to the image right
    ],
)
def test_rep_count(kw: dict[str, object], n: int) -> None:
    report, truth = _analyze([RepShape()] * 3, **kw)
    assert report.rep_count == n
    for rep, lockout in zip(report.reps, truth.lockout_s, strict=True):
        assert rep.lockout_s == pytest.approx(lockout, abs=0.25)


@pytest.mark.parametrize(
    ("t0_s", "n"),
    [
        (0.0, 3),  # 1.1 s still at the bottom before rep 1's rise (1.1-2.1 s, 0.06-0.68)
        (0.85, 3),  # 0.25 s of it: the bottom is seen
        (1.4, 3),  # the recording begins on the rise (0.2), most of it is still to come
        (1.8, 2),  # near its top (0.57): rep 1's bottom was never seen, its rise barely
        (2.0, 2),
    ],
)
def test_a_rise_under_way_when_the_clip_starts_is_not_a_rep(t0_s: float, n: int) -> None:
    """Live and offline agree on it, whatever the exact height of the first frame."""
    series, truth = build_set([RepShape()] * 3, noise_px=1.0)
    late = series.take(series.timestamps_s >= t0_s)  # a recording that began at t0_s
    report = analyze_series(late, Config(), "late")
    assert report.rep_count == n
    lockouts = [r.lockout_s for r in report.reps]
    assert lockouts == pytest.approx(truth.lockout_s[3 - n :], abs=0.25)


def test_partial_rep_is_counted_and_flagged() -> None:
    report, _ = _analyze([RepShape(), RepShape(top_trunk_deg=20.0), RepShape()])
    assert report.rep_count == 3
    assert [r.partial for r in report.reps] == [False, True, False]


def test_dropouts_are_bridged() -> None:
    series, _ = build_set([RepShape()] * 3, noise_px=1.0)
    # short dropouts (0.2 s) mid-rise and at a top, the kind MediaPipe produces
    lossy = with_dropouts(series, [(1.3, 1.5), (7.0, 7.2)])
    report = analyze_series(lossy, Config(), "lossy")
    assert report.rep_count == 3


def test_long_dropout_is_reported() -> None:
    series, _ = build_set([RepShape()] * 3)
    report = analyze_series(with_dropouts(series, [(12.0, 13.5)]), Config(), "lost")
    assert any("out of sight" in w for w in report.warnings)


@pytest.mark.parametrize(
    ("shape", "field", "expected"),
    [
        # phase durations of the middle rep, measured from hip height, within 0.3 s
        (RepShape(up_s=1.0), "concentric_s", 1.0),
        (RepShape(up_s=2.0), "concentric_s", 2.0),
        (RepShape(top_s=1.5), "top_hold_s", 1.5),
        (RepShape(top_s=0.0), "top_hold_s", 0.0),
        (RepShape(down_s=3.0), "eccentric_s", 3.0),
        (RepShape(down_s=0.5), "eccentric_s", 0.5),
        (RepShape(bottom_s=1.0), "bottom_pause_s", 1.0),
    ],
)
def test_phase_durations(shape: RepShape, field: str, expected: float) -> None:
    report, _ = _analyze([RepShape(), shape, RepShape()])
    assert getattr(report.reps[1].tempo, field) == pytest.approx(expected, abs=0.3)


def test_phase_order_within_a_rep() -> None:
    report, _ = _analyze([RepShape()] * 3)
    for rep in report.reps:
        assert rep.start_s < rep.lockout_s < rep.end_s
    ends = [r.end_s for r in report.reps[:-1]]
    starts = [r.start_s for r in report.reps[1:]]
    assert starts == pytest.approx(ends)


def test_phase_boundaries_and_tempo_are_one_fact() -> None:
    """The rep's phase spans tile it in order, their lengths are its tempo, and the phase
    at each moment (what the overlay and plots show) is the span that holds it."""
    report, _ = _analyze([RepShape(bottom_s=0.8, top_s=1.0)] * 3)
    for rep in report.reps[1:]:
        spans = rep.phases.spans()
        assert [name for name, _, _ in spans] == ["bottom", "up", "top", "down"]
        assert spans[0][1] == rep.start_s and spans[-1][2] == rep.end_s
        assert all(a[2] == b[1] for a, b in itertools.pairwise(spans))
        tempo = (rep.tempo.bottom_pause_s, rep.tempo.concentric_s)
        tempo += (rep.tempo.top_hold_s, rep.tempo.eccentric_s)
        assert [b - a for _, a, b in spans] == pytest.approx(list(tempo))
        for name, a, b in spans:
            assert rep.phases.at((a + b) / 2) == name


def test_phase_times_of_a_rep_seen_in_isolated_frames() -> None:
    """A top and a bottom seen only in frames with no seen neighbour (a live recording
    through dropouts): no speed can be measured there, and the phases say so instead of
    raising (found by a paced live run: 'All-NaN slice encountered')."""
    t = np.arange(12) / 10.0
    h = np.full(12, np.nan)
    h[[0, 4, 8, 11]] = [0.0, 1.0, 0.0, 0.0]
    (ph,) = phase_times(t, h, [RepEvent(0, 4)], RepConfig())
    assert ph.lockout_s == pytest.approx(0.4) and ph.tempo.eccentric_s is None


def test_every_prefix_of_a_set_is_analysed() -> None:
    """A live window ends anywhere, mid-descent included: each one is analysed without error,
    and its reps are the set's reps that have reached their top."""
    series, truth = build_set([RepShape()] * 3, noise_px=1.0)
    t = series.timestamps_s
    for end_s in np.arange(1.0, t[-1], 0.25):
        report = analyze_series(series.take(t <= end_s), Config(), "prefix")
        topped = [x for x in truth.lockout_s if x < end_s - 0.8]
        assert len(topped) <= report.rep_count <= len(topped) + 1, end_s


def test_phase_windows_stop_inside_the_clip() -> None:
    """A rep whose top is the clip's last frame (a live window ending at a lockout): its
    windows index real frames only (an IndexError in confidence() before)."""
    report, _ = _analyze([RepShape()] * 2)
    m, n = report.metrics, len(report.metrics.t_s)
    last = m.t_s[-1]
    tempo = Tempo(None, 1.0, None, None)
    p = Phases(
        last - 1.5, last - 1.0, last, last, last + 0.5, last + 1.0, tempo, n - 40, n - 1, n - 1
    )
    for window in phase_slices(m, p, 30.0, RepConfig()):
        assert 0 <= window.start < window.stop <= n


def _one_rep_signal() -> tuple[np.ndarray, np.ndarray]:
    """Hip height of three reps at 30 fps: 1 s bottom, 1 s up, 1 s hold, 1.5 s down."""
    fps, parts = 30.0, []
    for _ in range(3):
        parts += [np.zeros(30), np.linspace(0, 0.6, 30), np.full(30, 0.6), np.linspace(0.6, 0, 45)]
    h = np.concatenate([*parts, np.zeros(30)])
    return np.arange(len(h)) / fps, h


def test_segmenter_phases_are_phase_times_of_the_reps_it_keeps() -> None:
    """The stage both drivers feed: a counted rise the exercise check rejects is no rep, and
    the phases are those of the kept reps (a rejected rise between two reps belongs to the
    descent before it, as phase_times of the kept reps says)."""
    t, h = _one_rep_signal()
    cfg = RepConfig()
    second = count_reps(t, h, cfg)[1]
    seg = RepSegmenter(cfg, lambda e: "not this one" if e == second else None)
    for ti, hi in zip(t, h, strict=True):
        seg.update(float(ti), float(hi))
    phases = seg.finish()
    assert len(seg.counted) == 3 and seg.reasons == [None, "not this one", None]
    assert seg.reps == [seg.counted[0], seg.counted[2]]
    assert phases == phase_times(t, h, seg.reps, cfg)


def test_segmenter_phase_now_follows_the_rep() -> None:
    """The live screen's phase: at the bottom, going up, held at the top, coming down."""
    t, h = _one_rep_signal()
    seg = RepSegmenter(RepConfig())
    seen = []
    for ti, hi in zip(t, h, strict=True):
        seg.update(float(ti), float(hi))
        seen.append(seg.phase_now)
    at = {name: seen[int(s * 30)] for name, s in (("b", 0.5), ("u", 1.6), ("t", 2.6), ("d", 3.6))}
    assert at == {"b": "bottom", "u": "up", "t": "top", "d": "down"}
    seg.update(float(t[-1] + 0.1), float("nan"))
    assert seg.phase_now == "-"


def test_a_set_summary_survives_a_rep_without_a_concentric() -> None:
    """A rep whose rise lasts no time (phases a frame apart) gives no speed, not a crash."""
    from formcheck.analysis.summary import summarize

    report = analyze_series(build_set([RepShape()] * 3)[0], Config(), "t")
    reps = list(report.reps)
    tempo = replace(reps[1].tempo, concentric_s=0.0)
    reps[1] = replace(reps[1], phases=replace(reps[1].phases, tempo=tempo))
    summary = summarize(reps, report.summary.variation, Config().faults)
    assert summary.rep_count == 3 and summary.speed_loss_pct is not None
    reps[2] = replace(reps[2], phases=replace(reps[2].phases, tempo=tempo))
    assert summarize(reps, report.summary.variation, Config().faults).speed_loss_pct is None
