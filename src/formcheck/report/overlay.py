"""Draw the analysis onto one video frame (OpenCV only).

Renderers draw, they never decide: everything shown here is read from the
`SetReport` (cleaned landmarks, per-frame metrics, reps, faults, tempo and what
the view cannot show). Sizes scale with the frame height so that text stays
legible on a phone.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import cv2
import numpy as np

from formcheck.landmarks.names import Side, joint
from formcheck.results import NotJudged, Rep, SetReport, Severity, Unjudged

Color = tuple[int, int, int]

# BGR
WHITE: Color = (255, 255, 255)
GREY: Color = (170, 170, 170)
DARK: Color = (20, 20, 20)
CYAN: Color = (235, 200, 40)
GREEN: Color = (90, 200, 60)
YELLOW: Color = (40, 220, 250)
#: The bar's path is drawn over this many seconds before the frame.
BAR_TRAIL_S = 2.0
SEVERITY_COLORS: dict[Severity, Color] = {
    Severity.MINOR: (40, 200, 240),  # yellow
    Severity.MODERATE: (20, 140, 255),  # orange
    Severity.MAJOR: (50, 50, 230),  # red
}
PHASE_COLORS: dict[str, Color] = {
    "bottom": GREY,
    "up": GREEN,
    "top": CYAN,
    "down": (200, 120, 255),
}

#: Short badge labels for fault codes (the report's titles are too long for a frame).
SHORT_LABELS: dict[str, str] = {
    "incomplete_lockout": "LOCKOUT",
    "lumbar_hyperextension": "BACK ARCH",
    "pelvic_tilt_rotation": "HIP TILT",
    "rushed_eccentric": "RUSHED DOWN",
    "no_top_pause": "NO PAUSE",
    "bounce": "BOUNCE",
    "shins_not_vertical": "SHINS",
    "neck_craning": "NECK",
    "knees_caving": "KNEES IN",
    "heels_lifting": "HEELS UP",
    "range_drift": "RANGE",
    "asymmetry": "ASYMMETRY",
}

_CHAIN = ("ear", "shoulder", "hip", "knee", "ankle", "heel", "foot_index", "ankle")
_FONT = cv2.FONT_HERSHEY_SIMPLEX


@dataclass(frozen=True)
class Style:
    """Sizes derived from the frame height (540 p is the reference)."""

    s: float

    @classmethod
    def for_frame(cls, width: int, height: int) -> Style:
        """Scale with the height, but no wider than a portrait frame allows."""
        return cls(max(min(height, 0.9 * width), 200) / 540.0)

    def px(self, v: float) -> int:
        return max(1, round(v * self.s))

    def font(self, v: float) -> float:
        return v * self.s


def rep_at(report: SetReport, t: float) -> tuple[Rep | None, Rep | None]:
    """The rep on screen at time t (or None) and the last rep completed before t."""
    current = next((r for r in report.reps if r.start_s <= t <= r.end_s), None)
    done = [r for r in report.reps if r.end_s < t]
    return current, (done[-1] if done else None)


def _pt(p: np.ndarray) -> tuple[int, int] | None:
    return (int(round(p[0])), int(round(p[1]))) if np.all(np.isfinite(p)) else None


def panel(img: np.ndarray, x0: int, y0: int, x1: int, y1: int, alpha: float = 0.65) -> None:
    """Darken a rectangle in place (semi-transparent panel)."""
    h, w = img.shape[:2]
    x0, x1 = max(0, x0), min(w, x1)
    y0, y1 = max(0, y0), min(h, y1)
    if x1 <= x0 or y1 <= y0:
        return
    roi = img[y0:y1, x0:x1]
    # roi * (1 - alpha) + DARK * alpha, in place (DARK is a grey, so one offset fits all channels)
    cv2.convertScaleAbs(roi, dst=roi, alpha=1.0 - alpha, beta=DARK[0] * alpha)


def put_text(
    img: np.ndarray,
    txt: str,
    org: tuple[int, int],
    scale: float,
    color: Color,
    thick: int,
    outline: bool = False,
) -> None:
    """Text, with a dark outline when it is not on a panel."""
    if outline:
        cv2.putText(img, txt, org, _FONT, scale, DARK, thick + max(2, thick), cv2.LINE_AA)
    cv2.putText(img, txt, org, _FONT, scale, color, thick, cv2.LINE_AA)


def text_size(txt: str, scale: float, thick: int) -> tuple[int, int]:
    (w, h), _ = cv2.getTextSize(txt, _FONT, scale, thick)
    return w, h


def wrap(txt: str, scale: float, thick: int, width: int) -> list[str]:
    """Greedy word wrap to ``width`` pixels."""
    lines: list[str] = []
    for word in txt.split(" "):
        trial = f"{lines[-1]} {word}" if lines else word
        if lines and text_size(trial, scale, thick)[0] <= width:
            lines[-1] = trial
        else:
            lines.append(word)
    return lines


def _dashed(
    img: np.ndarray, a: tuple[int, int], b: tuple[int, int], color: Color, thick: int, dash: int
) -> None:
    length = math.hypot(b[0] - a[0], b[1] - a[1])
    n = max(1, int(length // (2 * dash)))
    for k in range(n + 1):
        f0, f1 = (2 * k * dash) / length, min((2 * k + 1) * dash / length, 1.0)
        if f0 >= 1.0:
            break
        p0 = (round(a[0] + (b[0] - a[0]) * f0), round(a[1] + (b[1] - a[1]) * f0))
        p1 = (round(a[0] + (b[0] - a[0]) * f1), round(a[1] + (b[1] - a[1]) * f1))
        cv2.line(img, p0, p1, color, thick, cv2.LINE_AA)


def draw_skeleton(img: np.ndarray, xy: np.ndarray, side: Side, st: Style) -> None:
    pts = [_pt(xy[joint(name, side)]) for name in _CHAIN]
    sh, knee = pts[1], pts[3]
    if sh is not None and knee is not None:  # the shoulder-knee line (180 deg reference)
        _dashed(img, sh, knee, WHITE, st.px(1.5), st.px(8))
    for a, b in itertools.pairwise(pts):
        if a is not None and b is not None:
            cv2.line(img, a, b, DARK, st.px(6), cv2.LINE_AA)
            cv2.line(img, a, b, CYAN, st.px(3), cv2.LINE_AA)
    for p in pts[:-1]:
        if p is not None:
            cv2.circle(img, p, st.px(5), DARK, -1, cv2.LINE_AA)
            cv2.circle(img, p, st.px(3.5), WHITE, -1, cv2.LINE_AA)


def draw_hip_arc(
    img: np.ndarray, xy: np.ndarray, side: Side, deg: float, color: Color, st: Style
) -> None:
    """An arc at the hip from the thigh to the trunk, with the angle beside it."""
    hip, sh, knee = (xy[joint(n, side)] for n in ("hip", "shoulder", "knee"))
    if not (np.all(np.isfinite(hip)) and np.all(np.isfinite(sh)) and np.all(np.isfinite(knee))):
        return
    a_sh = math.degrees(math.atan2(sh[1] - hip[1], sh[0] - hip[0]))
    a_kn = math.degrees(math.atan2(knee[1] - hip[1], knee[0] - hip[0]))
    sweep = (a_sh - a_kn + 540.0) % 360.0 - 180.0  # shortest signed sweep knee -> shoulder
    if deg > 180.0:  # hips above the line: draw the reflex side
        sweep = sweep - 360.0 if sweep > 0 else sweep + 360.0
    r = st.px(34)
    centre = _pt(hip)
    assert centre is not None
    cv2.ellipse(img, centre, (r, r), 0.0, a_kn, a_kn + sweep, DARK, st.px(5), cv2.LINE_AA)
    cv2.ellipse(img, centre, (r, r), 0.0, a_kn, a_kn + sweep, color, st.px(3), cv2.LINE_AA)
    mid = math.radians(a_kn + sweep / 2.0)
    label = f"{deg:.0f}"
    sc, th = st.font(0.7), st.px(2)
    w, h = text_size(label, sc, th)
    cx = centre[0] + (r + st.px(12) + w / 2) * math.cos(mid)
    cy = centre[1] + (r + st.px(12) + h / 2) * math.sin(mid)
    x, y = int(cx - w / 2), int(cy + h / 2)
    pad = st.px(4)
    panel(img, x - pad, y - h - pad, x + w + pad, y + pad, alpha=0.6)
    put_text(img, label, (x, y), sc, color, th)


def draw_gauge(
    img: np.ndarray, deg: float, color: Color, st: Style, x0: int, y0: int, x1: int
) -> int:
    """Horizontal hip-extension bar from 90 to 210 deg with the 180 deg mark; returns bottom y."""
    lo, hi = 90.0, 210.0
    bar_h = st.px(14)
    label = "hip angle"
    sc, th = st.font(0.55), st.px(1.5)
    _, lh = text_size(label, sc, th)
    put_text(img, label, (x0, y0 + lh), sc, GREY, th)
    value = "--" if not math.isfinite(deg) else f"{deg:.0f} deg"
    vs, vt = st.font(0.8), st.px(2)
    vw, vh = text_size(value, vs, vt)
    put_text(img, value, (x1 - vw, y0 + vh), vs, color, vt)
    by = y0 + max(lh, vh) + st.px(10)
    cv2.rectangle(img, (x0, by), (x1, by + bar_h), (70, 70, 70), -1)
    if math.isfinite(deg):
        f = (min(max(deg, lo), hi) - lo) / (hi - lo)
        cv2.rectangle(img, (x0, by), (x0 + round(f * (x1 - x0)), by + bar_h), color, -1)
    x180 = x0 + round((180.0 - lo) / (hi - lo) * (x1 - x0))
    cv2.line(img, (x180, by - st.px(4)), (x180, by + bar_h + st.px(2)), WHITE, st.px(2))
    ts, tt = st.font(0.45), st.px(1)
    tw, tht = text_size("180", ts, tt)
    put_text(img, "180", (x180 - tw // 2, by + bar_h + st.px(7) + tht), ts, WHITE, tt)
    return by + bar_h + st.px(10) + tht


def draw_badges(img: np.ndarray, rep: Rep, st: Style, x: int, y: int) -> None:
    sc, th = st.font(0.6), st.px(2)
    pad = st.px(7)
    for f in rep.faults:
        label = SHORT_LABELS.get(f.code, f.code.replace("_", " ").upper())
        w, h = text_size(label, sc, th)
        color = SEVERITY_COLORS[f.severity]
        cv2.rectangle(img, (x, y), (x + w + 2 * pad, y + h + 2 * pad), color, -1, cv2.LINE_AA)
        cv2.putText(img, label, (x + pad, y + h + pad), _FONT, sc, DARK, th, cv2.LINE_AA)
        y += h + 2 * pad + st.px(6)


def draw_overlay(frame_bgr: np.ndarray, report: SetReport, i: int) -> np.ndarray:
    """A copy of ``frame_bgr`` (frame index ``i`` of the report's clip) with the analysis drawn."""
    img = frame_bgr.copy()
    h, w = img.shape[:2]
    st = Style.for_frame(w, h)
    series, metrics = report.series, report.metrics
    i = min(max(i, 0), len(series) - 1)
    t = float(series.timestamps_s[i])
    side: Side | None = report.view.metric_side or report.view.near_side
    deg = float(metrics.hip_extension_deg[i])

    if side is not None:
        draw_skeleton(img, series.xy_px[i], side, st)
    current, last_done = rep_at(report, t)
    color = CYAN
    # the hip angle is not shown where the lockout was not judged on it (the load hides the
    # hip, tracking unreliable, a shot from another view); other codes not judged leave it
    blind = (
        "incomplete_lockout" in current.not_judged
        if current
        else bool(report.reps) and all("incomplete_lockout" in r.not_judged for r in report.reps)
    )
    plate = series.plate_px[i]
    if np.isfinite(plate).all():  # what was taken for a plate over the hip
        cx, cy, r = (int(round(v)) for v in plate)
        cv2.circle(img, (cx, cy), r, GREY, st.px(2), cv2.LINE_AA)
    if report.bar is not None:  # the bar's path over the last BAR_TRAIL_S
        lo = int(np.searchsorted(series.timestamps_s, t - BAR_TRAIL_S))
        path = np.stack([report.bar.x_px[lo : i + 1], report.bar.y_px[lo : i + 1]], axis=-1)
        path = path[np.isfinite(path).all(axis=1)]
        if len(path) > 1:
            pts = np.round(path).astype(np.int32).reshape(-1, 1, 2)
            cv2.polylines(img, [pts], False, YELLOW, st.px(3), cv2.LINE_AA)
    if side is not None and math.isfinite(deg) and not blind:
        draw_hip_arc(img, series.xy_px[i], side, deg, color, st)
    margin = st.px(12)

    # Top-left panel: rep counter, phase, last tempo.
    total = report.rep_count
    shown = current.index if current else (last_done.index if last_done else 0)
    big = f"rep {shown}/{total}"
    bs, bt = st.font(1.4), st.px(3)
    bw, bh = text_size(big, bs, bt)
    phase = current.phases.at(t) if current else "-"
    ps, pt = st.font(0.7), st.px(2)
    tempo = f"rep {last_done.index} tempo {last_done.tempo.label} s" if last_done else "tempo -"
    tw, th_ = text_size(tempo, ps, pt)
    _, ph_ = text_size("phase", ps, pt)
    line = st.px(10)
    pw = max(bw, tw, st.px(200)) + 2 * margin
    phh = margin + bh + line + ph_ + line + th_ + margin + st.px(4)
    panel(img, 0, 0, pw + margin, phh + margin)
    y = margin + bh + st.px(4)
    put_text(img, big, (margin + st.px(4), y), bs, WHITE, bt)
    y += line + ph_
    put_text(img, phase, (margin + st.px(4), y), ps, PHASE_COLORS.get(phase, GREY), pt)
    y += line + th_
    put_text(img, tempo, (margin + st.px(4), y), ps, GREY, pt)

    # Top-right panel: hip-angle gauge, then the current rep's fault badges.
    # (below the counter when the frame is too narrow for both side by side)
    gw = st.px(230)
    gx0 = w - gw - margin
    gy0 = 0 if gx0 - margin >= pw + margin else phh + margin
    panel(img, gx0 - margin, gy0, w, gy0 + st.px(84) + margin)
    if report.view.sagittal and not blind:
        draw_gauge(img, deg, WHITE, st, gx0, gy0 + margin, w - margin)
    elif blind:
        why = _blind_why((current or report.reps[-1]).not_judged["incomplete_lockout"])
        for k, text in enumerate(("hip angle: not judged", why)):
            put_text(img, text, (gx0, gy0 + margin + st.px(24 + 26 * k)), ps, GREY, pt)
    else:
        put_text(img, "hip angle: n/a", (gx0, gy0 + margin + st.px(24)), ps, GREY, pt)
    if current is not None and current.faults:
        draw_badges(img, current, st, gx0, gy0 + st.px(84) + 2 * margin)

    # Bottom: what this view cannot show.
    unseen = [c for c, nj in report.not_assessable.items() if nj.reason is Unjudged.VIEW]
    if unseen:
        codes = ", ".join(c.replace("_", " ") for c in unseen)
        ns, nt = st.font(0.5), st.px(1.5)
        lines = wrap(f"not assessable from this view: {codes}", ns, nt, w - 2 * margin)
        _, nh = text_size("Ag", ns, nt)
        step = nh + st.px(8)
        panel(img, 0, h - len(lines) * step - 2 * margin + st.px(8), w, h, alpha=0.5)
        for k, text in enumerate(lines):
            y = h - margin - (len(lines) - 1 - k) * step
            put_text(img, text, (margin, y), ns, GREY, nt)
    return img


def _blind_why(nj: NotJudged) -> str:
    """The overlay's short form of why a rep's hip angle was not judged."""
    short = {
        Unjudged.TRACKING: "(tracking unreliable)",
        Unjudged.LOAD: "(load hides the hip)",
        Unjudged.BAR: "(load hides the hip)",
        Unjudged.LOST_LEG: "(load hides the legs)",
        Unjudged.SHOT: "(not seen in this shot)",
    }
    return short.get(nj.reason, "(not seen)")
