"""``formcheck synth`` options: parsed into a ClipSpec, and the one-line errors for bad values."""

from __future__ import annotations

import argparse
import json
import shlex
from collections.abc import Callable
from pathlib import Path

import pytest

from formcheck.errors import EXIT_USAGE, ConfigError
from formcheck.synth import ClipSpec
from formcheck.synth.cli_args import add_synth_arguments, run_synth, spec_from_args


def _args(line: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="formcheck synth")
    add_synth_arguments(parser)
    return parser.parse_args(["out", *shlex.split(line)])


def _spec(line: str) -> ClipSpec:
    return spec_from_args(_args(line))


def test_defaults_are_the_spec_defaults() -> None:
    spec = _spec("")
    default = ClipSpec("synth", spec.reps)
    assert spec == default
    assert len(spec.reps) == 3 and all(r.faults == () for r in spec.reps)


@pytest.mark.parametrize(
    ("line", "faults", "shins"),
    [
        # one fault on one rep; the others stay clean
        ("--fault 2:incomplete_lockout", [(), ("incomplete_lockout",), ()], None),
        # two faults on one rep keep the order given; a repeat is dropped
        (
            "--fault 3:bounce --fault 3:rushed_eccentric --fault 3:bounce",
            [(), (), ("bounce", "rushed_eccentric")],
            None,
        ),
        # shins default to "close"; ":far" flips the direction of that rep only
        (
            "--reps 4 --fault 1:shins_not_vertical --fault 4:shins_not_vertical:far",
            [("shins_not_vertical",), (), (), ("shins_not_vertical",)],
            ["close", "close", "close", "far"],
        ),
        # whitespace around the separators is tolerated
        ("--fault ' 1 : neck_craning '", [("neck_craning",), (), ()], None),
    ],
)
def test_faults_land_on_the_right_reps(
    line: str, faults: list[tuple[str, ...]], shins: list[str] | None
) -> None:
    spec = _spec(line)
    assert [r.faults for r in spec.reps] == faults
    if shins is not None:
        assert [r.shins for r in spec.reps] == shins


@pytest.mark.parametrize(
    ("line", "check"),
    [
        # tempo applies to every rep, in bottom, up, top, down order
        (
            "--tempo 0.5,1.2,1,2.5",
            lambda s: all(
                (r.bottom_s, r.up_s, r.top_s, r.down_s) == (0.5, 1.2, 1, 2.5) for r in s.reps
            ),
        ),
        # a timing fault allows the tempo it describes
        (
            "--reps 1 --tempo 0.5,1,0.2,1.5 --fault 1:no_top_pause",
            lambda s: s.reps[0].top_s == 0.2,
        ),
        # camera options
        (
            "--yaw 25 --facing right --distance 3.3 --camera-height 0.6",
            lambda s: (
                (s.camera.yaw_deg, s.camera.facing, s.camera.distance_m, s.camera.height_m)
                == (25, "right", 3.3, 0.6)
                and s.view == "oblique25"
                and s.near_side == "left"
            ),
        ),
        (
            "--yaw 90 --camera-height 1.2 --aim-height 0.3",
            lambda s: (s.camera.aim_height_m, s.view) == (0.3, "front (from the feet)"),
        ),
        # video options
        (
            "--size 640x360 --fps 25 --noise 0 --crf 30 --lead-in 0.5 --lead-out 1",
            lambda s: (
                (s.width, s.height, s.fps, s.noise_sigma, s.crf, s.lead_in_s, s.lead_out_s)
                == (640, 360, 25, 0, 30, 0.5, 1)
            ),
        ),
        # look and naming
        (
            "--name demo --shirt 1,2,3 --shorts 4,5,6 --skin 7,8,9 --background plain "
            "--body-scale 1.2 --seed 7",
            lambda s: (
                (s.name, s.shirt_bgr, s.shorts_bgr, s.skin_bgr, s.background)
                == ("demo", (1, 2, 3), (4, 5, 6), (7, 8, 9), "plain")
                and (s.body_scale, s.seed) == (1.2, 7)
            ),
        ),
        # single-leg without --working-leg: the leg on the camera's side works (free leg far)
        (
            "--variation single_leg_hip_thrust --facing right",
            lambda s: s.working_leg == "left" == s.near_side and s.free_leg == "bent",
        ),
        (
            "--variation single_leg_glute_bridge --working-leg left --free-leg extended "
            "--fault 2:pelvic_tilt_rotation",
            lambda s: (
                (s.working_leg, s.free_leg, s.reps[1].faults)
                == ("left", "extended", ("pelvic_tilt_rotation",))
            ),
        ),
        # an edited clip: cards and a cut to another view, at another distance or the same
        (
            "--title 1.5 --end-card 2 --cut 5 --cut-yaw 20 --cut-distance 2.4 --distance 3",
            lambda s: (
                (s.title_s, s.end_card_s, s.cut_s) == (1.5, 2.0, 5.0)
                and s.cut_camera is not None
                and (s.cut_camera.yaw_deg, s.cut_camera.distance_m) == (20.0, 2.4)
                and (s.camera.yaw_deg, s.camera.distance_m) == (0.0, 3.0)
            ),
        ),
        (
            "--cut 4 --distance 3",
            lambda s: (
                s.cut_camera is not None
                and (s.cut_camera.yaw_deg, s.cut_camera.distance_m) == (25.0, 3.0)
            ),
        ),
    ],
)
def test_options_reach_the_spec(line: str, check: Callable[[ClipSpec], bool]) -> None:
    assert check(_spec(line))


