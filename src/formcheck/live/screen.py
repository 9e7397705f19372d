"""What the live window shows: the overlay's skeleton and gauge, a big rep counter, the
phase, the current cue, the setup check before the set, and the summary after it.

Drawing only; every value comes from the analyzer, the cue engine or the report.
"""

from __future__ import annotations

import cv2
import numpy as np

from formcheck.analysis.rules import RULES, SHORT_CUES
from formcheck.landmarks.names import Side
from formcheck.live.analyzer import LiveFrame
from formcheck.live.cues import Cue
from formcheck.live.setup import SetupStatus
from formcheck.report.overlay import (
    CYAN,
    GREEN,
    GREY,
    PHASE_COLORS,
    SEVERITY_COLORS,
    SHORT_LABELS,
    WHITE,
    Style,
    draw_gauge,
    draw_skeleton,
    panel,
    put_text,
    text_size,
    wrap,
)
from formcheck.results import SetReport

RED = (60, 60, 235)
YELLOW = (40, 200, 240)


def draw_live(
    frame_bgr: np.ndarray,
    lf: LiveFrame,
    *,
    side: Side | None,
    reps_done: int,
    cue: Cue | None,
    setup: SetupStatus | None,
    paused: bool = False,
) -> np.ndarray:
    img = frame_bgr.copy()
    h, w = img.shape[:2]
    st = Style.for_frame(w, h)
    margin = st.px(12)
    if lf.pose is not None:
        draw_skeleton(img, lf.pose.xy_px, side or "left", st)

    # big rep counter and phase, top left
    big, bs, bt = str(reps_done), st.font(3.0), st.px(6)
    bw, bh = text_size(big, bs, bt)
    ps, pt = st.font(0.8), st.px(2)
    _, ph = text_size("reps", ps, pt)
    pw = max(bw, st.px(150)) + 2 * margin
    panel(img, 0, 0, pw + margin, bh + 3 * ph + 4 * margin)
    put_text(img, "reps", (margin, margin + ph), ps, GREY, pt)
    put_text(img, big, (margin, 2 * margin + ph + bh), bs, WHITE, bt)
    put_text(
        img,
        lf.phase,
        (margin, 3 * margin + 2 * ph + bh),
        ps,
        PHASE_COLORS.get(lf.phase, GREY),
        pt,
    )

    # hip angle, top right
    gw = st.px(230)
    gx0 = w - gw - margin
    if gx0 > pw + 2 * margin:
        panel(img, gx0 - margin, 0, w, st.px(84) + margin)
        draw_gauge(img, lf.hip_deg, WHITE, st, gx0, margin, w - margin)

    if setup is not None and (not setup.ready or reps_done == 0):
        _setup_panel(img, setup, st)
    if cue is not None:
        _cue_box(img, cue, st)
    if paused:
        _banner(img, "PAUSED - space resumes", st)
    return img


def _cue_box(img: np.ndarray, cue: Cue, st: Style) -> None:
    h, w = img.shape[:2]
    sc, th = st.font(1.1), st.px(3)
    lines = wrap(cue.text, sc, th, int(w * 0.9))
    _, lh = text_size("Ag", sc, th)
    step = lh + st.px(14)
    y0 = h - len(lines) * step - st.px(30)
    color = SEVERITY_COLORS[cue.severity]
    cv2.rectangle(img, (0, y0 - st.px(10)), (w, h), color, -1)
    for k, line in enumerate(lines):
        tw, _ = text_size(line, sc, th)
        put_text(img, line, ((w - tw) // 2, y0 + lh + k * step), sc, (20, 20, 20), th)
    if cue.fault:
        label = f"rep {cue.rep}: {SHORT_LABELS.get(cue.fault, cue.fault)}"
        put_text(img, label, (st.px(10), h - st.px(8)), st.font(0.5), (20, 20, 20), st.px(1.5))


def _setup_panel(img: np.ndarray, s: SetupStatus, st: Style) -> None:
    h, w = img.shape[:2]
    sc, th = st.font(0.65), st.px(2)
    rows: list[tuple[str, tuple[int, int, int]]] = [(p, RED) for p in s.problems]
    rows += [(a, YELLOW) for a in s.advice]
    if s.ready:
        rows.insert(0, (f"view OK ({s.view}): start your set", GREEN))
        judged = ", ".join(SHORT_LABELS.get(c, c).lower() for c in s.judged)
        rows.append((f"judging: {judged}", GREY))
        if s.not_judged:
            unseen = ", ".join(SHORT_LABELS.get(c, c).lower() for c in s.not_judged)
            rows.append((f"not assessable from this view: {unseen}", GREY))
    lines = [(line, c) for text, c in rows for line in wrap(text, sc, th, int(w * 0.8))]
    _, lh = text_size("Ag", sc, th)
    step = lh + st.px(10)
    x0, y0 = int(w * 0.08), int(h * 0.35)
    panel(img, x0 - st.px(12), y0 - lh - st.px(12), int(w * 0.92), y0 + len(lines) * step, 0.7)
    for k, (line, c) in enumerate(lines):
        put_text(img, line, (x0, y0 + k * step), sc, c, th)


def _banner(img: np.ndarray, text: str, st: Style) -> None:
    h, w = img.shape[:2]
    sc, th = st.font(1.0), st.px(3)
    tw, lh = text_size(text, sc, th)
    panel(img, 0, h // 2 - lh - st.px(20), w, h // 2 + st.px(20), 0.7)
    put_text(img, text, ((w - tw) // 2, h // 2), sc, WHITE, th)


def draw_summary(frame_bgr: np.ndarray, report: SetReport, saved_to: str) -> np.ndarray:
    """The end-of-set screen: reps, score, tempo and what to work on next."""
    img = frame_bgr.copy()
    h, w = img.shape[:2]
    st = Style.for_frame(w, h)
    panel(img, 0, 0, w, h, 0.8)
    s = report.summary
    score = "-" if s.score is None else str(s.score)
    rows: list[tuple[str, float, tuple[int, int, int]]] = [
        ("Set done", 1.3, WHITE),
        (f"{s.rep_count} reps  -  score {score}", 0.9, CYAN),
    ]
    if s.mean_tempo:
        rows.append((f"mean tempo {s.mean_tempo.label} s", 0.7, GREY))
    for code, n in s.top_faults[:3]:
        rows.append((f"- {RULES[code].title} ({n} reps): {SHORT_CUES[code]}", 0.6, YELLOW))
    if not s.top_faults and s.rep_count:
        rows.append(("no faults found - well done", 0.7, GREEN))
    rows.append((f"report: {saved_to}", 0.5, GREY))
    rows.append(("q quits, r starts a new set", 0.5, GREY))
    y = st.px(40)
    for text, size, color in rows:
        sc, th = st.font(size), st.px(2 if size < 1 else 3)
        for line in wrap(text, sc, th, int(w * 0.9)):
            _, lh = text_size(line, sc, th)
            y += lh + st.px(12)
            put_text(img, line, (int(w * 0.05), y), sc, color, th)
    return img
