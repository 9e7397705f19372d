"""Thresholds of the analysis stages before the fault rules: cleaning, camera cuts, view,
tracking, reps and phases."""

from __future__ import annotations

from dataclasses import dataclass

from formcheck.config._field import threshold


@dataclass(frozen=True)
class CleaningConfig:
    """Landmark series clean-up (stage 3)."""

    min_visibility: float = threshold(0.3, "1", 0, 1, "below this a landmark is treated as missing")
    max_gap_s: float = threshold(0.3, "s", 0, 5, "dropouts up to this long are interpolated")
    outlier_window_s: float = threshold(0.5, "s", 0.05, 5, "Hampel filter window")
    outlier_k: float = threshold(4.0, "MAD", 1, 20, "Hampel filter: reject beyond k scaled MADs")
    cutoff_hz: float = threshold(
        4.0, "Hz", 0.5, 30, "low-pass cut-off; hip-thrust motion is < 2 Hz"
    )
    swap_margin: float = threshold(
        0.6, "1", 0.1, 1, "swap legs when swapped cost < margin x kept cost"
    )


@dataclass(frozen=True)
class ShotConfig:
    """Camera cuts (stage 2b): where the picture jumps, each shot is analysed on its own."""

    min_change: float = threshold(
        0.05,
        "1-corr",
        0.001,
        1,
        "a cut changes the picture at least this much (formcheck.video.cuts: handheld "
        "motion 0.001-0.07; the shared clips' cuts 0.07-1)",
    )
    min_ratio: float = threshold(
        15.0,
        "ratio",
        1,
        1000,
        "and this many times the median change of the frames within 0.5 s (handheld jerks "
        "on fitnease__glute-bridge: 9-13; cuts: 19-2000)",
    )
    min_shot_s: float = threshold(
        1.0, "s", 0.1, 60, "a shot shorter than this is not a shot of its own"
    )
    neighbours_s: float = threshold(
        0.5, "s", 0.05, 5, "a change is compared with the median change of the frames this near"
    )
    adjacent_ratio: float = threshold(
        2.0,
        "ratio",
        1,
        100,
        "and this many times either neighbouring frame's: one frame that jumps, not a "
        "stretch of handheld motion or a fast body",
    )


