"""Live coaching: setup check, cue timing, when a rep's verdict is given, end of set."""

from __future__ import annotations

from dataclasses import dataclass

from formcheck.config._field import threshold


@dataclass(frozen=True)
class LiveConfig:
    """Live coaching (formcheck live): setup check, cue timing, end of set."""

    end_after_s: float = threshold(
        15.0, "s", 2, 600, "no new rep for this long after one: set over"
    )
    cue_min_show_s: float = threshold(2.5, "s", 0.5, 20, "a cue stays on screen at least this long")
    cue_max_wait_s: float = threshold(4.0, "s", 0.5, 60, "a cue not shown within this is dropped")
    window_s: float = threshold(20.0, "s", 5, 300, "recent landmarks re-analysed to assess a rep")
    dark_luma: float = threshold(
        45.0, "0-255", 0, 255, "mean frame brightness below this: too dark"
    )
    edge_margin: float = threshold(
        0.01, "frame", 0, 0.2, "a landmark this close to the edge is out"
    )
    setup_s: float = threshold(1.0, "s", 0.2, 10, "recent frames the setup check looks at")
    settle_s: float = threshold(
        0.2, "s", 0, 5, "a rep is assessed once it ended this long ago (the hips settled)"
    )
    retry_s: float = threshold(0.3, "s", 0, 5, "assessment attempts are at least this far apart")
    try_anyway_s: float = threshold(
        1.5,
        "s",
        0.1,
        30,
        "a counted rep is tried this long after its top even if the hips never look back down",
    )
    not_a_rep_s: float = threshold(
        3.0, "s", 0.5, 60, "a counted rise the analysis does not find as a rep this long after"
    )
    give_up_s: float = threshold(
        8.0, "s", 1, 120, "a counted rep still unsettled this long after its top is dropped"
    )
    seen_gap_s: float = threshold(
        0.6,
        "s",
        0.05,
        5,
        "a descent counts as seen when no gap in the hips is longer (longer than the hole a "
        "verdict leaves on a busy machine, shorter than the hips going out of sight)",
    )
    context_s: float = threshold(
        2.0, "s", 0, 30, "recorded seconds kept before the bottom of the first unassessed rep"
    )
    reference_s: float = threshold(
        10.0,
        "s",
        1,
        120,
        "the live hip height is measured against the feet and torso of this many recent "
        "seconds (a frame's own feet rise with the hips in a single-leg set)",
    )