@pytest.mark.parametrize(
    ("line", "names"),
    [
        # bad --fault syntax, unknown code, rep out of range, misplaced direction
        ("--fault incomplete_lockout", "REP:CODE"),
        ("--fault 2-bounce", "REP:CODE"),
        ("--fault 2:knee_cave", "unknown fault code 'knee_cave'"),
        ("--fault 4:bounce", "rep 4 is out of range 1-3"),
        ("--fault 0:bounce", "rep 0 is out of range 1-3"),
        ("--fault 1:bounce:far", "only shins_not_vertical takes a direction"),
        ("--fault 1:shins_not_vertical:sideways", "only shins_not_vertical takes a direction"),
        (
            "--fault 1:shins_not_vertical:far --fault 1:shins_not_vertical:close",
            "already has the other direction",
        ),
        # bad numbers
        ("--size 960", "--size '960': expected WIDTHxHEIGHT"),
        ("--size 961x540", "even and at least 64"),
        ("--tempo 1,2,3", "--tempo '1,2,3': expected 4"),
        ("--tempo a,b,c,d", "expected 4 comma-separated numbers"),
        ("--shirt 1,2", "--shirt '1,2': expected 3"),
        ("--skin 0,0,300", "whole number 0-255"),
        ("--reps 0", "--reps must be at least 1"),
        ("--yaw nan", "--yaw must be a finite number"),
        ("--cut inf", "--cut must be a finite number"),
        ("--title 2 --cut 1", "cut_s must be after the title card"),
        # ClipSpec/RepSpec validation, passed on as ConfigError with its message
        ("--tempo 0.8,1,1.5,0.6", "rep 1: down_s=0.6 s looks rushed"),
        ("--fault 2:knees_caving --variation single_leg_hip_thrust --working-leg left", "two-leg"),
        ("--working-leg left", "working_leg is only for single-leg variations"),
        ("--yaw 95", "yaw_deg must be within [-90, 90]"),
        ("--crf 60", "crf must be within [0, 51]"),
        ("--body-scale 3", "body_scale must be within [0.5, 1.5]"),
        ("--name a/b", "name must be a plain file stem"),
    ],
)
def test_user_errors_are_one_line_config_errors(line: str, names: str) -> None:
    with pytest.raises(ConfigError) as info:
        _spec(line)
    message = str(info.value)
    assert names in message
    assert "\n" not in message
    assert info.value.exit_code == EXIT_USAGE


def test_run_synth_renders_one_clip(tmp_path: Path) -> None:
    args = _args("--reps 1 --size 96x64 --fps 5 --tempo 0.2,0.8,0.8,1.2 --no-progress")
    args.out_dir = tmp_path
    entries = run_synth(args)
    assert [e["file"] for e in entries] == ["synth.mp4"]
    assert (tmp_path / "synth_gt.npz").exists()
    assert json.loads((tmp_path / "labels.json").read_text()) == entries


def test_run_synth_rejects_zero_workers() -> None:
    args = _args("--workers 0")
    with pytest.raises(ConfigError, match="--workers must be at least 1"):
        run_synth(args)


def test_run_synth_renders_only_the_benchmark_clips_asked_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import formcheck.synth.cli_args as cli_args
    from formcheck.synth.benchmark import benchmark_specs

    rendered: list[str] = []

    def fake_render(specs: list[ClipSpec], *_: object, **__: object) -> list[dict[str, str]]:
        rendered.extend(s.name for s in specs)
        return []

    monkeypatch.setattr(cli_args, "render_clips", fake_render)
    args = _args("--benchmark --only _cutcards --no-progress")
    args.out_dir = tmp_path
    run_synth(args)
    assert rendered == [s.name for s in benchmark_specs() if "_cutcards" in s.name]
    assert len(rendered) == 2
    with pytest.raises(ConfigError, match="no benchmark clip name contains 'nothing_like_this'"):
        run_synth(_args("--benchmark --only nothing_like_this"))
    rendered.clear()
    args = _args("--benchmark frontal --only _head --no-progress")
    args.out_dir = tmp_path
    run_synth(args)
    assert rendered == [s.name for s in benchmark_specs(frontal=True) if "_head" in s.name]
    assert len(rendered) == 6
