"""The synthetic benchmark: a generated, labelled set spanning variations, views, faults, tempos.

A fixed table of cells says what each pair of clips shows (variation, view family, the faults of
each rep); the seed draws everything else (rep order, tempo, camera, look, lead-in/out). Each cell
gives one ``tune_`` and one ``test_`` clip, so both splits hold the same variations, views and
faults in the same numbers. Tune thresholds on ``tune_`` clips, report on ``test_`` clips.

Rules the table keeps so the labels say what the video shows (checked in the tests):

- A partial rep among full ones is short of the set's best range, so ``incomplete_lockout`` alone
  only appears in sets where every rep stops short (no drift); elsewhere a partial rep carries
  ``range_drift`` too (and ``range_drift`` renders as a partial rep, see ``faults.implied_faults``).
- Feet too close or too far shorten a glute bridge's hip rise to ~87% of a clean rep's, too near
  the 85% range_drift limit, so glute-bridge sets with a shin fault have it on every rep; heel
  lifts raise the hips, so they never share a set with a shin fault.
- A single-leg clip's free leg is on the far side from the camera (working leg = near side), the
  layout MediaPipe tracks best (../shared/docs/SYNTH.md); ``bounce`` and ``range_drift`` never fall
  on a clip's first rep (no descent into it, no earlier rep to drift from).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from formcheck.synth.motion import plan_reps
from formcheck.synth.spec import FREE_LEG_POSES, CameraSpec, ClipSpec, RepSpec

SPLITS: tuple[str, ...] = ("tune", "test")
WIDTH, HEIGHT, FPS = 640, 360, 30.0
NOISE_SIGMA = 2.0
CRF_RANGE = (23, 32)

# Fault tokens of the cell table: fault codes, with the direction of shins_not_vertical.
_TOKENS: dict[str, tuple[str, ...]] = {
    "IL": ("incomplete_lockout",),
    "LH": ("lumbar_hyperextension",),
    "RE": ("rushed_eccentric",),
    "NP": ("no_top_pause",),
    "BO": ("bounce",),
    "SC": ("shins_not_vertical",),  # feet too close: knees ahead of the ankles
    "SF": ("shins_not_vertical",),  # feet too far: ankles ahead of the knees
    "NC": ("neck_craning",),
    "HL": ("heels_lifting",),
    "PT": ("pelvic_tilt_rotation",),
    "KC": ("knees_caving",),
    "RD": ("range_drift",),
}
_NOT_FIRST = ("BO", "RD")  # tokens never put on a clip's first rep

_VARIATION_TAGS = {
    "hip_thrust": "ht",
    "glute_bridge": "gb",
    "single_leg_hip_thrust": "slht",
    "single_leg_glute_bridge": "slgb",
}
# Camera yaw (deg) per view family: side, mild oblique, steep oblique (all turned to the feet).
_YAW_RANGE = {"side": (0, 0), "mild": (15, 25), "steep": (40, 45)}


@dataclass(frozen=True)
class _Cell:
    """One pair of clips: variation, view family and per-rep fault tokens ("-" = clean rep)."""

    variation: str
    view: str
    reps: str
    load: str = "none"
    messy: str = ""  # "cut", "cards" or "cut+cards": an edited clip (see _edit)

    def rep_tokens(self) -> list[tuple[str, ...]]:
        return [() if r == "-" else tuple(r.split("+")) for r in self.reps.split()]


_HT, _GB = "hip_thrust", "glute_bridge"
_SLHT, _SLGB = "single_leg_hip_thrust", "single_leg_glute_bridge"

_CELLS: tuple[_Cell, ...] = (
    _Cell(_HT, "side", "- - -"),
    _Cell(_HT, "side", "- LH - LH+NC"),
    _Cell(_HT, "side", "- IL+RD RE"),
    _Cell(_HT, "side", "- NP BO BO+RE"),
    _Cell(_HT, "side", "SC - SC+NC"),
    _Cell(_HT, "side", "- HL HL+NP -"),
    _Cell(_HT, "side", "IL IL IL+RE"),  # every rep partial: no drift
    _Cell(_HT, "side", "- - RD RD"),
    _Cell(_HT, "mild", "- SF - LH"),
    _Cell(_HT, "mild", "- NC RE NP+NC"),
    _Cell(_HT, "steep", "SC LH BO"),
    _Cell(_HT, "side", "SF - SF+RE -"),
    _Cell(_GB, "side", "- - - -"),
    _Cell(_GB, "side", "- LH HL NP"),
    _Cell(_GB, "mild", "- RD IL+RD"),
    _Cell(_GB, "mild", "SC SC+BO SC+RE SC+NC"),
    _Cell(_GB, "steep", "IL IL+NP IL"),  # every rep partial: no drift
    _Cell(_SLHT, "side", "- PT NC"),
    _Cell(_SLHT, "side", "- LH RE BO"),
    _Cell(_SLHT, "mild", "PT - PT+NP"),
    _Cell(_SLHT, "steep", "- PT HL"),
    _Cell(_SLHT, "side", "- - - -"),
    _Cell(_SLGB, "side", "SF SF+PT SF"),
    _Cell(_SLGB, "side", "- IL+RD LH"),
    _Cell(_SLGB, "mild", "- PT+RE HL NP"),
    _Cell(_SLGB, "steep", "- - BO NC+LH"),
    # a load over the hips (issue 15): 45 cm plates hide the near hip from the side and a
    # mild oblique; a dumbbell's head reaches the front of it
    _Cell(_HT, "side", "- - -", "barbell"),
    _Cell(_HT, "side", "- IL+RD - LH", "barbell"),
    _Cell(_HT, "mild", "- NC RE -", "barbell"),
    _Cell(_HT, "side", "- NP - IL+RD", "dumbbell"),
    # a chin-up head from steep obliques, on a bench and on the floor (issue 15's neck recall)
    _Cell(_HT, "steep", "- NC - NC"),
    _Cell(_GB, "steep", "NC - NC"),
    # edited clips (issue 15): a cut to another view between reps, title and black end cards
    _Cell(_HT, "side", "- - NC -", messy="cut"),
    _Cell(_GB, "side", "- RE - -", messy="cards"),
    _Cell(_HT, "mild", "- IL+RD - NP", messy="cut+cards"),
)
#: The frontal benchmark (issue 20): views along the body and steep obliques, where the pelvis
#: and the knees' width can be seen. Single-leg sets drop the free-leg hip (PT); two-leg sets
#: let the knees cave (KC) or drop the left hip. From the head, only glute bridges: a bench
#: hides a hip thrust.
FRONTAL_INDEX0 = 100  # clip numbers start here (names never collide with the main set's)
_FRONTAL_CELLS: tuple[_Cell, ...] = (
    _Cell(_HT, "feet", "- KC - KC"),
    _Cell(_HT, "feet", "- - -"),
    _Cell(_HT, "feet", "KC - KC"),
    _Cell(_GB, "feet", "- KC -"),
    _Cell(_GB, "head", "- KC - KC"),
    _Cell(_HT, "steep60", "- KC -"),
    _Cell(_GB, "steep60", "KC - -"),
    _Cell(_SLHT, "feet", "- PT - PT"),
    _Cell(_SLHT, "feet", "PT - -"),
    _Cell(_SLGB, "feet", "- PT -"),
    _Cell(_SLGB, "head", "PT - PT"),
    _Cell(_SLHT, "steep60", "- PT - PT"),
    _Cell(_SLGB, "steep60", "- - PT"),
    # two legs down, one hip dropping (003: "Stabilize the pelvis")
    _Cell(_HT, "feet", "- PT - PT"),
    _Cell(_HT, "feet", "PT KC -"),
    _Cell(_GB, "head", "PT - -"),
)
#: Per frontal view family: camera yaw (deg), camera height and aim height (m) ranges; a camera
#: looking along the body is held up and tilted down, as on a tripod at the feet.
_FRONTAL_CAMERA = {
    "feet": ((84, 90), (1.0, 1.35), (0.2, 0.35)),
    "head": ((-90, -84), (1.0, 1.35), (0.15, 0.3)),
    "steep60": ((60, 75), (0.7, 1.0), (0.25, 0.4)),
}
_LOAD_TAGS = {"none": "", "barbell": "_bb", "dumbbell": "_db"}
_MESSY_TAGS = {"": "", "cut": "_cut", "cards": "_cards", "cut+cards": "_cutcards"}
#: Edited clips: the title and end cards' lengths (s), the view a cut goes to (side <-> mild).
_CARD_S = (1.2, 2.0)
_CUT_YAW = {"side": (15, 25), "mild": (0, 0)}

# Looks (BGR); each clip jitters its picks a little.
_SHIRTS = (
    (130, 60, 25),
    (40, 40, 160),
    (60, 120, 50),
    (40, 40, 40),
    (170, 110, 40),
    (110, 60, 120),
)
_SHORTS = ((30, 30, 34), (20, 20, 20), (90, 50, 20), (80, 80, 80), (40, 60, 30))
_SKINS = ((70, 105, 150), (95, 140, 190), (50, 80, 120), (120, 160, 210), (40, 60, 90))


def split_of(name: str) -> str:
    """The split a benchmark clip belongs to ("tune" or "test"), from its name or file name."""
    prefix = name.split("_", 1)[0]
    if prefix not in SPLITS:
        raise ValueError(f"{name!r} is not a benchmark clip name (no tune_/test_ prefix)")
    return prefix


def benchmark_specs(seed: int = 0, frontal: bool = False) -> list[ClipSpec]:
    """The benchmark set (two clips per cell, one per split), deterministic for a seed; with
    ``frontal``, the frontal benchmark (views along the body and steep obliques) instead."""
    cells, index0 = (_FRONTAL_CELLS, FRONTAL_INDEX0) if frontal else (_CELLS, 0)
    specs = []
    for c, cell in enumerate(cells):
        for k in range(2):
            i = index0 + 2 * c + k
            rng = np.random.default_rng([seed, i])
            split = SPLITS[(c + k) % 2]
            facing = ("left", "right")[(c // 2 + k) % 2]  # decoupled from the split
            specs.append(_clip(cell, i, split, facing, seed, rng))
    return specs


def _camera(cell: _Cell, facing: str, rng: np.random.Generator) -> tuple[CameraSpec, str]:
    """The clip's camera and its name tag."""
    single = cell.variation.startswith("single_leg")
    if cell.view in _FRONTAL_CAMERA:
        yaws, heights, aims = _FRONTAL_CAMERA[cell.view]
        yaw = float(rng.integers(yaws[0], yaws[1] + 1))
        distance = rng.uniform(3.0, 3.4) if single else rng.uniform(2.7, 3.1)
        camera = CameraSpec(
            yaw_deg=yaw,
            facing=facing,
            distance_m=_r(distance),
            height_m=_r(rng.uniform(*heights)),
            aim_height_m=_r(rng.uniform(*aims)),
        )
        tag = "obl" if cell.view == "steep60" else cell.view
        return camera, f"{tag}{abs(yaw):.0f}"
    lo, hi = _YAW_RANGE[cell.view]
    yaw = float(rng.integers(lo, hi + 1))
    # A raised free leg needs a higher, farther camera to stay in the frame.
    distance = rng.uniform(3.2, 3.5) if single else rng.uniform(2.7, 3.1)
    height = rng.uniform(0.55, 0.7) if single else rng.uniform(0.35, 0.6)
    camera = CameraSpec(yaw_deg=yaw, facing=facing, distance_m=_r(distance), height_m=_r(height))
    return camera, "side" if yaw == 0 else f"obl{yaw:.0f}"


