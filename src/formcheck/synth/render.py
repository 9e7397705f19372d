"""Render labelled synthetic clips: mp4 + per-frame truth (npz) + a labels.json entry."""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from formcheck.landmarks.names import N_LANDMARKS
from formcheck.synth.body import Palette, body_capsules, landmarks_m
from formcheck.synth.camera import Camera, make_camera
from formcheck.synth.load import LOAD_LABELS, bar_axis_m, draw_load, load_parts
from formcheck.synth.motion import Timeline, build_timeline, rig_for
from formcheck.synth.raster import draw_capsules
from formcheck.synth.scene import Stage, apply_shadow, build_stage, figure_shadow
from formcheck.synth.skeleton import FrameState, Rig, build_skeleton
from formcheck.synth.spec import FAULT_CODES, ClipSpec
from formcheck.synth.truth import (
    hip_angle_deg,
    knee_ankle_ratio,
    pelvic_obliquity_deg,
    pelvic_rotation_deg,
    shin_deg,
)
from formcheck.video.writer import VideoSink

log = logging.getLogger(__name__)

SUPERSAMPLE = 2  # render at 2x and downscale (anti-aliasing)


@dataclass(frozen=True)
class _Shot:
    """One camera's view of the set: before a cut, or after it."""

    camera: Camera  # output resolution
    camera_ss: Camera  # supersampled render resolution
    stage: Stage


@dataclass(frozen=True)
class _Clip:
    """Everything fixed for one clip's frames."""

    spec: ClipSpec
    rig: Rig
    shots: tuple[_Shot, ...]  # indexed by Timeline.shot
    palette: Palette
    timeline: Timeline


def _cameras(spec: ClipSpec) -> tuple[Camera, ...]:
    """The clip's cameras at output resolution: the first, and the one after a cut."""
    specs = (spec.camera,) if spec.cut_camera is None else (spec.camera, spec.cut_camera)
    return tuple(make_camera(c, spec.width, spec.height) for c in specs)


def _prepare(spec: ClipSpec) -> _Clip:
    rig = rig_for(spec)
    palette = Palette(
        skin_bgr=_f3(spec.skin_bgr), shirt_bgr=_f3(spec.shirt_bgr), shorts_bgr=_f3(spec.shorts_bgr)
    )
    shots = []
    for cam in _cameras(spec):
        cam_ss = cam.scaled(SUPERSAMPLE)
        stage = build_stage(cam_ss, spec.on_bench, spec.background, spec.seed)
        shots.append(_Shot(cam, cam_ss, stage))
    return _Clip(spec, rig, tuple(shots), palette, build_timeline(spec))


def _f3(c: tuple[int, int, int]) -> tuple[float, float, float]:
    return (float(c[0]), float(c[1]), float(c[2]))


def _frame_state(tl: Timeline, i: int) -> FrameState:
    return FrameState(
        h=float(tl.h[i]),
        arch_w=float(tl.arch_w[i]),
        crane_w=float(tl.crane_w[i]),
        heel_w=float(tl.heel_w[i]),
        pelvis_w=float(tl.pelvis_w[i]),
        shin_sign=float(tl.shin_sign[i]),
        knees_w=float(tl.knees_w[i]),
    )


