"""report.html's player: the clip itself, with the analysis drawn over it by the browser.

No re-encode: the page plays the original clip (copied beside it when a browser can play it,
`browser_playable`) and a canvas over the video draws what annotated.mp4 shows: the skeleton
of the measured side with the shoulder-knee line, the hip angle, the rep counter, the phase,
the last rep's tempo and the current rep's fault badges; what the view cannot show is said
under it. This module only turns the `SetReport` into the numbers to draw (`player_data`), in
the analysed picture's pixels; the script scales them to the video as shown. Renderers draw,
they never decide: the angle hidden where the lockout was not judged, the badges and their
colours all come from the report, as in `formcheck.report.overlay`.
"""

from __future__ import annotations

import base64
import json
import logging
from html import escape
from pathlib import Path
from typing import Any

import numpy as np

from formcheck.landmarks.names import joint
from formcheck.report.overlay import (
    CYAN,
    GREY,
    PHASE_COLORS,
    SEVERITY_COLORS,
    SHORT_LABELS,
    Color,
)
from formcheck.results import SetReport, Unjudged

log = logging.getLogger(__name__)

#: Codecs and containers Chromium, Firefox and Safari all play in a <video> (H.264 above all:
#: what phones record unless set to HEVC, which Chromium and Firefox do not play).
PLAYABLE_CODECS = frozenset({"h264", "vp8", "vp9", "av1"})
PLAYABLE_SUFFIXES = frozenset({".mp4", ".m4v", ".mov", ".webm"})
#: The skeleton drawn: the chain of `overlay._CHAIN`.
CHAIN = ("ear", "shoulder", "hip", "knee", "ankle", "heel", "foot_index", "ankle")


def browser_playable(path: Path) -> bool:
    """Whether a browser's <video> plays the clip as it is (container and codec)."""
    if path.suffix.lower() not in PLAYABLE_SUFFIXES:
        return False
    try:
        import av

        with av.open(str(path)) as container:
            streams = container.streams.video
            return bool(streams) and streams[0].codec_context.name in PLAYABLE_CODECS
    except Exception as exc:  # noqa: BLE001 - unreadable by PyAV: not playable as it is
        log.info("%s: cannot tell its codec (%s)", path, exc)
        return False


#: A landmark not seen in a frame, in the int16 points.
MISSING = -32768


def _b64(a: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(a).tobytes()).decode("ascii")


def _css(bgr: Color) -> str:
    return f"rgb({bgr[2]},{bgr[1]},{bgr[0]})"


def player_data(report: SetReport) -> dict[str, Any]:
    """What the canvas draws, per analysed frame and per rep (pixels of the analysed picture,
    seconds of the clip)."""
    series, metrics = report.series, report.metrics
    side = report.view.metric_side or report.view.near_side
    n = len(series)
    if side is not None:  # whole pixels; MISSING where a landmark is unseen
        xy = series.xy_px[:, [joint(name, side) for name in CHAIN]].reshape(n, -1)
        points = np.where(np.isfinite(xy), np.clip(np.round(xy), -32767, 32767), MISSING)
    else:
        points = np.zeros((n, 0))
    deg = metrics.hip_extension_deg if report.view.sagittal else np.full(n, np.nan)
    reps = []
    for r in report.reps:
        reps.append(
            {
                "index": r.index,
                "start": round(r.start_s, 3),
                "end": round(r.end_s, 3),
                "phases": [[name, round(a, 3), round(b, 3)] for name, a, b in r.phases.spans()],
                "tempo": r.tempo.label,
                "blind": "incomplete_lockout" in r.not_judged,
                "badges": [
                    [SHORT_LABELS.get(f.code, f.code.upper()), _css(SEVERITY_COLORS[f.severity])]
                    for f in r.faults
                ],
            }
        )
    return {
        "size": list(series.image_size),
        # per frame, as little-endian arrays in base64 (10 minutes at 60 fps: ~1.5 MB of
        # points, where JSON lists took 3 MB of page and ~30 MB here to build)
        "t": _b64(series.timestamps_s.astype("<f8")),
        "points": _b64(points.astype("<i2")),
        "per_frame": int(points.shape[1]),
        "deg": _b64(deg.astype("<f4")),  # NaN where not shown
        "reps": reps,
        "all_blind": bool(reps) and all(r["blind"] for r in reps),
        "colors": {
            "line": _css(CYAN),
            "grey": _css(GREY),
            "phases": {k: _css(v) for k, v in PHASE_COLORS.items()},
        },
    }