def _clip(
    cell: _Cell, i: int, split: str, facing: str, seed: int, rng: np.random.Generator
) -> ClipSpec:
    single = cell.variation.startswith("single_leg")
    camera, view = _camera(cell, facing, rng)
    near = "right" if facing == "left" else "left"  # ClipSpec.near_side
    if single and cell.view in ("feet", "head"):  # no near side: either leg works
        near = str(rng.choice(("left", "right")))
    tag = _VARIATION_TAGS[cell.variation] + _LOAD_TAGS[cell.load] + _MESSY_TAGS[cell.messy]
    name = f"{split}_{i:03d}_{view}_{facing}_{tag}"
    spec = ClipSpec(
        name=name,
        reps=_reps(cell, rng),
        variation=cell.variation,
        load=cell.load,
        working_leg=near if single else None,
        free_leg=str(rng.choice(FREE_LEG_POSES)),
        camera=camera,
        width=WIDTH,
        height=HEIGHT,
        fps=FPS,
        lead_in_s=_r(rng.uniform(0.3, 1.0)) if rng.random() < 0.4 else 0.0,
        lead_out_s=_r(rng.uniform(0.3, 1.0)) if rng.random() < 0.4 else 0.0,
        body_scale=_r(rng.uniform(0.9, 1.1)),
        shirt_bgr=_colour(_SHIRTS, rng),
        shorts_bgr=_colour(_SHORTS, rng),
        skin_bgr=_colour(_SKINS, rng),
        background=str(rng.choice(("wall", "plain"))),
        noise_sigma=NOISE_SIGMA,
        seed=seed * 1000 + i,
        crf=int(rng.integers(CRF_RANGE[0], CRF_RANGE[1] + 1)),
    )
    return _edit(spec, cell, rng) if cell.messy else spec


