"""Replay backend: answers from saved landmarks instead of running a model.

Used to re-run analysis after a rule or threshold change (``--save-landmarks``
then ``formcheck analyze landmarks.npz``), and in tests that need no model.
"""

from __future__ import annotations

import numpy as np

from formcheck.landmarks.series import PoseFrame, PoseSeries

#: A saved frame is used for a request within this many seconds of it.
MATCH_TOLERANCE_S = 0.5e-3


class ReplayPose:
    """A `PoseBackend` over a saved `PoseSeries`."""

    name = "replay"

    def __init__(self, series: PoseSeries) -> None:
        self.series = series

    def estimate(self, image_bgr: np.ndarray | None, timestamp_s: float) -> PoseFrame | None:
        ts = self.series.timestamps_s
        i = int(np.searchsorted(ts, timestamp_s - MATCH_TOLERANCE_S))
        if i >= len(ts) or abs(ts[i] - timestamp_s) > MATCH_TOLERANCE_S:
            return None
        return self.series.frame(i)

    def close(self) -> None:
        """Nothing to release."""

    def __enter__(self) -> ReplayPose:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
