"""Inline SVG plots of a `SetReport` for the HTML report (matplotlib, no pyplot state).

Each function returns one ``<svg>`` element as text (no XML header, ids prefixed so several
plots can share a page, ``role="img"`` with an ``aria-label`` and a ``<title>``), or ``None``
when there is nothing to plot.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

import matplotlib
import numpy as np
from matplotlib.figure import Figure

from formcheck.results import SetReport

# Okabe-Ito colours (colour-blind safe); text and axes stay near-black for contrast.
PHASE_COLOURS = {
    "bottom pause": "#999999",
    "concentric (up)": "#0072B2",
    "top hold": "#009E73",
    "eccentric (down)": "#E69F00",
}
#: The plot's name of each phase it shades (the bottom pause is the gap between reps).
_SHADED = {"up": "concentric (up)", "top": "top hold", "down": "eccentric (down)"}
_INK = "#1a1a1a"
_RC: dict[str, Any] = {
    "svg.fonttype": "none",  # text stays text: smaller, selectable, scales with the page
    "font.size": 10,
    "axes.edgecolor": _INK,
    "axes.labelcolor": _INK,
    "xtick.color": _INK,
    "ytick.color": _INK,
    "text.color": _INK,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


@contextmanager
def _style(name: str) -> Iterator[None]:
    """rcParams for a plot: read when artists are made and when the SVG is written."""
    with matplotlib.rc_context(cast(Any, {**_RC, "svg.hashsalt": f"formcheck-{name}"})):
        yield


def _figure(height: float = 3.0) -> Figure:
    return Figure(figsize=(8.0, height), layout="constrained")


def to_svg(fig: Figure, name: str, label: str) -> str:
    """Serialise ``fig`` as an inline ``<svg>``: ids prefixed with ``name``, accessible label."""
    buf = io.StringIO()
    with _style(name):
        fig.savefig(buf, format="svg", metadata={"Date": None})
    svg = buf.getvalue()
    svg = svg[svg.index("<svg") :]  # drop the XML declaration and DOCTYPE
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.DOTALL)
    svg = re.sub(r'\bid="([^"]+)"', rf'id="{name}-\1"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", rf"url(#{name}-\1)", svg)
    svg = re.sub(r'href="#([^"]+)"', rf'href="#{name}-\1"', svg)
    head_end = svg.index(">") + 1
    head = re.sub(r'\s(width|height)="[^"]*"', "", svg[:head_end])
    esc = html.escape(label)
    head = head[:-1] + f' role="img" aria-label="{esc}" class="plot">'
    return f"{head}\n<title>{esc}</title>{svg[head_end:].rstrip()}"


def _hip_extension_svg(report: SetReport) -> str | None:
    """Hip-extension angle over time with rep boundaries, phases and the lockout threshold."""
    m = report.metrics
    t, ang = np.asarray(m.t_s, dtype=float), np.asarray(m.hip_extension_deg, dtype=float)
    if not len(t) or not np.isfinite(ang).any():
        return None
    threshold = report.config.faults.lockout_min_deg
    fig = _figure(3.6)
    ax = fig.add_subplot()
    shaded: set[str] = set()
    for rep in report.reps:
        for name, a, b in rep.phases.spans():
            if name not in _SHADED:
                continue
            phase = _SHADED[name]
            ax.axvspan(
                a,
                b,
                color=PHASE_COLOURS[phase],
                alpha=0.18,
                lw=0,
                label=None if phase in shaded else phase,
            )
            shaded.add(phase)
        ax.axvline(rep.start_s, color="#555555", lw=0.8, ls=":")
        ax.axvline(rep.end_s, color="#555555", lw=0.8, ls=":")
        ax.text(
            rep.lockout_s,
            1.0,
            f"rep {rep.index}",
            transform=ax.get_xaxis_transform(),
            ha="center",
            va="bottom",
            fontsize=8,
        )
    for k, cut in enumerate(report.cuts_s):
        ax.axvline(cut, color=_INK, lw=1.6, ls="-.", label=None if k else "camera cut")
    ax.plot(t, ang, color=_INK, lw=1.4, label="hip extension")
    ax.axhline(
        threshold, color="#D55E00", lw=1.2, ls="--", label=f"lockout threshold {threshold:g}°"
    )
    ax.set_xlabel("time (s)")
    ax.set_ylabel("hip extension (°)")
    ax.set_xlim(float(t[0]), float(t[-1]))
    fig.legend(loc="outside lower center", fontsize=8, ncols=5, frameon=False)
    cuts = "".join(f"; camera cut at {c:.1f} s" for c in report.cuts_s)
    label = (
        f"Hip extension angle over {t[-1]:.1f} s with {len(report.reps)} reps marked; "
        f"dashed line: lockout threshold {threshold:g} degrees{cuts}"
    )
    return to_svg(fig, "hip", label)


def _tempo_svg(report: SetReport) -> str | None:
    """Stacked bars of each rep's phases (bottom pause, up, hold, down)."""
    if not report.reps:
        return None
    fig = _figure(2.8)
    ax = fig.add_subplot()
    x = [r.index for r in report.reps]
    bottom = np.zeros(len(x))
    for phase, colour in PHASE_COLOURS.items():
        attr = {
            "bottom pause": "bottom_pause_s",
            "concentric (up)": "concentric_s",
            "top hold": "top_hold_s",
            "eccentric (down)": "eccentric_s",
        }[phase]
        vals = np.array([getattr(r.tempo, attr) or 0.0 for r in report.reps])
        ax.bar(x, vals, bottom=bottom, color=colour, label=phase, edgecolor="white", lw=0.5)
        bottom += vals
    ax.set_xticks(x)
    ax.set_xlabel("rep")
    ax.set_ylabel("seconds")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    return to_svg(fig, "tempo", f"Tempo of each of {len(x)} reps, stacked by phase, in seconds")