def _edit(spec: ClipSpec, cell: _Cell, rng: np.random.Generator) -> ClipSpec:
    """An edited clip: title and end cards around the set, and/or a cut to another view in the
    middle of a bottom pause between reps (where editors cut); the new camera keeps its side."""
    if "cards" in cell.messy:
        spec = replace(
            spec, title_s=_r(rng.uniform(*_CARD_S)), end_card_s=_r(rng.uniform(*_CARD_S))
        )
    if "cut" in cell.messy:
        reps = plan_reps(spec)
        k = len(reps) // 2  # the cut falls in this rep's bottom pause
        cut_s = _r(0.5 * (reps[k].bottom_start_s + reps[k].up_start_s))
        lo, hi = _CUT_YAW[cell.view]
        camera = replace(
            spec.camera,
            yaw_deg=float(rng.integers(lo, hi + 1)),
            distance_m=_r(spec.camera.distance_m * rng.uniform(0.85, 1.0)),
        )
        spec = replace(spec, cut_s=cut_s, cut_camera=camera)
    return spec


def _reps(cell: _Cell, rng: np.random.Generator) -> tuple[RepSpec, ...]:
    tokens = cell.rep_tokens()
    while True:  # a random order that keeps bounce and range_drift off the first rep
        order = [tokens[j] for j in rng.permutation(len(tokens))]
        if not any(t in _NOT_FIRST for t in order[0]):
            break
    # The clip's own clean tempo (seconds), biased to the quick end to keep clips short; each
    # rep varies a little around it.
    up0 = rng.triangular(0.8, 0.9, 2.0)
    tempo0 = (
        rng.triangular(0.3, 0.4, 1.2),
        up0,
        rng.triangular(0.8, 0.9, 2.0),
        rng.triangular(max(1.2, up0 + 0.3), max(1.2, up0 + 0.3) + 0.2, 3.5),
    )
    reps = []
    for toks in order:
        bottom, up, top, down = (float(v) * rng.uniform(0.93, 1.07) for v in tempo0)
        up = _r(min(max(up, 0.8), 2.0))
        # Clean descents stay >= 1.25 s and slower than the concentric (rushed_eccentric's
        # limits are 1.0 s and the concentric's duration); clean holds >= 0.85 s (limit 0.5 s).
        reps.append(
            RepSpec(
                bottom_s=_r(max(bottom, 0.3)),
                up_s=up,
                top_s=_r(max(top, 0.85)),
                down_s=_r(max(down, 1.25, up + 0.25)),
                faults=tuple(dict.fromkeys(code for t in toks for code in _TOKENS[t])),
                shins="far" if "SF" in toks else "close",
            )
        )
    return tuple(reps)


def _colour(
    choices: tuple[tuple[int, int, int], ...], rng: np.random.Generator
) -> tuple[int, int, int]:
    b, g, r = (
        int(np.clip(v + rng.integers(-12, 13), 0, 255))
        for v in choices[int(rng.integers(len(choices)))]
    )
    return (b, g, r)


def _r(x: float) -> float:
    """Round to 0.01 (readable specs)."""
    return round(float(x), 2)
