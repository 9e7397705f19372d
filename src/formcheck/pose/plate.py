"""A weight plate over the hip: the large circle a barbell or plate-loaded hip thrust puts in
front of the lifter's hip, found beside the pose.

MediaPipe places a hidden hip at a guess (on ../shared's wongfit__hip-thrust, at the plate's
centre, 20-30 deg off the true hip angle) and still reports it visible, so its visibility says
nothing. The plate says it: a circle whose disc covers the hip landmark. `find_plate` looks for
it with OpenCV's Hough transform (the ALT method, which scores how perfect a circle is) in a
square around the hip (2.6 torso lengths wide, shrunk to `ROI_PX`), for radii of
`RADIUS_TORSO` torso lengths (a 45 cm plate seen from the side at a torso length of ~50 cm).
3-5 ms a search (docs/PERFORMANCE.md); docs/ACCURACY.md says what it finds.
"""

from __future__ import annotations

import cv2
import numpy as np

from formcheck.landmarks.names import Landmark

#: The search square is shrunk to this many pixels on its long side.
ROI_PX = 160
#: Half the search square, in torso lengths around the hip.
ROI_HALF_TORSO = 1.3
#: Plate radii looked for, in torso lengths (shoulder-hip distance).
RADIUS_TORSO = (0.25, 0.9)
#: How perfect a circle must be (OpenCV's HOUGH_GRADIENT_ALT, 0-1): a plate's rim is a near
#: perfect circle, the round shapes of thighs, glutes and lettering are not. At 0.85, plates
#: over the hip are found in 97-99% of frames on ../shared's barbell clips; circles elsewhere
#: in 0-2% of frames of its bodyweight and dumbbell clips (30% at the classic gradient method).
PERFECTNESS = 0.85
#: Canny upper threshold of the Hough transform.
HOUGH_EDGES = 150
#: Accumulator resolution (inverse ratio to the image), as OpenCV recommends for the ALT method.
HOUGH_DP = 1.5

_HIPS = [Landmark.LEFT_HIP, Landmark.RIGHT_HIP]
_SHOULDERS = [Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER]


def find_plate(image_bgr: np.ndarray, xy_px: np.ndarray) -> np.ndarray | None:
    """(3,) centre x, centre y and radius in pixels of the plate-sized circle nearest the hip
    of the pose ``xy_px`` (33, 2), or None when there is none (or no hip to look around)."""
    hip = np.mean(xy_px[_HIPS], axis=0)
    torso = float(np.linalg.norm(np.mean(xy_px[_SHOULDERS], axis=0) - hip))
    if not (np.isfinite(hip).all() and np.isfinite(torso) and torso > 4):
        return None
    h, w = image_bgr.shape[:2]
    half = ROI_HALF_TORSO * torso
    x0, y0 = int(max(hip[0] - half, 0)), int(max(hip[1] - half, 0))
    x1, y1 = int(min(hip[0] + half, w)), int(min(hip[1] + half, h))
    if x1 - x0 < 16 or y1 - y0 < 16:
        return None
    gray = cv2.cvtColor(image_bgr[y0:y1, x0:x1], cv2.COLOR_BGR2GRAY)
    scale = ROI_PX / max(gray.shape)
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    lo, hi = (int(round(k * torso * scale)) for k in RADIUS_TORSO)
    circles = cv2.HoughCircles(
        small,
        cv2.HOUGH_GRADIENT_ALT,
        dp=HOUGH_DP,
        minDist=max(small.shape),
        param1=HOUGH_EDGES,
        param2=PERFECTNESS,
        minRadius=max(lo, 4),
        maxRadius=max(hi, 5),
    )
    if circles is None:
        return None
    cx, cy, r = (float(v) for v in circles[0][0])
    return np.array([x0 + cx / scale, y0 + cy / scale, r / scale])


#: The plate on the bar's far end is looked for within this many near-plate radii of the near
#: plate's centre, with a radius of FAR_RADIUS times the near one's (it is farther away, and
#: never larger), and a centre at least FAR_MIN_OFFSET radii from the near centre (a circle
#: there is the near plate itself, or its rim).
FAR_SEARCH_RADII = 2.2
FAR_RADIUS = (0.55, 1.05)
FAR_MIN_OFFSET = 0.4
#: The far plate's search square is shrunk to this many pixels on its long side.
FAR_ROI_PX = 240


def find_far_plate(image_bgr: np.ndarray, near: np.ndarray) -> np.ndarray | None:
    """(3,) centre and radius of the plate on the bar's other end, beside the ``near`` plate
    (3,), or None. Seen from the side the two are concentric and only the near one shows;
    from above, below or an oblique the far one peeks out beside it (on ../shared's
    wongfit__hip-thrust, 150-170 px from the near one at the tops), and the bar's middle,
    over the lifter's hips, lies between the two (`formcheck.analysis.hip_from_bar`)."""
    x, y, r = (float(v) for v in near)
    h, w = image_bgr.shape[:2]
    half = FAR_SEARCH_RADII * r
    x0, y0 = int(max(x - half, 0)), int(max(y - half, 0))
    x1, y1 = int(min(x + half, w)), int(min(y + half, h))
    if x1 - x0 < 16 or y1 - y0 < 16:
        return None
    gray = cv2.cvtColor(image_bgr[y0:y1, x0:x1], cv2.COLOR_BGR2GRAY)
    scale = FAR_ROI_PX / max(gray.shape)
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    circles = cv2.HoughCircles(
        small,
        cv2.HOUGH_GRADIENT_ALT,
        dp=HOUGH_DP,
        minDist=FAR_MIN_OFFSET * r * scale,
        param1=HOUGH_EDGES,
        param2=PERFECTNESS,
        minRadius=max(int(FAR_RADIUS[0] * r * scale), 4),
        maxRadius=max(int(FAR_RADIUS[1] * r * scale), 5),
    )
    if circles is None:
        return None
    for cx, cy, cr in circles[0]:  # best first
        found = np.array([x0 + cx / scale, y0 + cy / scale, cr / scale])
        if np.hypot(found[0] - x, found[1] - y) >= FAR_MIN_OFFSET * r:
            return found
    return None
