"""History charts, drawn on the server as small inline SVGs (no script, no network)."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from formcheck.serve.views import SessionPoint

W, H, PAD = 320, 120, 28


@dataclass(frozen=True)
class Chart:
    title: str
    unit: str
    svg: Markup


def line_svg(values: list[float | None], unit: str) -> Markup:
    """A line over the sets (x: set order), with the first and last values labelled."""
    seen = [(i, v) for i, v in enumerate(values) if v is not None]
    if not seen:
        return Markup('<p class="muted">not measured yet</p>')
    lo, hi = min(v for _, v in seen), max(v for _, v in seen)
    if hi - lo < 1e-9:
        lo, hi = lo - 1, hi + 1
    n = max(len(values) - 1, 1)

    def xy(i: int, v: float) -> tuple[float, float]:
        return PAD + (W - 2 * PAD) * i / n, H - PAD - (H - 2 * PAD) * (v - lo) / (hi - lo)

    pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(i, v) for i, v in seen))
    dots = "".join(
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3"><title>set {i + 1}: {v:g} {unit}</title></circle>'
        for i, v in seen
        for x, y in [xy(i, v)]
    )
    return Markup(
        f'<svg class="chart" viewBox="0 0 {W} {H}" role="img">'
        f'<line x1="{PAD}" y1="{H - PAD}" x2="{W - PAD}" y2="{H - PAD}" class="axis"/>'
        f'<text x="2" y="{PAD}" class="tick">{hi:g}</text>'
        f'<text x="2" y="{H - PAD}" class="tick">{lo:g}</text>'
        f'<polyline points="{pts}" fill="none"/>{dots}'
        f'<text x="{PAD}" y="{H - 6}" class="tick">set 1</text>'
        f'<text x="{W - PAD}" y="{H - 6}" class="tick" text-anchor="end">set {len(values)}'
        "</text></svg>"
    )


def history_charts(points: list[SessionPoint]) -> list[Chart]:
    series: list[tuple[str, str, list[float | None]]] = [
        ("Reps", "reps", [float(p.reps) for p in points]),
        ("Score", "/100", [None if p.score is None else float(p.score) for p in points]),
        ("Peak hip extension", "deg", [p.peak_hip_extension_deg for p in points]),
        ("Range", "deg", [p.range_deg for p in points]),
        ("Top hold", "s", [p.top_hold_s for p in points]),
        ("Descent", "s", [p.eccentric_s for p in points]),
        ("Faults", "kinds", [float(len(p.faults)) for p in points]),
        ("Load", "kg", [p.load_kg for p in points]),
        ("Bar velocity", "m/s", [p.bar_velocity_m_s for p in points]),
    ]
    return [Chart(t, u, line_svg(v, u)) for t, u, v in series]