@dataclass(frozen=True)
class RepConfig:
    """Rep and phase segmentation (stage 6). Heights are in torso lengths."""

    min_rise: float = threshold(
        0.12, "torso", 0.02, 2, "smallest hip rise that counts as a rep (tuned: bridge partials)"
    )
    min_rise_along_body: float = threshold(
        0.3,
        "torso",
        0.02,
        2,
        "smallest rep rise from the feet or the head: the torso is foreshortened and the hip, "
        "hidden behind the knees at the bottom, wanders 0.15-0.30 (rendered hip thrusts from "
        "the feet; their reps rose 0.50-1.0); 0.4 merged two real frog pumps filmed from the "
        "feet (queen, ../shared) and counted 14 of 24 rendered sets exactly, 0.3 counts 15",
    )
    min_clip_s: float = threshold(
        0.6,
        "s",
        0,
        10,
        "a clip (or a shot between cuts) shorter than this cannot hold a repetition: too short, "
        "not judged (the fastest reps in ../shared, queen's frog pumps, take ~0.85 s each)",
    )
    still_share: float = threshold(
        0.08, "1", 0.01, 0.5, "hips slower than this share of a phase's peak speed are still"
    )
    full_range_share: float = threshold(
        0.7, "1", 0.1, 1, "below this share of the best range: partial"
    )
    bottom_seen_s: float = threshold(
        0.2,
        "s",
        0.0,
        2,
        "hips within a quarter of min_rise of their low this long, or seen coming down into it: "
        "the bottom was seen (shared/README: a rep rises from a bottom seen in the clip)",
    )
    unseen_bottom_rise: float = threshold(
        0.25,
        "torso",
        0.02,
        2,
        "a rise already under way when the clip starts counts if the hips still rise this much "
        "from its first frame (labelled clips opening on a rise from the bottom: 0.37-0.69; a "
        "live recording that began near a top: 0.10)",
    )
    min_detected_share: float = threshold(
        0.2, "1", 0, 1, "a clip (or shot) with a person in fewer frames has nothing to analyse"
    )
    bottom_band: float = threshold(
        0.25,
        "x min_rise",
        0,
        1,
        "hips within this share of min_rise of their low are still at the bottom (how long "
        "they stay there is bottom_seen_s)",
    )
    descent_seen: float = threshold(
        0.25,
        "x rise",
        0.05,
        1,
        "a descent is seen once the hips have dropped this share of the rep's rise: before, "
        "the top hold's length is unknown",
    )
    bottom_reached: float = threshold(
        0.5, "x rise", 0.1, 1, "a descent back down this share of the rise has an eccentric time"
    )
    unseen_top_s: float = threshold(
        0.5,
        "s",
        0.05,
        5,
        "a trunk unseen at a rise's peak is measured this long either side of it instead "
        "(the checks that it is a hip thrust at all)",
    )
    bottom_baseline_s: float = threshold(
        0.3, "s", 0.05, 5, "the bottom each rise starts from is measured over this long"
    )
    bench_min_incline_deg: float = threshold(
        20.0,
        "deg",
        0,
        90,
        "trunk inclined this much at the bottoms: shoulders on a bench (hip thrust); below: "
        "on the floor (glute bridge)",
    )
    now_still_speed: float = threshold(
        0.15,
        "torso/s",
        0,
        5,
        "the phase at the newest frame (live screen): hips slower than this are at the top or "
        "the bottom",
    )
    now_speed_tau_s: float = threshold(
        0.1, "s", 0.01, 2, "time constant of the hip-speed low-pass behind the phase now"
    )
    max_trunk_tilt_deg: float = threshold(
        50.0, "deg", 10, 90, "trunk steeper than this at the top is not a hip thrust"
    )
    standing_knee_deg: float = threshold(
        150.0, "deg", 90, 180, "knees straighter at the top: standing"
    )
    standing_hip_height: float = threshold(
        1.4, "torso", 0.5, 5, "hips this high above the feet at the top: standing"
    )
    max_top_knee_deg: float = threshold(
        150.0,
        "deg",
        90,
        180,
        "the more bent knee straighter than this at the top (3D): a plank or push-up, not a "
        "bridge (hip-thrust tops measure 42-122 on every labelled clip, push-ups 163)",
    )
    max_shoulder_rise_share: float = threshold(
        0.9,
        "ratio",
        0.2,
        5,
        "shoulders rising this share of the hips' rise are not supported: the arms lift the "
        "body (push-ups 1.5-1.8) or the camera moves (1.0); hip-thrust reps -0.24..+0.19 "
        "from the side, up to 0.8 from the feet",
    )


@dataclass(frozen=True)
class ViewConfig:
    """Where the camera is (`formcheck.analysis.view`): from how far apart the left and right
    hips and shoulders appear against the torso's length (the width ratio)."""

    side_max_ratio: float = threshold(
        0.25,
        "ratio",
        0,
        2,
        "below: a side view (MediaPipe guesses the far joints near the near ones, so a "
        "25-degree oblique measures ~0.1, a 45-degree one 0.35-0.4; read off ../shared)",
    )
    front_min_ratio: float = threshold(
        0.6, "ratio", 0, 5, "above: a view from the feet or the head; between: oblique"
    )
    single_leg_min_gap: float = threshold(
        0.55,
        "torso",
        0.1,
        3,
        "ankles further apart vertically than this at the tops: one foot is up (single-leg)",
    )


@dataclass(frozen=True)
class TrackingConfig:
    """How well the lifter was tracked (`formcheck.analysis.tracking`): the gate before any
    verdict. Segment lengths (trunk, thigh, shin) must hold over the set."""

    length_window_s: float = threshold(
        2.0, "s", 0.2, 30, "segment lengths are compared with their median this long either side"
    )
    max_length_log: float = threshold(
        0.35,
        "log ratio",
        0.05,
        2,
        "a segment this far from its median length is implausible (1.42x or 0.70x; clean "
        "clips of ../shared stay under 0.12 at the 90th percentile)",
    )
    top_window_s: float = threshold(
        0.4, "s", 0.05, 5, "a rep's top for the gate: this long either side of its lockout"
    )
    max_bad_share: float = threshold(
        0.3, "1", 0, 1, "a top with implausible skeletons in this share of its frames: not judged"
    )
    unreliable_clip_share: float = threshold(
        0.5,
        "1",
        0,
        1,
        "a clip with implausible skeletons in this share of its seen frames counts no rep "
        "(hip-thrust clips of ../shared: 0-0.15)",
    )
