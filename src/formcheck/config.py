"""Every threshold the analysis uses, once, with its unit, allowed range and source.

Defaults come from the coaching documents in ../shared/seeds/ where they give a
number (hold 1-2 s, rep ranges, "shins vertical"), otherwise from measurements
on labelled clips (docs/ACCURACY.md). A TOML file overrides any of them::

    [faults]
    lockout_min_deg = 168

Unknown sections or keys, and values outside the allowed range, are errors that
name the key and the range.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: the same parser, from PyPI
    import tomli as tomllib

from formcheck.errors import ConfigError


def _t(default: float, unit: str, lo: float, hi: float, why: str) -> Any:
    return field(default=default, metadata={"unit": unit, "range": (lo, hi), "why": why})


@dataclass(frozen=True)
class CleaningConfig:
    """Landmark series clean-up (stage 3)."""

    min_visibility: float = _t(0.3, "1", 0, 1, "below this a landmark is treated as missing")
    max_gap_s: float = _t(0.3, "s", 0, 5, "dropouts up to this long are interpolated")
    outlier_window_s: float = _t(0.5, "s", 0.05, 5, "Hampel filter window")
    outlier_k: float = _t(4.0, "MAD", 1, 20, "Hampel filter: reject beyond k scaled MADs")
    cutoff_hz: float = _t(4.0, "Hz", 0.5, 30, "low-pass cut-off; hip-thrust motion is < 2 Hz")
    swap_margin: float = _t(0.6, "1", 0.1, 1, "swap legs when swapped cost < margin x kept cost")


@dataclass(frozen=True)
class RepConfig:
    """Rep and phase segmentation (stage 6). Heights are in torso lengths."""

    min_rise: float = _t(
        0.12, "torso", 0.02, 2, "smallest hip rise that counts as a rep (tuned: bridge partials)"
    )
    min_clip_s: float = _t(
        0.6,
        "s",
        0,
        10,
        "a clip (or a shot between cuts) shorter than this cannot hold a repetition: too short, "
        "not judged (the fastest reps in ../shared, queen's frog pumps, take ~0.85 s each)",
    )
    still_share: float = _t(
        0.08, "1", 0.01, 0.5, "hips slower than this share of a phase's peak speed are still"
    )
    full_range_share: float = _t(0.7, "1", 0.1, 1, "below this share of the best range: partial")
    bottom_seen_s: float = _t(
        0.2,
        "s",
        0.0,
        2,
        "hips within a quarter of min_rise of their low this long, or seen coming down into it: "
        "the bottom was seen (shared/README: a rep rises from a bottom seen in the clip)",
    )
    unseen_bottom_rise: float = _t(
        0.25,
        "torso",
        0.02,
        2,
        "a rise already under way when the clip starts counts if the hips still rise this much "
        "from its first frame (labelled clips opening on a rise from the bottom: 0.37-0.69; a "
        "live recording that began near a top: 0.10)",
    )
    max_trunk_tilt_deg: float = _t(
        50.0, "deg", 10, 90, "trunk steeper than this at the top is not a hip thrust"
    )
    standing_knee_deg: float = _t(150.0, "deg", 90, 180, "knees straighter at the top: standing")
    standing_hip_height: float = _t(
        1.4, "torso", 0.5, 5, "hips this high above the feet at the top: standing"
    )
    max_top_knee_deg: float = _t(
        150.0,
        "deg",
        90,
        180,
        "the more bent knee straighter than this at the top (3D): a plank or push-up, not a "
        "bridge (hip-thrust tops measure 42-122 on every labelled clip, push-ups 163)",
    )
    max_shoulder_rise_share: float = _t(
        0.9,
        "ratio",
        0.2,
        5,
        "shoulders rising this share of the hips' rise are not supported: the arms lift the "
        "body (push-ups 1.5-1.8) or the camera moves (1.0); hip-thrust reps -0.24..+0.19 "
        "from the side, up to 0.8 from the feet",
    )


@dataclass(frozen=True)
class FaultConfig:
    """Fault thresholds (stage 7); each ``*_step`` is one severity step beyond the threshold
    (minor < 1 step, moderate < 2, major beyond). Sources: formcheck.analysis.rules.RULES."""

    detail_min_body_px: float = _t(
        150.0,
        "px",
        0,
        5000,
        "a lifter spanning fewer pixels than this (the longer side of their landmarks' box) "
        "is not judged on the head or heels: ear to eye and heel rise are a few pixels (a "
        "lifter a quarter of the frame tall spans 63-106 px and got false neck calls; every "
        "shared clip spans 200 px or more)",
    )
    lockout_min_deg: float = _t(
        162.0,
        "deg",
        120,
        180,
        "peak hip extension; tuned on the benchmark, clean real reps 166-176",
    )
    lockout_step_deg: float = _t(10.0, "deg", 1, 90, "severity step")
    hyperextension_max_deg: float = _t(
        195.0, "deg", 180, 240, "hips above the shoulder-knee line; clean bridges reach ~199"
    )
    hyperextension_step_deg: float = _t(8.0, "deg", 1, 90, "severity step")
    pelvis_max_deg: float = _t(10.0, "deg", 1, 45, "hip-line tilt or rotation change at the top")
    pelvis_step_deg: float = _t(5.0, "deg", 1, 45, "severity step")
    eccentric_min_s: float = _t(1.0, "s", 0.1, 10, "descent shorter than this is rushed")
    eccentric_vs_concentric_tol_s: float = _t(
        0.15, "s", 0, 2, "descent this much shorter than the rise is rushed (timing error margin)"
    )
    eccentric_step_s: float = _t(0.3, "s", 0.05, 5, "severity step")
    top_hold_min_s: float = _t(0.5, "s", 0, 5, "shorter hold at lockout: no pause (001: 1-2 s)")
    top_hold_step_s: float = _t(0.2, "s", 0.05, 5, "severity step")
    bounce_max_bottom_s: float = _t(0.3, "s", 0, 2, "bottom pause shorter than this: bounce")
    bounce_step_s: float = _t(0.1, "s", 0.01, 2, "severity step")
    shin_max_deg: float = _t(
        16.0, "deg", 1, 60, "shin from vertical at lockout (tuned on the benchmark)"
    )
    shin_step_deg: float = _t(10.0, "deg", 1, 60, "severity step")
    neck_max_deg: float = _t(
        -10.0, "deg", -90, 90, "ear vs the trunk line at the top; neutral heads measure -45..-85"
    )
    neck_rise_max_deg: float = _t(
        15.0, "deg", 1, 90, "head tipped back this much more than at the set's usual top"
    )
    face_lift_max_deg: float = _t(
        10.0,
        "deg",
        1,
        90,
        "face turned this much further chin-up against the trunk from the bottom to the top "
        "than the set's usual turn (one rep: than none; 001: gaze follows the sternum); clean "
        "real reps turn -48..+5, rendered ones -19..+26 alike on every rep",
    )
    neck_step_deg: float = _t(15.0, "deg", 1, 90, "severity step")
    knee_ratio_min: float = _t(0.9, "ratio", 0.3, 1.5, "knee width / ankle width")
    knee_ratio_step: float = _t(0.15, "ratio", 0.01, 1, "severity step")
    heel_lift_max: float = _t(
        0.08, "torso", 0.01, 1, "heel rise at the top vs the bottom; clean reps reach 0.066"
    )
    heel_lift_step: float = _t(0.04, "torso", 0.005, 1, "severity step")
    range_drift_share: float = _t(
        0.78, "ratio", 0.3, 1, "rep rise below this share of the best good rep (tuned)"
    )
    range_drift_step: float = _t(0.1, "ratio", 0.01, 1, "severity step")
    asymmetry_max_deg: float = _t(8.0, "deg", 1, 45, "peak extension difference between legs")
    asymmetry_step_deg: float = _t(6.0, "deg", 1, 45, "severity step")
    min_confidence: float = _t(0.35, "1", 0, 1, "findings less certain than this are dropped")
    score_minor: float = _t(
        5.0,
        "points",
        0,
        100,
        "a minor finding takes this off its rep's score of 100 (x confidence)",
    )
    score_moderate: float = _t(12.0, "points", 0, 100, "... a moderate one")
    score_major: float = _t(
        25.0, "points", 0, 100, "... a major one; the set's top faults rank by these too"
    )


@dataclass(frozen=True)
class LoadConfig:
    """The load over the hip (a barbell's plates): the bar's path and speed."""

    plate_cm: float = _t(
        45.0, "cm", 10, 60, "plate diameter, the scale of bar speeds (standard plates: 45 cm)"
    )
    radius_spread_max: float = _t(
        0.1,
        "ratio",
        0.01,
        1,
        "plate radius interquartile range / median above this: the scale is not trusted",
    )
    hip_depth_share_min: float = _t(
        0.09,
        "shoulder-knee",
        0,
        0.5,
        "the hip joint's depth behind the bar's axis, shallowest (formcheck.analysis."
        "hip_from_bar: 9 cm of pelvis, tissue and pad over a 105 cm shoulder-knee span)",
    )
    hip_depth_share_max: float = _t(
        0.2,
        "shoulder-knee",
        0,
        0.5,
        "... and deepest (17 cm over 85 cm); a top position is judged from the bar only when "
        "both give the same verdict",
    )
    leg_switch_margin: float = _t(
        0.05,
        "thigh/shin",
        0,
        1,
        "under a plate, the legs are measured on the other side's landmarks when their thigh "
        "keeps its length this much better (formcheck.analysis.load.unlost_side: a leg the "
        "model loses behind the plate collapses towards it)",
    )


@dataclass(frozen=True)
class ShotConfig:
    """Camera cuts (stage 2b): where the picture jumps, each shot is analysed on its own."""

    min_change: float = _t(
        0.05,
        "1-corr",
        0.001,
        1,
        "a cut changes the picture at least this much (formcheck.video.cuts: handheld "
        "motion 0.001-0.07; the shared clips' cuts 0.07-1)",
    )
    min_ratio: float = _t(
        15.0,
        "ratio",
        1,
        1000,
        "and this many times the median change of the frames within 0.5 s (handheld jerks "
        "on fitnease__glute-bridge: 9-13; cuts: 19-2000)",
    )
    min_shot_s: float = _t(1.0, "s", 0.1, 60, "a shot shorter than this is not a shot of its own")


@dataclass(frozen=True)
class LiveConfig:
    """Live coaching (formcheck live): setup check, cue timing, end of set."""

    end_after_s: float = _t(15.0, "s", 2, 600, "no new rep for this long after one: set over")
    cue_min_show_s: float = _t(2.5, "s", 0.5, 20, "a cue stays on screen at least this long")
    cue_max_wait_s: float = _t(4.0, "s", 0.5, 60, "a cue not shown within this is dropped")
    window_s: float = _t(20.0, "s", 5, 300, "recent landmarks re-analysed to assess a rep")
    dark_luma: float = _t(45.0, "0-255", 0, 255, "mean frame brightness below this: too dark")
    edge_margin: float = _t(0.01, "frame", 0, 0.2, "a landmark this close to the edge is out")
    setup_s: float = _t(1.0, "s", 0.2, 10, "recent frames the setup check looks at")


@dataclass(frozen=True)
class Config:
    cleaning: CleaningConfig = field(default_factory=CleaningConfig)
    reps: RepConfig = field(default_factory=RepConfig)
    faults: FaultConfig = field(default_factory=FaultConfig)
    load: LoadConfig = field(default_factory=LoadConfig)
    shots: ShotConfig = field(default_factory=ShotConfig)
    live: LiveConfig = field(default_factory=LiveConfig)


def describe(section: object) -> list[tuple[str, float, str, str]]:
    """(name, value, unit, reason) rows of one config section, for docs and --help."""
    return [
        (f.name, getattr(section, f.name), f.metadata["unit"], f.metadata["why"])
        for f in fields(section)  # type: ignore[arg-type]
    ]


def load_config(path: str | Path | None) -> Config:
    """Defaults, overridden by a TOML file when ``path`` is given."""
    cfg = Config()
    if path is None:
        return cfg
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: cannot read config (not UTF-8 text)") from exc
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config ({str(exc).splitlines()[0]})") from exc
    sections = {f.name: getattr(cfg, f.name) for f in fields(cfg)}
    updates = {}
    for name, values in data.items():
        if name not in sections:
            raise ConfigError(f"{path}: unknown section [{name}] (allowed: {', '.join(sections)})")
        if not isinstance(values, dict):
            raise ConfigError(f"{path}: [{name}] must be a table")
        updates[name] = _override(sections[name], values, f"{path}: [{name}]")
    return replace(cfg, **updates)


def _override(section: Any, values: dict[str, Any], where: str) -> Any:
    allowed = {f.name: f for f in fields(section)}
    for key, value in values.items():
        if key not in allowed:
            raise ConfigError(f"{where} unknown key {key!r} (allowed: {', '.join(allowed)})")
        lo, hi = allowed[key].metadata["range"]
        unit = allowed[key].metadata["unit"]
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise ConfigError(
                f"{where} {key} = {value!r} is not a number (allowed: [{lo}, {hi}] {unit})"
            )
        if not lo <= value <= hi:
            raise ConfigError(f"{where} {key} = {value!r} is outside [{lo}, {hi}] {unit}")
    return replace(section, **{k: float(v) for k, v in values.items()})


def with_plate(cfg: Config, plate_cm: float | None) -> Config:
    """``cfg`` with the plate diameter of ``--plate-cm`` (checked as a config value)."""
    if plate_cm is None:
        return cfg
    return replace(cfg, load=_override(cfg.load, {"plate_cm": plate_cm}, "--plate-cm:"))
