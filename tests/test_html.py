"""The HTML report: same numbers as report.json, self-contained, parseable (no model)."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from html import escape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from builders import RepShape, build_set

from formcheck.cli import main
from formcheck.config import Config
from formcheck.pipeline import analyze_series
from formcheck.report import plots
from formcheck.report.html import render_html
from formcheck.report.json_report import to_dict
from formcheck.results import SetReport

CHECKED_TAGS = (
    "html",
    "head",
    "body",
    "main",
    "table",
    "tbody",
    "tr",
    "section",
    "svg",
    "figure",
    "ul",
    "ol",
)
VOID = {"meta", "br", "img", "input", "link", "hr", "source", "path", "use", "stop", "rect"}


class TagCounter(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.starts: dict[str, int] = {}
        self.ends: dict[str, int] = {}
        self.attrs: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.starts[tag] = self.starts.get(tag, 0) + 1
        self.attrs.append((tag, dict(attrs)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.attrs.append((tag, dict(attrs)))  # self-closing: balanced by itself

    def handle_endtag(self, tag: str) -> None:
        self.ends[tag] = self.ends.get(tag, 0) + 1

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(page: str) -> TagCounter:
    p = TagCounter()
    p.feed(page)
    p.close()
    return p


@pytest.fixture(scope="module")
def report() -> SetReport:
    series, _ = build_set([RepShape(), RepShape(top_trunk_deg=15.0), RepShape()])
    return analyze_series(series, Config(), "clip.mp4")


@pytest.fixture(scope="module")
def page(report: SetReport) -> str:
    return render_html(report, keyframes={2: b"\xff\xd8fake-jpeg\xff\xd9"})


def test_numbers_match_report_json(report: SetReport, page: str) -> None:
    d = to_dict(report)
    assert d["rep_count"] == 3
    assert any(f["code"] == "incomplete_lockout" for r in d["reps"] for f in r["faults"])
    text = " ".join(parse(page).text)
    assert re.search(rf"reps\s*{d['rep_count']}\b", text)
    assert f"{d['summary']['score']}/100" in text
    rows = re.findall(r'<tbody class="rep[^"]*">(.*?)</tbody>', page, flags=re.DOTALL)
    assert len(rows) == d["rep_count"]
    for row, rep in zip(rows, d["reps"], strict=True):
        cells = [c.strip() for c in re.findall(r'<td class="n">(.*?)</td>', row)]
        assert cells[0] == f"{rep['start_s']:.2f}"
        assert cells[1] == f"{rep['lockout_s']:.2f}"
        assert cells[8] == f"{rep['peak_hip_extension_deg']:.1f}"
        assert cells[11] == str(rep["score"])
        for f in rep["faults"]:
            assert f"<code>{f['code']}</code>" in row
            value = f"{f['value']:.3f}".rstrip("0").rstrip(".")
            threshold = f"{f['threshold']:.3f}".rstrip("0").rstrip(".")
            assert f"{value} {f['unit']} (threshold {threshold} {f['unit']}" in row
        assert ("partial" in row) == rep["partial"]


def test_next_steps_cite_sources(report: SetReport, page: str) -> None:
    from formcheck.analysis.rules import RULES

    section = page[page.index('<section id="next">') :]
    section = section[: section.index("</section>")]
    for code, _ in report.summary.top_faults:
        src = RULES[code].sources[0]
        assert RULES[code].title in section
        assert src.quote.replace("'", "&#x27;") in section
        assert f"document {src.document}" in section


def test_self_contained(page: str) -> None:
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, flags=re.I)
    assert "<link" not in page and "<script" not in page
    assert "@import" not in page and "url(http" not in page
    assert 'src="data:image/jpeg;base64,' in page
    assert '<video controls preload="metadata" src="annotated.mp4">' in page


def test_the_player_page_is_self_contained(report: SetReport) -> None:
    """With the clip played and drawn over: the script and its data are inline, and the data
    cannot close its own script element."""
    page = render_html(report, video_name="clip.mp4", overlay=True)
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, flags=re.I)
    assert "<script src" not in page and "<link" not in page and "url(http" not in page
    assert page.count("<script") == page.count("</script>") == 2
    assert 'src="clip.mp4"' in page and 'id="fc-canvas"' in page


def test_plots_are_labelled_svgs(page: str) -> None:
    svgs = [a for tag, a in parse(page).attrs if tag == "svg"]
    assert len(svgs) == 4
    for a in svgs:
        assert a.get("role") == "img"
        assert a.get("aria-label")
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), "duplicate ids across plots"
    assert "<?xml" not in page and "<!DOCTYPE svg" not in page


def test_not_assessable_reasons(report: SetReport, page: str) -> None:
    assert report.not_assessable
    for code, nj in report.not_assessable.items():
        assert f"<code>{code}</code>): {escape(nj.why)}" in page


def test_well_formed_and_accessible(page: str) -> None:
    p = parse(page)
    for tag in CHECKED_TAGS:
        assert p.starts.get(tag, 0) == p.ends.get(tag, 0), tag
    assert p.starts["svg"] == 4 and p.starts["table"] == 1
    assert '<html lang="en">' in page and 'name="viewport"' in page
    assert all(a.get("alt") for tag, a in p.attrs if tag == "img")
    levels = [int(t[1]) for t, _ in p.attrs if re.fullmatch(r"h[1-6]", t)]
    assert levels[0] == 1 and all(b - a <= 1 for a, b in itertools.pairwise(levels))


def test_keyframes_highlight_worst_rep(report: SetReport, page: str) -> None:
    worst = min(report.reps, key=lambda r: r.score)
    assert worst.index == 2
    assert '<figure class="worst"><img' in page
    no_frames = render_html(report, video_name=None)
    assert 'id="keyframes"' not in no_frames and "<video" not in no_frames


def test_keyframes_can_come_from_a_function_called_after_the_plots(report: SetReport) -> None:
    """The key frames may still be being found (a thread seeks the clip while the plots are
    drawn): a function in their place is called once, after the plots, and gives the same
    page as the frames themselves."""
    frames = {2: b"\xff\xd8fake-jpeg\xff\xd9"}
    calls: list[int] = []
    plotted = {"hip": False}
    real = plots.hip_extension_svg

    def hip(r: SetReport) -> str | None:
        plotted["hip"] = True
        return real(r)

    def later() -> dict[int, bytes]:
        assert plotted["hip"]  # the plots are drawn before the frames are asked for
        calls.append(1)
        return frames

    day = dt.date(2024, 1, 2)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(plots, "hip_extension_svg", hip)
        lazy = render_html(report, keyframes=later, analysed_on=day)
    assert calls == [1]
    assert lazy == render_html(report, keyframes=frames, analysed_on=day)


def test_text_is_escaped() -> None:
    series, _ = build_set([RepShape()])
    report = analyze_series(series, Config(), "<b>a&b</b>.mp4")
    page = render_html(report, video_name='x".mp4')
    assert "<b>a&b</b>" not in page and "&lt;b&gt;a&amp;b&lt;/b&gt;.mp4" in page
    assert 'src="x&quot;.mp4"' in page


def test_zero_reps_renders() -> None:
    series, _ = build_set([RepShape(top_trunk_deg=38.0)])  # the hips never rise
    report = analyze_series(series, Config(), "flat.mp4")
    assert report.rep_count == 0
    page = render_html(report, keyframes={}, analysed_on=dt.date(2024, 1, 2))
    p = parse(page)
    for tag in CHECKED_TAGS:
        assert p.starts.get(tag, 0) == p.ends.get(tag, 0), tag
    assert "No reps counted" in page and "2024-01-02" in page
    assert p.starts.get("table", 0) == 0


def test_deterministic(report: SetReport) -> None:
    day = dt.date(2024, 1, 2)
    assert render_html(report, analysed_on=day) == render_html(report, analysed_on=day)


def test_lockout_line_follows_the_config_file(tmp_path: Path) -> None:
    """`--config` with another lockout threshold draws the plot's line there (it was drawn at
    the default 162 whatever the file said)."""
    series, _ = build_set([RepShape()] * 2)
    series.save(tmp_path / "set.npz")
    (tmp_path / "c.toml").write_text("[faults]\nlockout_min_deg = 165\n", encoding="utf-8")
    argv = ["analyze", str(tmp_path / "set.npz"), "--config", str(tmp_path / "c.toml")]
    assert main([*argv, "--out", str(tmp_path / "out"), "-q"]) == 0
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "lockout threshold 165°" in page and "lockout threshold 162°" not in page


def test_the_player_data_is_the_report_s_numbers(report: SetReport) -> None:
    """What the page's canvas draws, decoded as its script decodes it: every analysed frame's
    time, the drawn side's landmarks in whole pixels (unseen ones marked) and hip angle."""
    import base64

    import numpy as np

    from formcheck.landmarks.names import joint
    from formcheck.report.player import CHAIN, MISSING, player_data

    data = player_data(report)
    n = len(report.series)

    def decode(key: str, dtype: str) -> np.ndarray:
        return np.frombuffer(base64.b64decode(data[key]), dtype=dtype)

    assert np.array_equal(decode("t", "<f8"), report.series.timestamps_s)
    side = report.view.metric_side or report.view.near_side
    assert side is not None and data["per_frame"] == 2 * len(CHAIN)
    points = decode("points", "<i2").reshape(n, len(CHAIN), 2)
    xy = report.series.xy_px[:, [joint(name, side) for name in CHAIN]]
    seen = np.isfinite(xy)
    assert np.array_equal(points[seen], np.round(xy[seen]).astype(int))
    assert (points[~seen] == MISSING).all()
    deg = decode("deg", "<f4")
    assert np.allclose(deg, report.metrics.hip_extension_deg, equal_nan=True, atol=1e-4)
    assert [r["index"] for r in data["reps"]] == [r.index for r in report.reps]
