"""What to render: frozen, validated specs of a repetition, a camera and a clip.

Phase durations are seconds; distances metres; angles degrees. Fault codes are the strings of
``FAULT_CODES`` (see ../shared/docs/FAULTS.md); the magnitudes the renderer gives each fault are
the constants of :mod:`formcheck.synth.faults`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Fault codes the renderer can put into a rep (a subset of the project's twelve codes).
FAULT_CODES: tuple[str, ...] = (
    "incomplete_lockout",
    "lumbar_hyperextension",
    "rushed_eccentric",
    "no_top_pause",
    "bounce",
    "shins_not_vertical",
    "neck_craning",
    "heels_lifting",
    "pelvic_tilt_rotation",
    "knees_caving",
    "range_drift",
)
VARIATIONS: tuple[str, ...] = (
    "hip_thrust",
    "glute_bridge",
    "single_leg_hip_thrust",
    "single_leg_glute_bridge",
)
SHIN_DIRECTIONS: tuple[str, ...] = ("close", "far")
FREE_LEG_POSES: tuple[str, ...] = ("bent", "extended")
BACKGROUNDS: tuple[str, ...] = ("wall", "plain")
LOADS: tuple[str, ...] = ("none", "barbell", "dumbbell")

#: Camera yaw (deg) from which a view counts as looking along the body (from the feet or head).
FRONTAL_MIN_YAW_DEG = 80

# Clean reps must stay clearly inside the analyzer's thresholds (FAULTS.md), else labels would lie.
CLEAN_MIN_DOWN_S = 1.2  # rushed_eccentric threshold is 1.0 s (seeds 000, 001)
CLEAN_MIN_TOP_S = 0.8  # no_top_pause threshold is 0.5 s (seed 001: hold 1-2 s)


@dataclass(frozen=True)
class RepSpec:
    """One repetition: bottom pause, concentric (up), top hold, eccentric (down).

    Faults that are about timing override the durations: ``rushed_eccentric`` sets the descent,
    ``no_top_pause`` the hold, ``bounce`` the bottom pause. ``shins`` says which way
    ``shins_not_vertical`` goes: "close" = feet too close (knees ahead of the ankles), "far" = feet
    too far (ankles ahead of the knees).
    """

    bottom_s: float = 0.8
    up_s: float = 1.0
    top_s: float = 1.5
    down_s: float = 1.6
    faults: tuple[str, ...] = ()
    shins: str = "close"

    def __post_init__(self) -> None:
        unknown = sorted(set(self.faults) - set(FAULT_CODES))
        if unknown:
            raise ValueError(f"unknown fault code(s) {unknown}; allowed: {list(FAULT_CODES)}")
        if self.shins not in SHIN_DIRECTIONS:
            raise ValueError(f"shins must be one of {SHIN_DIRECTIONS}, got {self.shins!r}")
        for name in ("bottom_s", "up_s", "top_s", "down_s"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)}")
        if self.up_s <= 0:
            raise ValueError("up_s must be > 0")
        if "rushed_eccentric" not in self.faults and self.down_s < CLEAN_MIN_DOWN_S:
            raise ValueError(
                f"down_s={self.down_s} s looks rushed (< {CLEAN_MIN_DOWN_S} s); "
                "add 'rushed_eccentric' to faults or slow the descent"
            )
        if "no_top_pause" not in self.faults and self.top_s < CLEAN_MIN_TOP_S:
            raise ValueError(
                f"top_s={self.top_s} s is too short a hold (< {CLEAN_MIN_TOP_S} s); "
                "add 'no_top_pause' to faults or hold longer"
            )


@dataclass(frozen=True)
class CameraSpec:
    """Pinhole camera looking at the figure's side.

    ``yaw_deg`` 0 is a pure side view; positive turns the camera towards the feet end (oblique),
    90 looks from the feet along the body, -90 from the head. ``facing`` is where the head points
    in the image (for views from the feet or head: which side the camera starts from). The camera
    stands ``height_m`` above the floor and aims at a point ``aim_height_m`` up above the pivot
    (None: level, at its own height). ``focal_px`` None means 1.04 x image width (about 1000 px
    at 960x540).
    """

    yaw_deg: float = 0.0
    facing: str = "left"
    distance_m: float = 2.9
    height_m: float = 0.45
    focal_px: float | None = None
    aim_height_m: float | None = None

    def __post_init__(self) -> None:
        if self.facing not in ("left", "right"):
            raise ValueError(f"facing must be 'left' or 'right', got {self.facing!r}")
        if not -90.0 <= self.yaw_deg <= 90.0:
            raise ValueError(f"yaw_deg must be within [-90, 90], got {self.yaw_deg}")
        if self.aim_height_m is not None and not 0.0 <= self.aim_height_m <= self.height_m:
            raise ValueError(
                f"aim_height_m must be within [0, height_m={self.height_m}], "
                f"got {self.aim_height_m}"
            )
        if self.distance_m <= 0.5:
            raise ValueError(f"distance_m must be > 0.5, got {self.distance_m}")


@dataclass(frozen=True)
class ClipSpec:
    """A whole clip: reps, exercise variation, camera, figure look and video settings.

    ``load`` is what rests on the hips (`formcheck.synth.load`): "none", "barbell" (45 cm
    plates) or "dumbbell". Colours are BGR uint8 triples. ``free_leg`` is how the non-working
    leg is held on single-leg variations ("bent" = knee bent, thigh raised; "extended" =
    straight leg).

    Edited clips: from ``cut_s`` seconds into the clip the set is filmed by ``cut_camera`` (a
    camera cut joining two shots of one set); ``title_s`` opens the clip on a title card and
    ``end_card_s`` closes it on a black end card, frames without the lifter as phone edits have.
    """

    name: str
    reps: tuple[RepSpec, ...]
    variation: str = "hip_thrust"
    load: str = "none"
    working_leg: str | None = None
    free_leg: str = "bent"
    camera: CameraSpec = field(default_factory=CameraSpec)
    width: int = 960
    height: int = 540
    fps: float = 30.0
    lead_in_s: float = 0.0
    lead_out_s: float = 0.0
    cut_s: float | None = None
    cut_camera: CameraSpec | None = None
    title_s: float = 0.0
    end_card_s: float = 0.0
    body_scale: float = 1.0
    shirt_bgr: tuple[int, int, int] = (130, 60, 25)
    shorts_bgr: tuple[int, int, int] = (30, 30, 34)
    skin_bgr: tuple[int, int, int] = (70, 105, 150)
    background: str = "wall"
    noise_sigma: float = 2.0
    seed: int = 0
    crf: int = 23

    def __post_init__(self) -> None:
        if not self.name or "/" in self.name:
            raise ValueError(f"name must be a plain file stem, got {self.name!r}")
        if not self.reps:
            raise ValueError("a clip needs at least one rep")
        if self.variation not in VARIATIONS:
            raise ValueError(f"variation must be one of {VARIATIONS}, got {self.variation!r}")
        single = self.variation.startswith("single_leg")
        if single and self.working_leg not in ("left", "right"):
            raise ValueError(f"{self.variation} needs working_leg 'left' or 'right'")
        if not single and self.working_leg is not None:
            raise ValueError(f"working_leg is only for single-leg variations, not {self.variation}")
        if self.load not in LOADS:
            raise ValueError(f"load must be one of {LOADS}, got {self.load!r}")
        if self.free_leg not in FREE_LEG_POSES:
            raise ValueError(f"free_leg must be one of {FREE_LEG_POSES}, got {self.free_leg!r}")
        if single and any("knees_caving" in r.faults for r in self.reps):
            raise ValueError("knees_caving is rendered on two-leg variations only")
        if self.width % 2 or self.height % 2 or self.width < 64 or self.height < 64:
            raise ValueError(
                f"width and height must be even and >= 64, got {self.width}x{self.height}"
            )
        if self.fps <= 0:
            raise ValueError(f"fps must be > 0, got {self.fps}")
        if self.lead_in_s < 0 or self.lead_out_s < 0:
            raise ValueError("lead_in_s and lead_out_s must be >= 0")
        if (self.cut_s is None) != (self.cut_camera is None):
            raise ValueError("cut_s and cut_camera go together")
        if self.cut_s is not None and self.cut_s <= self.title_s:
            raise ValueError(f"cut_s must be after the title card, got {self.cut_s}")
        if self.cut_camera is not None and self.cut_camera.facing != self.camera.facing:
            raise ValueError("a cut keeps the camera on the same side (facing) of the lifter")
        if self.title_s < 0 or self.end_card_s < 0:
            raise ValueError("title_s and end_card_s must be >= 0")
        if not 0.5 <= self.body_scale <= 1.5:
            raise ValueError(f"body_scale must be within [0.5, 1.5], got {self.body_scale}")
        if self.background not in BACKGROUNDS:
            raise ValueError(f"background must be one of {BACKGROUNDS}, got {self.background!r}")
        if self.noise_sigma < 0:
            raise ValueError("noise_sigma must be >= 0")
        if not 0 <= self.crf <= 51:
            raise ValueError(f"crf must be within [0, 51], got {self.crf}")

    @property
    def single_leg(self) -> bool:
        return self.variation.startswith("single_leg")

    @property
    def on_bench(self) -> bool:
        """Shoulders on a bench (hip thrust) rather than on the floor (glute bridge)."""
        return self.variation.endswith("hip_thrust")

    @property
    def near_side(self) -> str:
        """The body side facing the camera, in MediaPipe's terms (the person's own left/right)."""
        # Lying face up with the head to the image's left, the person's right side faces us.
        return "right" if self.camera.facing == "left" else "left"

    @property
    def view(self) -> str:
        """labels.json view: "side", "oblique25" (turned to the feet), "oblique25_head", "front
        (from the feet)" and "from the head" (within 10 degrees of looking along the body)."""
        yaw = round(self.camera.yaw_deg)
        if yaw == 0:
            return "side"
        if abs(yaw) >= FRONTAL_MIN_YAW_DEG:
            return "front (from the feet)" if yaw > 0 else "from the head"
        return f"oblique{yaw}" if yaw > 0 else f"oblique{-yaw}_head"
