"""Options of ``formcheck synth OUT_DIR``: add them to a parser, turn them into a ClipSpec, render.

The CLI owns the subcommand and the printing; this module owns what the options mean. Mistakes a
user can make in an option value raise :class:`formcheck.errors.ConfigError` with one line that
names the option.
"""

from __future__ import annotations

import argparse
import logging
import math
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from formcheck.errors import ConfigError
from formcheck.synth.benchmark import benchmark_specs
from formcheck.synth.render import render_clips
from formcheck.synth.spec import (
    BACKGROUNDS,
    FAULT_CODES,
    FREE_LEG_POSES,
    LOADS,
    SHIN_DIRECTIONS,
    VARIATIONS,
    CameraSpec,
    ClipSpec,
    RepSpec,
)

log = logging.getLogger(__name__)

# Defaults come from the specs themselves so the help text cannot drift from them.
_REP = RepSpec()
_CAM = CameraSpec()
_CLIP = ClipSpec("default", (_REP,))


def add_synth_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``formcheck synth OUT_DIR`` to ``parser`` (a subparser)."""
    p = parser
    p.add_argument("out_dir", type=Path, help="folder for the clip(s), *_gt.npz and labels.json")
    p.add_argument("--name", default="synth", help="clip file stem (default: %(default)s)")
    p.add_argument("--reps", type=int, default=3, metavar="N", help="repetitions (default: 3)")
    p.add_argument(
        "--tempo",
        metavar="B,U,T,D",
        help="seconds at the bottom, going up, at the top, going down (default: "
        f"{_REP.bottom_s:g},{_REP.up_s:g},{_REP.top_s:g},{_REP.down_s:g})",
    )
    p.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="REP:CODE",
        help="put a fault on rep REP (from 1); repeatable. CODE is one of "
        f"{', '.join(FAULT_CODES)}; shins_not_vertical:far for feet too far (default close)",
    )
    p.add_argument(
        "--variation", choices=VARIATIONS, default=_CLIP.variation, help="default: %(default)s"
    )
    p.add_argument(
        "--load",
        choices=LOADS,
        default=_CLIP.load,
        help="what rests on the hips: a barbell with 45 cm plates or a dumbbell, hiding the near "
        "hip as real ones do (default: %(default)s)",
    )
    p.add_argument(
        "--working-leg",
        choices=("left", "right"),
        help="single-leg variations: the leg on the floor (default: the side facing the camera)",
    )
    p.add_argument(
        "--free-leg",
        choices=FREE_LEG_POSES,
        default=_CLIP.free_leg,
        help="single-leg variations: how the other leg is held (default: %(default)s)",
    )
    cam = p.add_argument_group("camera")
    cam.add_argument(
        "--yaw",
        type=float,
        default=_CAM.yaw_deg,
        metavar="DEG",
        help=(
            "0 = side view; positive turns towards the feet, negative towards the head; "
            "+-90 looks along the body (from the feet / the head)"
        ),
    )
    cam.add_argument(
        "--facing",
        choices=("left", "right"),
        default=_CAM.facing,
        help="where the head points in the image (default: %(default)s)",
    )
    cam.add_argument(
        "--distance",
        type=float,
        default=_CAM.distance_m,
        metavar="M",
        help="metres (default: %(default)s)",
    )
    cam.add_argument(
        "--camera-height",
        type=float,
        default=_CAM.height_m,
        metavar="M",
        help="metres above the floor (default: %(default)s)",
    )
    cam.add_argument(
        "--aim-height",
        type=float,
        default=None,
        metavar="M",
        help="aim at the body this high, metres (default: level, at the camera's height)",
    )
    cut = p.add_argument_group("shots and cards (messy clips)")
    cut.add_argument(
        "--cut",
        type=float,
        default=None,
        metavar="S",
        help="a camera cut this many seconds into the clip, to the view of --cut-yaw",
    )
    cut.add_argument(
        "--cut-yaw",
        type=float,
        default=25.0,
        metavar="DEG",
        help="the view after the cut, as --yaw (default: %(default)s)",
    )
    cut.add_argument(
        "--cut-distance",
        type=float,
        default=None,
        metavar="M",
        help="camera distance after the cut (default: as before it)",
    )
    cut.add_argument(
        "--title", type=float, default=_CLIP.title_s, metavar="S", help="seconds of title card"
    )
    cut.add_argument(
        "--end-card",
        type=float,
        default=_CLIP.end_card_s,
        metavar="S",
        help="seconds of black end card",
    )
    video = p.add_argument_group("video")
    video.add_argument(
        "--size",
        default=f"{_CLIP.width}x{_CLIP.height}",
        metavar="WxH",
        help="default: %(default)s",
    )
    video.add_argument("--fps", type=float, default=_CLIP.fps, help="default: %(default)s")
    video.add_argument(
        "--noise",
        type=float,
        default=_CLIP.noise_sigma,
        metavar="SIGMA",
        help="pixel noise, grey levels (default: %(default)s)",
    )
    video.add_argument(
        "--crf", type=int, default=_CLIP.crf, help="H.264 quality, 0-51 (default: %(default)s)"
    )
    video.add_argument(
        "--lead-in", type=float, default=_CLIP.lead_in_s, metavar="S", help="seconds before rep 1"
    )
    video.add_argument(
        "--lead-out",
        type=float,
        default=_CLIP.lead_out_s,
        metavar="S",
        help="seconds after the last rep",
    )
    look = p.add_argument_group("look")
    look.add_argument(
        "--body-scale",
        type=float,
        default=_CLIP.body_scale,
        metavar="X",
        help="0.5-1.5 (default: 1)",
    )
    look.add_argument(
        "--shirt", metavar="B,G,R", help=f"colour, default {_bgr_text(_CLIP.shirt_bgr)}"
    )
    look.add_argument(
        "--shorts", metavar="B,G,R", help=f"colour, default {_bgr_text(_CLIP.shorts_bgr)}"
    )
    look.add_argument(
        "--skin", metavar="B,G,R", help=f"colour, default {_bgr_text(_CLIP.skin_bgr)}"
    )
    look.add_argument(
        "--background", choices=BACKGROUNDS, default=_CLIP.background, help="default: %(default)s"
    )
    p.add_argument("--seed", type=int, default=0, help="noise and scene seed (default: 0)")
    p.add_argument(
        "--benchmark",
        nargs="?",
        const="main",
        choices=("main", "frontal"),
        help=(
            "ignore the clip options and render a tune/test benchmark set: main (side and "
            "oblique views) or frontal (from the feet, the head and 60-75 deg obliques: "
            "pelvis and knees); --seed and --fps apply"
        ),
    )
    p.add_argument(
        "--only",
        metavar="TEXT",
        help="with --benchmark: only the clips whose names contain TEXT (e.g. _cut, obl4, _bb)",
    )
    p.add_argument("--workers", type=int, metavar="N", help="processes (default: all cores)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")


def spec_from_args(args: argparse.Namespace) -> ClipSpec:
    """The single clip the options describe; ConfigError (one line) for a bad value."""
    if args.reps < 1:
        raise ConfigError(f"--reps must be at least 1, got {args.reps}")
    for option in _FLOAT_OPTIONS:
        value = getattr(args, option.lstrip("-").replace("-", "_"))
        if not math.isfinite(value):
            raise ConfigError(f"{option} must be a finite number, got {value}")
    for option in ("--cut", "--cut-distance"):
        value = getattr(args, option.lstrip("-").replace("-", "_"))
        if value is not None and not math.isfinite(value):
            raise ConfigError(f"{option} must be a finite number, got {value}")
    bottom, up, top, down = (
        _floats(args.tempo, 4, "--tempo", "B,U,T,D")
        if args.tempo is not None
        else (_REP.bottom_s, _REP.up_s, _REP.top_s, _REP.down_s)
    )
    faults, shins = _parse_faults(args.fault, args.reps)
    reps = []
    for k in range(args.reps):
        try:
            reps.append(RepSpec(bottom, up, top, down, faults=tuple(faults[k]), shins=shins[k]))
        except ValueError as err:
            raise ConfigError(f"rep {k + 1}: {err}") from None
    width, height = _size(args.size)
    working_leg = args.working_leg
    try:
        camera = CameraSpec(
            yaw_deg=args.yaw,
            facing=args.facing,
            distance_m=args.distance,
            height_m=args.camera_height,
            aim_height_m=args.aim_height,
        )
        cut_camera = None
        if args.cut is not None:
            cut_camera = replace(
                camera,
                yaw_deg=args.cut_yaw,
                distance_m=camera.distance_m if args.cut_distance is None else args.cut_distance,
            )
        if working_leg is None and args.variation.startswith("single_leg"):
            # Free leg on the far side: the layout pose models track best (SYNTH.md).
            working_leg = "right" if camera.facing == "left" else "left"
        return ClipSpec(
            name=args.name,
            reps=tuple(reps),
            variation=args.variation,
            load=args.load,
            working_leg=working_leg,
            free_leg=args.free_leg,
            camera=camera,
            width=width,
            height=height,
            fps=args.fps,
            lead_in_s=args.lead_in,
            lead_out_s=args.lead_out,
            cut_s=args.cut,
            cut_camera=cut_camera,
            title_s=args.title,
            end_card_s=args.end_card,
            body_scale=args.body_scale,
            shirt_bgr=_bgr(args.shirt, "--shirt", _CLIP.shirt_bgr),
            shorts_bgr=_bgr(args.shorts, "--shorts", _CLIP.shorts_bgr),
            skin_bgr=_bgr(args.skin, "--skin", _CLIP.skin_bgr),
            background=args.background,
            noise_sigma=args.noise,
            seed=args.seed,
            crf=args.crf,
        )
    except ValueError as err:
        raise ConfigError(str(err)) from None


def run_synth(args: argparse.Namespace) -> list[dict[str, Any]]:
    """Render what the options ask for into ``args.out_dir``; return the labels.json entries."""
    if args.benchmark:
        frontal = args.benchmark == "frontal"
        specs = [
            s
            for s in benchmark_specs(seed=args.seed, frontal=frontal)
            if (args.only or "") in s.name
        ]
        if not specs:
            raise ConfigError(f"no benchmark clip name contains {args.only!r}")
        if args.fps != _CLIP.fps:  # the same set at another frame rate (frame stride tests)
            specs = [replace(s, fps=args.fps) for s in specs]
        log.info("rendering the benchmark set: %d clips into %s", len(specs), args.out_dir)
    else:
        specs = [spec_from_args(args)]
    if args.workers is not None and args.workers < 1:
        raise ConfigError(f"--workers must be at least 1, got {args.workers}")
    return render_clips(specs, args.out_dir, workers=args.workers, progress=not args.no_progress)


_FLOAT_OPTIONS = (
    "--yaw",
    "--distance",
    "--camera-height",
    "--fps",
    "--noise",
    "--lead-in",
    "--lead-out",
    "--cut-yaw",
    "--title",
    "--end-card",
    "--body-scale",
)
_FAULT_RE = re.compile(r"^\s*(\d+)\s*:\s*([a-z_]+)\s*(?::\s*([a-z]+)\s*)?$")


def _parse_faults(items: list[str], n_reps: int) -> tuple[list[list[str]], list[str]]:
    """Per rep (0-based): fault codes, and the shins direction."""
    faults: list[list[str]] = [[] for _ in range(n_reps)]
    shins = [_REP.shins] * n_reps
    for item in items:
        m = _FAULT_RE.match(item)
        if m is None:
            raise ConfigError(f"--fault {item!r}: expected REP:CODE, e.g. 2:incomplete_lockout")
        rep, code, direction = int(m.group(1)), m.group(2), m.group(3)
        if code not in FAULT_CODES:
            raise ConfigError(
                f"--fault {item!r}: unknown fault code {code!r}; one of {', '.join(FAULT_CODES)}"
            )
        if not 1 <= rep <= n_reps:
            raise ConfigError(f"--fault {item!r}: rep {rep} is out of range 1-{n_reps} (--reps)")
        if direction is not None:
            if code != "shins_not_vertical" or direction not in SHIN_DIRECTIONS:
                raise ConfigError(
                    f"--fault {item!r}: only shins_not_vertical takes a direction "
                    f"({' or '.join(SHIN_DIRECTIONS)})"
                )
            if code in faults[rep - 1] and shins[rep - 1] != direction:
                raise ConfigError(f"--fault {item!r}: rep {rep} already has the other direction")
            shins[rep - 1] = direction
        elif code == "shins_not_vertical" and code in faults[rep - 1] and shins[rep - 1] != "close":
            raise ConfigError(f"--fault {item!r}: rep {rep} already has the other direction")
        if code not in faults[rep - 1]:
            faults[rep - 1].append(code)
    return faults, shins


def _floats(text: str, n: int, option: str, form: str) -> tuple[float, ...]:
    parts = text.split(",")
    try:
        values = tuple(float(v) for v in parts)
    except ValueError:
        values = ()
    if len(values) != n or not all(math.isfinite(v) for v in values):
        raise ConfigError(f"{option} {text!r}: expected {n} comma-separated numbers {form}")
    return values


def _size(text: str) -> tuple[int, int]:
    m = re.fullmatch(r"\s*(\d+)\s*[xX]\s*(\d+)\s*", text)
    if m is None:
        raise ConfigError(f"--size {text!r}: expected WIDTHxHEIGHT, e.g. 960x540")
    width, height = int(m.group(1)), int(m.group(2))
    if width % 2 or height % 2 or width < 64 or height < 64:
        raise ConfigError(f"--size {text!r}: width and height must be even and at least 64")
    return width, height


def _bgr(text: str | None, option: str, default: tuple[int, int, int]) -> tuple[int, int, int]:
    if text is None:
        return default
    values = _floats(text, 3, option, "B,G,R")
    if not all(v.is_integer() and 0 <= v <= 255 for v in values):
        raise ConfigError(f"{option} {text!r}: each of B,G,R must be a whole number 0-255")
    b, g, r = (int(v) for v in values)
    return (b, g, r)


def _bgr_text(c: tuple[int, int, int]) -> str:
    return ",".join(str(v) for v in c)
