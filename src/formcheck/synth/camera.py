"""Pinhole camera: world (metres, x head->feet, y up, z person's right) to image pixels."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from formcheck.synth.spec import CameraSpec

#: Point the camera circles around and looks at (metres): between shoulders and hips.
PIVOT_X_M = 0.42
FOCAL_PER_WIDTH = 1.04  # focal length in px per image width px (about 1000 px at 960 wide)


@dataclass(frozen=True)
class Camera:
    """``rot`` (3, 3) maps world to camera axes (x right, y down, z forward); ``centre_m`` (3,)."""

    rot: np.ndarray
    centre_m: np.ndarray
    focal_px: float
    cx_px: float
    cy_px: float
    width: int
    height: int

    def to_camera(self, pts_m: np.ndarray) -> np.ndarray:
        """(N, 3) world points -> (N, 3) camera-frame points (metres; z = depth)."""
        return (np.asarray(pts_m, dtype=np.float64) - self.centre_m) @ self.rot.T

    def project(self, pts_m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(N, 3) world points -> ((N, 2) pixel positions, (N,) depth metres)."""
        c = self.to_camera(pts_m)
        z = c[:, 2]
        uv = np.stack(
            [self.cx_px + self.focal_px * c[:, 0] / z, self.cy_px + self.focal_px * c[:, 1] / z],
            axis=1,
        )
        return uv, z

    def scaled(self, factor: int) -> Camera:
        """The same view rendered at factor x the resolution (pixel centres kept aligned)."""
        return Camera(
            rot=self.rot,
            centre_m=self.centre_m,
            focal_px=self.focal_px * factor,
            cx_px=(self.cx_px + 0.5) * factor - 0.5,
            cy_px=(self.cy_px + 0.5) * factor - 0.5,
            width=self.width * factor,
            height=self.height * factor,
        )

    def rays(self) -> np.ndarray:
        """(H, W, 3) camera-frame ray directions with z = 1, one per pixel centre."""
        u = (np.arange(self.width, dtype=np.float32) - self.cx_px) / self.focal_px
        v = (np.arange(self.height, dtype=np.float32) - self.cy_px) / self.focal_px
        uu, vv = np.meshgrid(u, v)
        return np.stack([uu, vv, np.ones_like(uu)], axis=-1)


def make_camera(spec: CameraSpec, width: int, height: int) -> Camera:
    """Camera ``distance_m`` (along the floor) from the pivot, ``height_m`` up, looking at the
    pivot ``aim_height_m`` up (level when None)."""
    side = 1.0 if spec.facing == "left" else -1.0  # +z side of the body sees the head on the left
    yaw = np.radians(spec.yaw_deg)
    aim = spec.height_m if spec.aim_height_m is None else spec.aim_height_m
    target = np.array([PIVOT_X_M, aim, 0.0])
    centre = np.array([PIVOT_X_M, spec.height_m, 0.0]) + spec.distance_m * np.array(
        [np.sin(yaw), 0.0, side * np.cos(yaw)]
    )
    fwd = target - centre
    fwd /= np.linalg.norm(fwd)
    up_world = np.array([0.0, 1.0, 0.0])
    right = np.cross(fwd, up_world)
    right /= np.linalg.norm(right)
    down = np.cross(fwd, right)
    rot = np.stack([right, down, fwd])
    focal = spec.focal_px if spec.focal_px is not None else FOCAL_PER_WIDTH * width
    return Camera(
        rot=rot,
        centre_m=centre,
        focal_px=float(focal),
        cx_px=(width - 1) / 2.0,
        cy_px=(height - 1) / 2.0,
        width=width,
        height=height,
    )
