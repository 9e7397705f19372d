"""The twelve fault rules as data: what each checks, which plane shows it, where
the coaching documents say it, and the cue to give, in the documents' words.

Documents (../shared/seeds/): 000 = single-leg hip thrust guide, 001 = hip
thrust article, 002 = hip thrust guide, 003 = posture-site article. Every quote
is a sentence (or list item) copied from its document; tests check they match.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from formcheck.results.measures import Source

Plane = Literal["sagittal", "frontal", "timing", "single_leg"]


@dataclass(frozen=True)
class Rule:
    code: str
    title: str
    plane: Plane
    sources: tuple[Source, ...]
    cue: str
    side_only: bool = False  # a sagittal fault the oblique views cannot show (docs/ACCURACY.md)
    # needs the whole rise: from the feet or the head the knees hide the hips through the
    # lower half of the rep (docs/ACCURACY.md, "Views along the body")
    needs_bottom: bool = False
    # why the pose model's landmarks cannot show this fault in any view ("" when they can)
    model_blind: str = ""


RULES: dict[str, Rule] = {
    r.code: r
    for r in (
        Rule(
            "incomplete_lockout",
            "Incomplete lockout",
            "sagittal",
            (
                Source(
                    "001",
                    "Your body should form a straight line from your shoulders to your knees.",
                ),
                Source("000", "Not reaching full hip extension at the top."),
            ),
            "Drive your hips up until your glutes are fully squeezed.",
        ),
        Rule(
            "lumbar_hyperextension",
            "Lower back arching at the top",
            "sagittal",
            (
                Source(
                    "001",
                    "Avoid hyperextending your lower back; the extension should come from the hips.",
                ),
                Source("003", "Don't hyperextend lower back at top"),
            ),
            "Stop when hips align with torso, keep core engaged.",
        ),
        Rule(
            "pelvic_tilt_rotation",
            "Hips tilting or rotating",
            "frontal",
            (
                Source("000", "Allowing the hips to tilt or rotate."),
                Source("003", "Stabilize the pelvis"),
            ),
            "Brace your core and keep your hips level.",
            model_blind=(
                "the pose model's hip landmarks do not follow a dropping pelvis: rendered "
                "14-deg hip drops moved them 1-4 deg from the feet and the head"
            ),
        ),
        Rule(
            "rushed_eccentric",
            "Rushed descent",
            "timing",
            (
                Source(
                    "001",
                    "Slowly and with control, lower your hips back down towards the starting position.",
                ),
                Source("000", "Rushing the descent and guessing where the bottom should be."),
            ),
            "Slowly lower your hips back down in a controlled manner.",
            needs_bottom=True,
        ),
        Rule(
            "no_top_pause",
            "No pause at the top",
            "timing",
            (
                Source("001", "Hold this peak contraction for 1-2 seconds."),
                Source(
                    "000",
                    "Hold and squeeze: Pause briefly at the top, focusing on maximal glute contraction",
                ),
            ),
            "Pause briefly at the top, focusing on maximal glute contraction.",
        ),
        Rule(
            "bounce",
            "Bouncing out of the bottom",
            "timing",
            (
                Source("001", "Do not let your hips crash to the floor."),
                Source(
                    "002",
                    "A set gets harder to interpret when every rep turns into a different mix of lumbar extension, shortened range, bouncing, or foot-position experiments.",
                ),
            ),
            "Maintain tension in your glutes throughout the descent; do not let your hips crash to the floor.",
            needs_bottom=True,
        ),
        Rule(
            "shins_not_vertical",
            "Shins not vertical at lockout",
            "sagittal",
            (
                Source(
                    "001",
                    "Adjust foot position so your shins are vertical at the top of the movement to maximize glute activation.",
                ),
                Source(
                    "001",
                    "Feet too far out can engage more hamstrings, while feet too close can engage more quads.",
                ),
            ),
            "Position your feet so that at the top of the movement your shins are vertical.",
        ),
        Rule(
            "neck_craning",
            "Neck craning / looking at the ceiling",
            "sagittal",
            (
                Source("001", "Avoid craning your neck."),
                Source("003", "Chin tucked (don't look at ceiling)"),
                Source(
                    "001",
                    "Your gaze should follow the movement of your sternum, looking slightly "
                    "forward or down towards your knees at the bottom, and towards the ceiling "
                    "at the top.",
                ),
            ),
            "Tuck chin, look straight ahead at top.",
            side_only=True,
        ),
        Rule(
            "knees_caving",
            "Knees caving in",
            "frontal",
            (
                Source("003", "Resists knee caving"),
                Source(
                    "001",
                    "This increases glute medius activation and forces the knees out, enhancing glute engagement.",
                ),
            ),
            "Keep your knees out, in line with your feet.",
        ),
        Rule(
            "heels_lifting",
            "Heels lifting (pushing through the toes)",
            "sagittal",
            (
                Source("003", "Drive through heels, not toes"),
                Source(
                    "001",
                    "Drive through your heels and the balls of your feet simultaneously, pushing your hips straight up towards the ceiling.",
                ),
            ),
            "Drive through heels, even lift toes slightly.",
            model_blind=(
                "rendered 5-cm heel lifts raised the heel landmark 0.06-0.14 torso lengths "
                "while one planted heel in ten moved 0.06 or more: the best landmark measure "
                "found 2 of 5 held-out lifts with 12 false ones (benchmarks/bench_heels.py)"
            ),
        ),
        Rule(
            "range_drift",
            "Range drifting from your best rep",
            "timing",
            (
                Source(
                    "002",
                    "The useful hip thrust is boring in the best way: same bench height, same foot position, same range, same top position, and the same effort target from week to week.",
                ),
                Source(
                    "000",
                    "Progress it by improving setup consistency first, then adding load, range, pauses, or a harder variation only once the current reps still look the same from start to finish.",
                ),
            ),
            "Keep the same range and the same top position on every rep.",
            needs_bottom=True,
        ),
        Rule(
            "asymmetry",
            "Left/right asymmetry",
            "single_leg",
            (
                Source("000", "Perform the desired number of repetitions, then switch legs."),
                Source(
                    "001",
                    "Increases the challenge and addresses muscular imbalances by working one glute at a time.",
                ),
            ),
            "Match the weaker leg to the stronger one: same range and tempo on each side.",
        ),
    )
}

FAULT_CODES: tuple[str, ...] = tuple(RULES)

#: What live coaching says, on screen and aloud: a few words drawn from each rule's cue.
SHORT_CUES: dict[str, str] = {
    "incomplete_lockout": "hips all the way up, squeeze",
    "lumbar_hyperextension": "stop at a straight line, core tight",
    "pelvic_tilt_rotation": "hips level",
    "rushed_eccentric": "slow the lowering",
    "no_top_pause": "squeeze and pause at the top",
    "bounce": "control the bottom, no bounce",
    "shins_not_vertical": "move your feet: shins vertical at the top",
    "neck_craning": "tuck your chin",
    "knees_caving": "knees out",
    "heels_lifting": "drive through your heels",
    "range_drift": "same range every rep",
    "asymmetry": "match both sides",
}