def render_frame(clip: _Clip, i: int) -> np.ndarray:
    """Frame i as an (H, W, 3) uint8 BGR image."""
    k = int(clip.timeline.shot[i])
    if k < 0:
        return card_frame(clip.spec, end=bool(clip.timeline.t_s[i] >= clip.spec.title_s))
    shot = clip.shots[k]
    sk = build_skeleton(clip.rig, _frame_state(clip.timeline, i))
    far = "left" if clip.spec.near_side == "right" else "right"
    caps = body_capsules(sk, clip.palette, clip.spec.body_scale, far_side=far)
    canvas = shot.stage.canvas.copy()
    apply_shadow(canvas, shot.stage.floor_w, figure_shadow(shot.camera_ss, caps))
    draw_capsules(canvas, caps)
    load = load_parts(sk, clip.spec.load, clip.spec.body_scale, _near_z(shot.camera))
    if load is not None:
        draw_load(canvas, load)
    size = (clip.spec.width, clip.spec.height)
    small = np.asarray(
        cv2.resize(canvas.color, size, interpolation=cv2.INTER_AREA), dtype=np.float32
    )
    if clip.spec.noise_sigma > 0:
        # One-channel view so mean and sigma apply to every sample; reseeded per frame so frames
        # are reproducible in any worker (cv2's RNG is much faster than numpy's here).
        noise = np.empty((small.shape[0], small.size // small.shape[0]), np.float32)
        cv2.setRNGSeed((clip.spec.seed * 1_000_003 + i) & 0x7FFFFFFF)
        cv2.randn(noise, np.zeros(1), np.full(1, float(clip.spec.noise_sigma)))
        small += noise.reshape(small.shape)
    out: np.ndarray = cv2.convertScaleAbs(small)  # rounds and saturates to uint8 (values >= 0)
    return out


#: Title card: white text on a dark slate background; the end card is black.
TITLE_BGR = (60, 45, 35)
TITLE_TEXT = ("HIP THRUST", "SET 1")


def card_frame(spec: ClipSpec, end: bool) -> np.ndarray:
    """A frame without the lifter: the opening title card, or the black end card."""
    img = np.zeros((spec.height, spec.width, 3), np.uint8)
    if end:
        return img
    img[:] = TITLE_BGR
    scale = spec.height / 360.0
    for k, text in enumerate(TITLE_TEXT):
        (w, _h), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_DUPLEX, 1.6 * scale, 2)
        org = ((spec.width - w) // 2, int(spec.height * (0.45 + 0.15 * k)))
        cv2.putText(
            img, text, org, cv2.FONT_HERSHEY_DUPLEX, 1.6 * scale, (235, 235, 235), 2, cv2.LINE_AA
        )
    return img


def _near_z(cam: Camera) -> float:
    """+1 or -1: the side of the body's mid-plane the camera is on."""
    return 1.0 if cam.centre_m[2] >= 0 else -1.0


def ground_truth(spec: ClipSpec) -> dict[str, np.ndarray]:
    """Per-frame truth without drawing: the arrays of ``{name}_gt.npz``.

    h (T,), rep (T,) 0-based or -1, phase (T,) str, gt_px (T, 33, 2) true landmark pixels (NaN for
    landmarks the figure lacks, and on title and end cards), shot (T,) the camera (0, 1 after a
    cut, -1 on a card), hip_angle_deg (T,) and shin_deg (T,) on the near side, gt_world_m
    (T, 33, 3) the landmarks in the world frame (metres: x head to feet, y up, z the person's
    right), pelvic_obliquity_deg, pelvic_rotation_deg and knee_ankle_ratio (T,) from them (see
    :mod:`formcheck.synth.truth` for their sign conventions). Single-leg clips add
    working_hip_angle_deg and working_shin_deg, measured on the working leg's side. A clip with
    a load adds bar_px (T, 2), where the bar's axis meets the near plate's (or dumbbell head's)
    outer face in the image, and bar_height_m (T,), the bar's height above the floor.
    """
    tl = build_timeline(spec)
    rig = rig_for(spec)
    cams = _cameras(spec)
    gt = np.full((tl.n_frames, N_LANDMARKS, 2), np.nan)
    world = np.full((tl.n_frames, N_LANDMARKS, 3), np.nan)
    bar_px = np.full((tl.n_frames, 2), np.nan)
    bar_height_m = np.full(tl.n_frames, np.nan)
    for i in range(tl.n_frames):
        if tl.shot[i] < 0:
            continue
        cam = cams[int(tl.shot[i])]
        sk = build_skeleton(rig, _frame_state(tl, i))
        lm = landmarks_m(sk, spec.body_scale)
        have = ~np.isnan(lm[:, 0])
        gt[i, have] = cam.project(lm[have])[0]
        world[i] = lm
        load = load_parts(sk, spec.load, spec.body_scale, _near_z(cam))
        if load is not None:
            bar_px[i] = cam.project(load.bar_m[None])[0][0]
            bar_height_m[i] = bar_axis_m(sk, spec.body_scale)[1]
    head_left = spec.camera.facing == "left"
    out = {
        "h": tl.h,
        "rep": tl.rep,
        "phase": tl.phase,
        "gt_px": gt,
        "shot": tl.shot,
        "hip_angle_deg": hip_angle_deg(gt, spec.near_side),
        "shin_deg": shin_deg(gt, spec.near_side, head_left=head_left),
        "gt_world_m": world,
        "pelvic_obliquity_deg": pelvic_obliquity_deg(world),
        "pelvic_rotation_deg": pelvic_rotation_deg(world),
        "knee_ankle_ratio": knee_ankle_ratio(world),
    }
    if spec.working_leg is not None:
        out["working_hip_angle_deg"] = hip_angle_deg(gt, spec.working_leg)
        out["working_shin_deg"] = shin_deg(gt, spec.working_leg, head_left=head_left)
    if spec.load != "none":
        out["bar_px"], out["bar_height_m"] = bar_px, bar_height_m
    return out


def iter_frames(spec: ClipSpec) -> Iterator[np.ndarray]:
    """Yield every frame of a clip (BGR uint8), in order."""
    clip = _prepare(spec)
    for i in range(clip.timeline.n_frames):
        yield render_frame(clip, i)


def render_clip(spec: ClipSpec, out_dir: Path) -> dict[str, Any]:
    """Write ``{name}.mp4`` and ``{name}_gt.npz`` into out_dir; return the labels.json entry."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    clip = _prepare(spec)
    with VideoSink(
        out_dir / f"{spec.name}.mp4", spec.width, spec.height, spec.fps, crf=spec.crf
    ) as sink:
        for i in range(clip.timeline.n_frames):
            sink.write(render_frame(clip, i))
    truth: dict[str, Any] = dict(ground_truth(spec))
    np.savez_compressed(out_dir / f"{spec.name}_gt.npz", **truth)
    log.info("rendered %s: %d frames, %d reps", spec.name, clip.timeline.n_frames, len(spec.reps))
    return labels_entry(spec, clip.timeline)


def labels_entry(spec: ClipSpec, tl: Timeline) -> dict[str, Any]:
    """The clip's labels.json object (format: ../shared/README.md)."""
    entry: dict[str, Any] = {
        "file": f"{spec.name}.mp4",
        "exercise": spec.variation,
        "load": LOAD_LABELS[spec.load],
        "view": spec.view,
        "confidence": "high",
        "reps": len(tl.reps),
        "rep_details": [
            {
                "index": k + 1,
                "start_s": round(r.bottom_start_s, 3),
                "end_s": round(r.end_s, 3),
                "lockout_s": round(r.lockout_s, 3),
                "faults": [c for c in FAULT_CODES if c in r.faults],
            }
            for k, r in enumerate(tl.reps)
        ],
        "faults_checked": list(FAULT_CODES),
        "fps": spec.fps,
        "mirrored": False,
        "near_side": spec.near_side,
    }
    cuts = shot_changes(tl)
    if cuts:
        entry["cuts_s"] = cuts
        entry["notes"] = "; ".join(_notes(spec))
    if spec.working_leg is not None:
        entry["working_leg"] = spec.working_leg
    return entry


def shot_changes(tl: Timeline) -> list[float]:
    """Times (s) of the first frame of each new shot: a cut, and the cuts into and out of a
    card (labels' ``cuts_s``)."""
    new = np.flatnonzero(np.diff(tl.shot) != 0) + 1
    return [round(float(tl.t_s[i]), 3) for i in new]


def _notes(spec: ClipSpec) -> list[str]:
    out = []
    if spec.title_s:
        out.append(f"opens on a {spec.title_s:g} s title card")
    if spec.cut_camera is not None:
        out.append(f"camera cut at {spec.cut_s:g} s to a {spec.cut_camera.yaw_deg:g} deg view")
    if spec.end_card_s:
        out.append(f"ends on a {spec.end_card_s:g} s black card")
    return out


def _worker_init() -> None:
    cv2.setNumThreads(1)


def _render_one(args: tuple[ClipSpec, Path]) -> dict[str, Any]:
    return render_clip(args[0], args[1])


def render_clips(
    specs: Sequence[ClipSpec],
    out_dir: Path,
    workers: int | None = None,
    progress: bool = True,
) -> list[dict[str, Any]]:
    """Render clips in parallel (one clip per process; all cores by default).

    Writes ``out_dir/labels.json`` (entries in the order of ``specs``) and returns the entries.
    """
    from tqdm import tqdm

    out_dir = Path(out_dir)
    names = [s.name for s in specs]
    if len(set(names)) != len(names):
        raise ValueError("clip names must be unique")
    n_workers = max(1, min(workers or os.cpu_count() or 1, len(specs)))
    jobs = [(s, out_dir) for s in specs]
    bar = tqdm(total=len(specs), unit="clip", disable=not progress)
    by_name: dict[str, dict[str, Any]] = {}
    try:
        if n_workers == 1:
            for job in jobs:
                entry = _render_one(job)
                by_name[entry["file"]] = entry
                bar.update()
        else:
            with multiprocessing.Pool(n_workers, initializer=_worker_init) as pool:
                for entry in pool.imap_unordered(_render_one, jobs):
                    by_name[entry["file"]] = entry
                    bar.update()
    finally:
        bar.close()
    entries = [by_name[f"{s.name}.mp4"] for s in specs]
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "labels.json").write_text(json.dumps(entries, indent=1) + "\n")
    return entries