def player_section(report: SetReport, video_name: str) -> str:
    """The page's video section: the clip, the canvas over it, the data and the script."""
    src = escape(video_name, quote=True)
    data = json.dumps(player_data(report), separators=(",", ":")).replace("<", "\\u003c")
    codes = [c for c, nj in report.not_assessable.items() if nj.reason is Unjudged.VIEW]
    unseen = (
        f'<p class="muted">Not assessable from this view: '
        f"{escape(', '.join(c.replace('_', ' ') for c in codes))}.</p>"
        if codes
        else ""
    )
    return (
        '<section id="video"><h2>Video with the analysis</h2>'
        '<div class="fc-player">'
        # full screen on the player, not the video alone: the canvas goes with it
        f'<video id="fc-video" controls controlslist="nofullscreen" disablepictureinpicture '
        f'playsinline preload="metadata" src="{src}">'
        f'<a href="{src}">Open the video</a></video>'
        '<canvas id="fc-canvas" aria-hidden="true"></canvas></div>'
        '<p><button type="button" id="fc-full" hidden>Full screen</button></p>'
        f"{unseen}"
        f'<script type="application/json" id="fc-data">{data}</script>'
        f"<script>{_SCRIPT}</script></section>"
    )


PLAYER_CSS = """
.fc-player { position: relative; background: #000; }
.fc-player video { display: block; width: 100%; max-height: 80vh; }
.fc-player canvas { position: absolute; left: 0; top: 0; width: 100%; height: 100%;
  pointer-events: none; }
.fc-player:fullscreen video { width: 100%; height: 100%; max-height: none; }
#fc-full { font: inherit; padding: .4rem .9rem; }
"""

