"""One self-contained HTML page of a `SetReport` (the same numbers as report.json).

No network requests: inline CSS, inline SVG plots (`formcheck.report.plots`), key frames
as ``data:`` URIs, and the annotated video by a relative link. Numbers are rounded as in
`formcheck.report.json_report`.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Callable, Iterable
from html import escape

from formcheck.analysis.rules import RULES
from formcheck.report import plots
from formcheck.report.json_report import _num
from formcheck.report.player import PLAYER_CSS, player_section
from formcheck.report.table import bar_text
from formcheck.results import Finding, NotJudged, Rep, SetReport

_CSS = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: #1a1a1a; background: #fff; margin: 0 auto; padding: 1rem; max-width: 76rem; }
h1 { font-size: 1.6rem; margin: .2rem 0 .6rem; overflow-wrap: anywhere; }
h2 { font-size: 1.25rem; margin-top: 2rem; border-bottom: 2px solid #ddd; }
h3 { font-size: 1.05rem; margin-bottom: .3rem; }
dl.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(9.5rem, 1fr));
  gap: .5rem 1rem; margin: 0; }
dl.facts div { background: #f3f5f7; border-radius: 6px; padding: .4rem .6rem; }
dt { font-size: .8rem; color: #444; }
dd { margin: 0; font-weight: 600; }
.scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; }
table { border-collapse: collapse; font-size: .92rem; font-variant-numeric: tabular-nums;
  min-width: 100%; }
th, td { border-bottom: 1px solid #ddd; padding: .35rem .5rem; text-align: left;
  vertical-align: top; }
th { background: #f3f5f7; white-space: nowrap; }
td.n { text-align: right; white-space: nowrap; }
tbody.partial td, tbody.partial th { background: #fff8e1; }
tbody.rep { border-bottom: 2px solid #bbb; }
tr.faults td { border-bottom: 0; padding-top: 0; }
li.not-judged { color: #555; font-style: italic; }
ul.faults { list-style: none; padding: 0; }
.tag { display: inline-block; padding: 0 .35rem; border-radius: 4px; font-size: .8rem;
  font-weight: 600; border: 1px solid currentColor; }
.minor { color: #6b5300; } .moderate { color: #a14400; } .major { color: #b00020; }
.partial-tag { color: #6b5300; }
ul.faults { margin: 0; }
blockquote { margin: .3rem 0 0; padding: .2rem .8rem; border-left: 4px solid #0072B2;
  background: #f3f7fb; font-style: italic; }
svg.plot { width: 100%; height: auto; display: block; }
figure { margin: 1rem 0; }
caption { text-align: left; font-size: .9rem; }
figcaption { font-size: .9rem; color: #444; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(10rem, 1fr)); gap: .8rem; }
.grid figure { margin: 0; border: 2px solid #ddd; border-radius: 6px; padding: .3rem; }
.grid figure.worst { border: 3px solid #b00020; }
.grid img { width: 100%; height: auto; display: block; }
video { width: 100%; max-height: 80vh; background: #000; }
.note { background: #fff8e1; border-left: 4px solid #a14400; padding: .4rem .8rem; }
.muted { color: #444; }
"""


def _n(x: float | None, nd: int) -> str:
    """A number rounded as report.json rounds it, with ``nd`` decimals; "-" when missing."""
    v = _num(x, nd)
    return "-" if v is None else f"{v:.{nd}f}"


def _g(x: float | None, nd: int = 3) -> str:
    """Finding values and thresholds: report.json's rounding, trailing zeros dropped."""
    v = _num(x, nd)
    return "-" if v is None else f"{v:.{nd}f}".rstrip("0").rstrip(".")


def _fact(term: str, value: str) -> str:
    return f"<div><dt>{escape(term)}</dt><dd>{escape(value)}</dd></div>"


def _header(report: SetReport, analysed_on: dt.date) -> str:
    s = report.summary
    band = f"{s.rep_range.name} (document {s.rep_range.source.document})" if s.rep_range else "-"
    facts = [
        ("clip", report.clip),
        ("analysed", analysed_on.isoformat()),
        ("variation", s.variation.replace("_", " ")),
        ("view", report.view.name),
        ("reps", f"{s.rep_count}" + (f" ({s.partial_reps} partial)" if s.partial_reps else "")),
        ("set score", "-" if s.score is None else f"{s.score}/100"),
        ("rep range", band),
        ("mean tempo up-hold-down", f"{s.mean_tempo.label} s" if s.mean_tempo else "-"),
    ]
    if s.working_leg:
        facts.append(("working leg", s.working_leg))
    if s.speed_loss_pct is not None:
        facts.append(("concentric speed loss", f"{_n(s.speed_loss_pct, 1)}%"))
    if s.first_breakdown_rep is not None:
        facts.append(("first breakdown", f"rep {s.first_breakdown_rep}"))
    if report.bar is not None:
        facts.append(("bar scale", report.bar.scale_note))
    out = [
        "<header>",
        f"<h1>Hip thrust form check: {escape(report.clip)}</h1>",
        '<dl class="facts">',
        *(_fact(k, v) for k, v in facts),
        "</dl>",
    ]
    out += [f'<p class="note">{escape(w)}</p>' for w in report.warnings]
    out.append("</header>")
    return "\n".join(out)


