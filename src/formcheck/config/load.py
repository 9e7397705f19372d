"""The load over the hip: the plate, the bar, and the hip estimated from the bar."""

from __future__ import annotations

from dataclasses import dataclass

from formcheck.config._field import threshold


@dataclass(frozen=True)
class LoadConfig:
    """The load over the hip (a barbell's plates): the bar's path and speed."""

    plate_cm: float = threshold(
        45.0, "cm", 10, 60, "plate diameter, the scale of bar speeds (standard plates: 45 cm)"
    )
    radius_spread_max: float = threshold(
        0.1,
        "ratio",
        0.01,
        1,
        "plate radius interquartile range / median above this: the scale is not trusted",
    )
    hip_depth_share_min: float = threshold(
        0.09,
        "shoulder-knee",
        0,
        0.5,
        "the hip joint's depth behind the bar's axis, shallowest (formcheck.analysis."
        "hip_from_bar: 9 cm of pelvis, tissue and pad over a 105 cm shoulder-knee span)",
    )
    hip_depth_share_max: float = threshold(
        0.2,
        "shoulder-knee",
        0,
        0.5,
        "... and deepest (17 cm over 85 cm); a top position is judged from the bar only when "
        "both give the same verdict",
    )
    leg_switch_margin: float = threshold(
        0.05,
        "thigh/shin",
        0,
        1,
        "under a plate, the legs are measured on the other side's landmarks when their thigh "
        "keeps its length this much better (formcheck.analysis.load.unlost_side: a leg the "
        "model loses behind the plate collapses towards it)",
    )
    plate_radius_tol: float = threshold(
        0.25, "1", 0.01, 1, "a circle within this share of the median covering radius: the plate"
    )
    plate_steady_s: float = threshold(
        1.0, "s", 0.1, 10, "a plate is there when it covers the hip in most frames of this window"
    )
    loaded_share: float = threshold(
        0.6,
        "1",
        0,
        1,
        "a clip has a load over the hip when the plate covers it in this share of the frames "
        "with a person",
    )
    hidden_top_share: float = threshold(
        0.5, "1", 0, 1, "a rep's top is hidden when the plate covers the hip in this share of it"
    )
    deep_inside: float = threshold(
        0.8,
        "x radius",
        0,
        1.5,
        "a knee nearer the plate's centre than this is deep in the disc, where no joint can "
        "be (a 45 cm plate's radius is about half a thigh; wongfit__hip-thrust's knee sits at "
        "0.9-1.0 radii, rendered sets 1.2 or more)",
    )
    bar_max_gap_s: float = threshold(
        0.5, "s", 0.05, 5, "bar samples further apart are not joined (unknown between)"
    )
    bar_smooth_s: float = threshold(
        0.2, "s", 0, 2, "the joined bar track is averaged over this (two plate searches)"
    )
    bar_min_cover: float = threshold(
        0.8, "1", 0, 1, "the bar track must cover this share of the frames the plate hides"
    )
    shin_cm: float = threshold(40.0, "cm", 20, 60, "an adult's shin, knee to ankle joint")
    min_plate_vs_shin: float = threshold(
        0.8,
        "ratio",
        0,
        5,
        "a plate looks at least this share of its stated size beside the shin (it hangs "
        "nearer the camera; wongfit's 45 cm plate 1.44 shins, gymfitness's light ones 0.77): "
        "smaller, the metre scale is not trusted",
    )
    plate_offset_m: float = threshold(
        0.47, "m", 0.1, 1.5, "the plate's centre from the body's middle along the bar"
    )
    focal_long_side: float = threshold(
        0.85, "x long side", 0.2, 5, "focal length assumed for the bar's parallax"
    )
    far_hold_s: float = threshold(
        1.0, "s", 0, 10, "the far plate's offset is carried this long where it is not seen"
    )
    inferred_visibility: float = threshold(
        0.7,
        "1",
        0,
        1,
        "the hip estimated from the bar counts as this much seen in a finding's confidence: "
        "what it shows is an interval",
    )