_SCRIPT = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("fc-data").textContent);
  var video = document.getElementById("fc-video");
  var canvas = document.getElementById("fc-canvas");
  var ctx = canvas.getContext("2d");
  function decode(text, Type) {  // a base64 little-endian array
    var bin = atob(text), bytes = new Uint8Array(bin.length);
    for (var b = 0; b < bin.length; b++) bytes[b] = bin.charCodeAt(b);
    return new Type(bytes.buffer);
  }
  var W = data.size[0], H = data.size[1], T = decode(data.t, Float64Array);
  var PTS = decode(data.points, Int16Array), NP = data.per_frame;
  var DEG = decode(data.deg, Float32Array), MISSING = -32768;
  var DARK = "rgb(20,20,20)";

  function frameAt(t) {  // the last analysed frame at or before t
    if (!T.length || t <= T[0]) return 0;
    var lo = 0, hi = T.length - 1;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (T[mid] <= t + 1e-4) lo = mid; else hi = mid - 1;
    }
    return lo;
  }
  function repsAt(t) {  // the rep on screen, and the last one done
    var current = null, done = null;
    data.reps.forEach(function (r) {
      if (r.start <= t && t <= r.end && !current) current = r;
      if (r.end < t) done = r;
    });
    return [current, done];
  }
  function phaseAt(rep, t) {
    var name = rep.phases.length ? rep.phases[0][0] : "-";
    rep.phases.forEach(function (p) { if (t >= p[1]) name = p[0]; });
    return name;
  }
  function text(s, x, y, size, color) {
    ctx.font = "bold " + size + "px sans-serif";
    ctx.lineWidth = Math.max(2, size / 6);
    ctx.strokeStyle = DARK;
    ctx.strokeText(s, x, y);
    ctx.fillStyle = color;
    ctx.fillText(s, x, y);
  }
  function dot(p, r, color) {
    ctx.fillStyle = color;
    ctx.beginPath();
    ctx.arc(p[0], p[1], r, 0, 2 * Math.PI);
    ctx.fill();
  }
  function draw() {
    var rect = canvas.getBoundingClientRect();
    var dpr = window.devicePixelRatio || 1;
    canvas.width = Math.round(rect.width * dpr);
    canvas.height = Math.round(rect.height * dpr);
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    // the picture as shown inside the element (letterboxed to keep its shape)
    var k = Math.min(canvas.width / W, canvas.height / H);
    var ox = (canvas.width - W * k) / 2, oy = (canvas.height - H * k) / 2;
    // as overlay.Style, but never so small that a phone's screen loses the text
    var u = Math.max(Math.max(Math.min(H * k, 0.9 * W * k), 200) / 540, 0.6 * dpr);
    var t = video.currentTime, i = frameAt(t), n = NP / 2;
    var reps = repsAt(t), current = reps[0], done = reps[1];
    function P(j) {
      if (j >= n) return null;
      var x = PTS[i * NP + 2 * j], y = PTS[i * NP + 2 * j + 1];
      return x === MISSING || y === MISSING ? null : [ox + x * k, oy + y * k];
    }
    ctx.lineCap = "round";
    var sh = P(1), knee = P(3), hip = P(2);
    if (sh && knee) {  // the shoulder-knee line (180 deg)
      ctx.setLineDash([8 * u, 8 * u]);
      ctx.strokeStyle = "white";
      ctx.lineWidth = 1.5 * u;
      ctx.beginPath(); ctx.moveTo(sh[0], sh[1]); ctx.lineTo(knee[0], knee[1]); ctx.stroke();
      ctx.setLineDash([]);
    }
    [[6, DARK], [3, data.colors.line]].forEach(function (pass) {
      ctx.strokeStyle = pass[1];
      ctx.lineWidth = pass[0] * u;
      for (var j = 0; j + 1 < n; j++) {
        var a = P(j), b = P(j + 1);
        if (!a || !b) continue;
        ctx.beginPath(); ctx.moveTo(a[0], a[1]); ctx.lineTo(b[0], b[1]); ctx.stroke();
      }
    });
    for (var j = 0; j + 1 < n; j++) {
      var p = P(j);
      if (!p) continue;
      dot(p, 5 * u, DARK);
      dot(p, 3.5 * u, "white");
    }
    var blind = current ? current.blind : data.all_blind;
    var deg = DEG[i];
    if (hip && !isNaN(deg) && !blind) {
      text(Math.round(deg) + "\u00b0", hip[0] + 18 * u, hip[1] + 30 * u, 20 * u, data.colors.line);
    }
    var size = 28 * u, small = 17 * u, x = 12 * u, y = 12 * u + size;
    var shown = current ? current.index : (done ? done.index : 0);
    ctx.fillStyle = "rgba(20,20,20,0.65)";
    ctx.fillRect(0, 0, 250 * u, size + 2 * small + 44 * u);
    text("rep " + shown + "/" + data.reps.length, x, y, size, "white");
    var phase = current ? phaseAt(current, t) : "-";
    text(phase, x, y + small + 10 * u, small, data.colors.phases[phase] || data.colors.grey);
    text(done ? "rep " + done.index + " tempo " + done.tempo + " s" : "tempo -",
         x, y + 2 * small + 20 * u, small, data.colors.grey);
    if (blind) {
      text("hip angle: not judged", canvas.width - 230 * u, 30 * u, small, data.colors.grey);
    }
    if (current) {  // the rep's fault badges, top right
      var by = 44 * u;
      current.badges.forEach(function (b) {
        ctx.font = "bold " + small + "px sans-serif";
        var w = ctx.measureText(b[0]).width + 14 * u;
        ctx.fillStyle = b[1];
        ctx.fillRect(canvas.width - w - 12 * u, by, w, small + 14 * u);
        ctx.fillStyle = DARK;
        ctx.fillText(b[0], canvas.width - w - 5 * u, by + small + 4 * u);
        by += small + 20 * u;
      });
    }
    canvas.dataset.frame = String(i);
    canvas.dataset.rep = current ? String(current.index) : "";
    canvas.dataset.phase = phase;
  }
  function follow() {  // every frame shown while playing
    draw();
    if (video.paused || video.ended) return;
    if (video.requestVideoFrameCallback) video.requestVideoFrameCallback(follow);
    else window.requestAnimationFrame(follow);
  }
  ["loadeddata", "seeked", "pause", "timeupdate"].forEach(function (e) {
    video.addEventListener(e, draw);
  });
  video.addEventListener("play", follow);
  window.addEventListener("resize", draw);
  document.addEventListener("fullscreenchange", draw);
  var full = document.getElementById("fc-full"), player = canvas.parentElement;
  if (player.requestFullscreen) {  // not on iPhones, which only put a <video> full screen
    full.hidden = false;
    full.addEventListener("click", function () { player.requestFullscreen(); });
  }
})();
"""