def _range_svg(report: SetReport) -> str | None:
    """Hip rise per rep (torso lengths); partial reps hatched."""
    if not report.reps:
        return None
    fig = _figure(2.6)
    ax = fig.add_subplot()
    for r in report.reps:
        ax.bar(
            r.index,
            r.rise,
            color="#56B4E9" if not r.partial else "white",
            edgecolor="#0072B2",
            hatch="//" if r.partial else None,
            lw=1.0,
        )
    ax.set_xticks([r.index for r in report.reps])
    ax.set_xlabel("rep (hatched: partial)")
    ax.set_ylabel("hip rise (torso lengths)")
    return to_svg(fig, "range", f"Hip rise of each of {len(report.reps)} reps in torso lengths")


def _speed_svg(report: SetReport) -> str | None:
    """Concentric speed (hip rise / concentric time) per rep, showing speed loss."""
    timed = [(r, c) for r in report.reps if (c := r.tempo.concentric_s) is not None and c > 0]
    if not timed:
        return None
    fig = _figure(2.6)
    ax = fig.add_subplot()
    x = [r.index for r, _ in timed]
    v = [r.rise / c for r, c in timed]
    ax.plot(x, v, marker="o", color="#0072B2", lw=1.5)
    ax.set_ylim(0, max(v) * 1.15)
    ax.set_xticks(x)
    ax.set_xlabel("rep")
    ax.set_ylabel("torso lengths / s")
    loss = report.summary.speed_loss_pct
    label = f"Concentric speed of each of {len(x)} reps"
    if loss is not None:
        ax.set_title(f"speed loss by the last rep: {round(loss, 1):.1f}%", fontsize=9)
        label += f"; speed loss by the last rep {round(loss, 1):.1f} percent"
    return to_svg(fig, "speed", label)