def _source_quote(document: str, quote: str) -> str:
    return (
        f"<blockquote><p>{escape(quote)}</p>"
        f'<footer class="muted">document {escape(document)}</footer></blockquote>'
    )


def _next_steps(report: SetReport) -> str:
    s = report.summary
    if not s.top_faults:
        body = (
            "<p>No faults found on the reps counted: keep the same setup and range.</p>"
            if s.rep_count
            else "<p>No reps counted, so nothing to work on yet.</p>"
        )
        return f'<section id="next"><h2>What to work on next</h2>{body}</section>'
    items = []
    for code, n in s.top_faults:
        rule = RULES[code]
        cue = next((f.cue for r in report.reps for f in r.faults if f.code == code), rule.cue)
        src = rule.sources[0]
        items.append(
            f'<li><h3>{escape(rule.title)} <span class="muted">({n} of {s.rep_count} reps, '
            f"<code>{escape(code)}</code>)</span></h3>"
            f"<p>{escape(cue)}</p>{_source_quote(src.document, src.quote)}</li>"
        )
    return f'<section id="next"><h2>What to work on next</h2><ol>{"".join(items)}</ol></section>'


def _finding(f: Finding) -> str:
    return (
        f'<li><span class="tag {f.severity}">{escape(f.severity)}</span> '
        f"<code>{escape(f.code)}</code>: {_g(f.value)} {escape(f.unit)} "
        f"(threshold {_g(f.threshold)} {escape(f.unit)}, confidence {_n(f.confidence, 2)})</li>"
    )


def _not_judged(codes: dict[str, NotJudged]) -> str:
    """One line per reason: which codes this rep could not be judged on, and why."""
    by_reason: dict[str, list[str]] = {}
    for code, nj in codes.items():
        by_reason.setdefault(nj.why, []).append(code)
    return "".join(
        f'<li class="not-judged">not judged: '
        f"{', '.join(f'<code>{escape(c)}</code>' for c in cs)} ({escape(why)})</li>"
        for why, cs in by_reason.items()
    )


def _rep_row(r: Rep) -> str:
    t = r.tempo
    partial = ' <span class="tag partial-tag">partial</span>' if r.partial else ""
    cells = [
        f'<th scope="row">{r.index}{partial}</th>',
        *(
            f'<td class="n">{v}</td>'
            for v in (
                _n(r.start_s, 2),
                _n(r.lockout_s, 2),
                _n(r.end_s, 2),
                _n(t.bottom_pause_s, 2),
                _n(t.concentric_s, 2),
                _n(t.top_hold_s, 2),
                _n(t.eccentric_s, 2),
                escape(t.label),
                _n(r.peak_hip_extension_deg, 1),
                _n(r.range_deg, 1),
                _n(r.rise, 3),
                str(r.score),
            )
        ),
    ]
    findings = "".join(_finding(f) for f in r.faults) or "<li>no faults</li>"
    findings += _not_judged(r.not_judged)
    if r.bar is not None:
        findings += f'<li class="bar">bar: {escape(bar_text(r.bar))}</li>'
    faults = (
        f'<tr class="faults"><td></td><td colspan="{len(_REP_HEAD) - 1}">'
        f'<ul class="faults">{findings}</ul></td></tr>'
    )
    cls = "rep partial" if r.partial else "rep"
    return f'<tbody class="{cls}"><tr>{"".join(cells)}</tr>\n{faults}</tbody>'


_REP_HEAD = (
    "rep",
    "start s",
    "lockout s",
    "end s",
    "bottom pause s",
    "up s",
    "hold s",
    "down s",
    "tempo",
    "peak hip ext. °",
    "range °",
    "rise (torso)",
    "score",
)


def _reps(report: SetReport) -> str:
    out = ['<section id="reps"><h2>Rep by rep</h2>']
    if report.reps:
        head = "".join(f'<th scope="col">{escape(h)}</th>' for h in _REP_HEAD)
        rows = "\n".join(_rep_row(r) for r in report.reps)
        out.append(
            '<div class="scroll" role="region" aria-label="Rep table (scrolls sideways)" '
            'tabindex="0"><table>'
            f'<caption class="muted">Times in seconds from the start of the clip; '
            f"partial reps highlighted; under each rep, its faults (measured vs threshold)."
            f"</caption><thead><tr>{head}</tr></thead>\n{rows}\n</table></div>"
        )
    else:
        out.append("<p>No reps counted in this clip.</p>")
    if report.not_assessable:
        items = "".join(
            f"<li><strong>{escape(RULES[c].title if c in RULES else c)}</strong> "
            f"(<code>{escape(c)}</code>): {escape(nj.why)}</li>"
            for c, nj in report.not_assessable.items()
        )
        out.append(f"<h3>Not judged in this clip</h3><ul>{items}</ul>")
    out.append("</section>")
    return "\n".join(out)


