"""The pose backend contract.

A backend turns one upright BGR frame and its timestamp into the pose of the
person being analysed (`PoseFrame`), or None when nobody is found. Calls come
in increasing timestamp order (video mode: a backend may track between frames).
The backend owns its model and releases it in ``close``; use it as a context
manager. Backend-specific types never leave the backend module.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from formcheck.landmarks.series import PoseFrame


class PoseBackend(Protocol):
    name: str

    def estimate(self, image_bgr: np.ndarray | None, timestamp_s: float) -> PoseFrame | None:
        """Pose at ``timestamp_s``; ``image_bgr`` is (H, W, 3) uint8 (replay may get None)."""
        ...

    def close(self) -> None: ...

    def __enter__(self) -> PoseBackend: ...

    def __exit__(self, *exc: object) -> None: ...
