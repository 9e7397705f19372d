"""A readable plain-text summary of a `SetReport` for the terminal."""

from __future__ import annotations

from formcheck.analysis.bar import RepBar
from formcheck.analysis.rules import RULES
from formcheck.results import SetReport


def _s(x: float | None, fmt: str = "{:.1f}") -> str:
    return "-" if x is None else fmt.format(x)


def bar_text(b: RepBar) -> str:
    if b.rise_m is None or b.mean_velocity_m_s is None or b.peak_velocity_m_s is None:
        return f"rise {b.rise_torso:.2f} torso, mean {b.mean_velocity_torso_s:.2f} torso/s"
    return (
        f"rise {100 * b.rise_m:.0f} cm, concentric mean {b.mean_velocity_m_s:.2f} m/s, "
        f"peak {b.peak_velocity_m_s:.2f} m/s"
    )


def render_table(report: SetReport) -> str:
    s = report.summary
    lines = [
        f"{report.clip}: {s.rep_count} reps ({s.variation.replace('_', ' ')}"
        + (f", working leg {s.working_leg}" if s.working_leg else "")
        + f"), view {report.view.name}",
    ]
    if s.rep_count:
        band = s.rep_range.name if s.rep_range else "-"
        tempo = s.mean_tempo.label if s.mean_tempo else "-"
        lines.append(
            f"set score {s.score}/100 | mean tempo up-hold-down {tempo} s | rep range: {band}"
            + (
                f" | concentric speed loss {s.speed_loss_pct:.0f}%"
                if s.speed_loss_pct is not None
                else ""
            )
        )
        lines.append("")
        lines.append(
            f"{'rep':>3}  {'time s':>11}  {'up':>4} {'hold':>4} {'down':>4}  "
            f"{'peak':>5}  {'score':>5}  faults"
        )
        for r in report.reps:
            t = r.tempo
            faults = ", ".join(f"{f.code} ({f.severity})" for f in r.faults) or "none"
            if r.not_judged:
                reasons = sorted({nj.why for nj in r.not_judged.values()})
                faults += f"; not judged: {', '.join(r.not_judged)} ({'; '.join(reasons)})"
            lines.append(
                f"{r.index:>3}  {r.start_s:5.1f}-{r.end_s:<5.1f}  {_s(t.concentric_s):>4} "
                f"{_s(t.top_hold_s):>4} {_s(t.eccentric_s):>4}  "
                f"{_s(r.peak_hip_extension_deg, '{:.0f}'):>5}  {r.score:>5}  "
                f"{faults}{' [partial]' if r.partial else ''}"
            )
        if report.bar is not None:
            lines.append(f"bar (plate over the hip): scale {report.bar.scale_note}")
            for r in report.reps:
                if r.bar is not None:
                    lines.append(f"  rep {r.index}: {bar_text(r.bar)}")
        cues = []
        for code, n in s.top_faults[:3]:
            rule = RULES[code]
            cue = next(f.cue for r in report.reps for f in r.faults if f.code == code)
            cues.append(
                f"  - {rule.title} ({n} of {s.rep_count} reps): {cue} "
                f'[{rule.sources[0].document}: "{rule.sources[0].quote}"]'
            )
        if cues:
            lines += ["", "what to work on next:", *cues]
    if report.not_assessable:
        lines += ["", "not assessed:"]
        lines += [f"  - {code}: {nj.why}" for code, nj in report.not_assessable.items()]
    lines += [f"warning: {w}" for w in report.warnings]
    return "\n".join(lines)