def _figure(svg: str | None, caption: str, missing: str) -> str:
    if svg is None:
        return f'<p class="muted">{escape(missing)}</p>'
    return f"<figure>{svg}<figcaption>{escape(caption)}</figcaption></figure>"


def _plots(report: SetReport) -> str:
    no_reps = "No reps counted: nothing to plot."
    parts = [
        '<section id="plots"><h2>Plots</h2>',
        "<h3>Hip extension over time</h3>",
        _figure(
            plots.hip_extension_svg(report),
            "Shoulder-hip-knee angle (180° = straight line); shaded: up, hold and down "
            "phases; dotted: rep boundaries; dashed: lockout threshold.",
            "The hip angle is not measured from this view.",
        ),
        "<h3>Tempo per rep</h3>",
        _figure(plots.tempo_svg(report), "Seconds per phase, stacked.", no_reps),
        "<h3>Range per rep</h3>",
        _figure(plots.range_svg(report), "Hip rise from the bottom, in torso lengths.", no_reps),
        "<h3>Concentric speed per rep</h3>",
        _figure(
            plots.speed_svg(report),
            "Hip rise divided by the time going up; a falling line is speed loss (fatigue).",
            no_reps,
        ),
    ]
    knees = plots.knees_svg(report)
    if knees is not None:
        parts += [
            "<h3>Knee width per rep</h3>",
            _figure(
                knees,
                "Knee width over ankle width (1 = knees over the feet); a dot per rep: the "
                "low quarter of its rise and hold; dashed: the caving threshold.",
                "",
            ),
        ]
    if report.bar is not None:
        parts += [
            "<h3>Bar velocity</h3>",
            _figure(
                plots.bar_svg(report),
                "Vertical velocity of the bar (the plate's centre) over time; orange: each "
                f"rep's concentric mean. Scale: {report.bar.scale_note}.",
                "",
            ),
        ]
    parts += [
        "</section>",
    ]
    return "\n".join(parts)


def _keyframes(report: SetReport, keyframes: dict[int, bytes]) -> str:
    reps = [r for r in report.reps if r.index in keyframes]
    if not reps:
        return ""
    worst = min(report.reps, key=lambda r: r.score).index
    cells = []
    for r in reps:
        uri = "data:image/jpeg;base64," + base64.b64encode(keyframes[r.index]).decode("ascii")
        faults = ", ".join(RULES[f.code].title.lower() for f in r.faults) or "no faults"
        if r.not_judged:
            faults += f"; not judged: {', '.join(sorted({nj.why for nj in r.not_judged.values()}))}"
        alt = f"Rep {r.index} at lockout ({_n(r.lockout_s, 2)} s): score {r.score}, {faults}"
        worst_note = " (lowest score)" if r.index == worst else ""
        cls = ' class="worst"' if r.index == worst else ""
        cells.append(
            f"<figure{cls}>"
            f'<img src="{uri}" alt="{escape(alt)}" loading="lazy">'
            f"<figcaption>Rep {r.index}: score {r.score}{worst_note}</figcaption></figure>"
        )
    return (
        '<section id="keyframes"><h2>Key frames at lockout</h2>'
        f'<div class="grid">{"".join(cells)}</div></section>'
    )


def _video(video_name: str) -> str:
    src = escape(video_name, quote=True)
    return (
        '<section id="video"><h2>Annotated video</h2>'
        f'<video controls preload="metadata" src="{src}">'
        f'<a href="{src}">Open the annotated video</a></video></section>'
    )


def _video_section(report: SetReport, video_name: str | None, overlay: bool) -> str:
    if not video_name:
        return ""
    return player_section(report, video_name) if overlay else _video(video_name)


def _join(parts: Iterable[str]) -> str:
    return "\n".join(p for p in parts if p)


def render_html(
    report: SetReport,
    *,
    video_name: str | None = "annotated.mp4",
    keyframes: dict[int, bytes] | Callable[[], dict[int, bytes]] | None = None,
    analysed_on: dt.date | None = None,
    overlay: bool = False,
) -> str:
    """The report as one self-contained HTML page.

    ``video_name``: the video, linked relative to the page (None: no video): annotated.mp4,
    or with ``overlay`` the clip itself, the analysis drawn over it in the browser
    (`formcheck.report.player`).
    ``keyframes``: rep index -> JPEG bytes of the frame at that rep's lockout, or a function
    giving them, called once the plots are drawn (the frames can be found meanwhile).
    ``analysed_on``: the date shown in the header (today when None).
    """
    body = _join(
        [
            _header(report, analysed_on or dt.date.today()),
            "<main>",
            _next_steps(report),
            _reps(report),
            _plots(report),  # first: a ``keyframes`` function may be working meanwhile
            _keyframes(report, keyframes() if callable(keyframes) else keyframes or {}),
            _video_section(report, video_name, overlay),
            "</main>",
            '<footer><p class="muted">Made by formcheck from the same analysis as '
            "report.json.</p></footer>",
        ]
    )
    css = PLAYER_CSS if overlay else ""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>formcheck: {escape(report.clip)}</title>\n<style>{_CSS}{css}</style>\n"
        f"</head>\n<body>\n{body}\n</body>\n</html>\n"
    )