def _bar_svg(report: SetReport) -> str | None:
    """The bar's vertical velocity over time, each rep's concentric mean drawn over its rise."""
    bar = report.bar
    if bar is None:
        return None
    t = report.metrics.t_s
    metres = bar.m_per_px is not None
    scale = bar.m_per_px * report.metrics.torso_px if bar.m_per_px is not None else 1.0
    with np.errstate(invalid="ignore"):
        v = np.gradient(bar.height * scale, t)
    fig = _figure(2.6)
    ax = fig.add_subplot()
    ax.plot(t, v, color="#0072B2", lw=1.2)
    ax.axhline(0.0, color="#999999", lw=0.8)
    for r in report.reps:
        if r.bar is None:
            continue
        mean = r.bar.mean_velocity_m_s if metres else r.bar.mean_velocity_torso_s
        if mean is None:
            continue
        c0, c1 = r.phases.concentric_start_s, r.phases.top_s
        ax.plot([c0, c1], [mean, mean], color="#D55E00", lw=2.0)
        ax.annotate(
            f"{mean:.2f}",
            ((c0 + c1) / 2, mean),
            fontsize=8,
            ha="center",
            va="bottom",
        )
    ax.set_xlabel("time (s)")
    ax.set_ylabel("bar velocity (m/s)" if metres else "bar velocity (torso lengths / s)")
    unit = "metres" if metres else "torso lengths"
    return to_svg(fig, "bar", f"Vertical bar velocity over time in {unit} per second")


def _knees_svg(report: SetReport) -> str | None:
    """Knee width / ankle width over time with each rep's value and the caving threshold."""
    if not any(r.knee_width_ratio is not None for r in report.reps):
        return None
    m = report.metrics
    t, ratio = np.asarray(m.t_s, dtype=float), np.asarray(m.knee_ratio, dtype=float)
    threshold = report.config.faults.knee_ratio_min
    fig = _figure(3.0)
    ax = fig.add_subplot()
    ax.plot(t, ratio, color=_INK, lw=1.0, alpha=0.6, label="knee width / ankle width")
    for rep in report.reps:
        ax.axvline(rep.start_s, color="#555555", lw=0.8, ls=":")
        if rep.knee_width_ratio is not None:
            ax.plot([rep.lockout_s], [rep.knee_width_ratio], "o", color="#0072B2", ms=6)
    ax.plot([], [], "o", color="#0072B2", label="rep (low quarter of rise and hold)")
    ax.axhline(
        threshold, color="#D55E00", lw=1.2, ls="--", label=f"knees caving below {threshold:g}"
    )
    finite = ratio[np.isfinite(ratio)]
    top = max(1.6, float(np.percentile(finite, 98))) if finite.size else 1.6
    ax.set_ylim(0.0, top)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("knee / ankle width")
    ax.set_xlim(float(t[0]), float(t[-1]))
    fig.legend(loc="outside lower center", fontsize=8, ncols=3, frameon=False)
    label = (
        f"Knee width over ankle width over {t[-1]:.1f} s, a dot per rep; dashed line: knees "
        f"caving below {threshold:g}"
    )
    return to_svg(fig, "knees", label)


def knees_svg(report: SetReport) -> str | None:
    """Knee width / ankle width over time and per rep (views from the feet)."""
    with _style("knees"):
        return _knees_svg(report)


def bar_svg(report: SetReport) -> str | None:
    """The bar's velocity over time, when a plate over the hip shows the bar."""
    with _style("bar"):
        return _bar_svg(report)


def hip_extension_svg(report: SetReport) -> str | None:
    """Hip-extension angle over time with rep boundaries, phases and the lockout threshold."""
    with _style("hip"):
        return _hip_extension_svg(report)


def tempo_svg(report: SetReport) -> str | None:
    """Stacked bars of each rep's phases (bottom pause, up, hold, down)."""
    with _style("tempo"):
        return _tempo_svg(report)


def range_svg(report: SetReport) -> str | None:
    """Hip rise per rep (torso lengths); partial reps hatched."""
    with _style("range"):
        return _range_svg(report)


def speed_svg(report: SetReport) -> str | None:
    """Concentric speed (hip rise / concentric time) per rep, showing speed loss."""
    with _style("speed"):
        return _speed_svg(report)
