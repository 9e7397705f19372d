"""The batch's own outputs: summary.csv/json (a row per clip), reps.csv/json (a row per rep)
and index.html, one self-contained page (thumbnails inlined, no network) listing every clip,
sortable by any column and filterable by fault and status, linking to each clip's report.

Rows are in input order and hold no timings, so the files are the same whichever engine or
number of workers made them, and after a resumed run.
"""

from __future__ import annotations

import base64
import csv
import io
import json
from html import escape
from pathlib import Path
from typing import Any

from formcheck.analysis.rules import RULES
from formcheck.batch.job import THUMB_FILE, ClipResult
from formcheck.report.json_report import write_atomic

CLIP_FIELDS = [
    "clip_id",
    "source",
    "status",
    "reason",
    "variation",
    "view",
    "reps",
    "score",
    "top_faults",
]
REP_FIELDS = [
    "clip_id",
    "rep",
    "start_s",
    "lockout_s",
    "end_s",
    "concentric_s",
    "top_hold_s",
    "eccentric_s",
    "peak_hip_extension_deg",
    "score",
    "faults",
]


def clip_row(r: ClipResult) -> dict[str, Any]:
    row = {k: getattr(r, k) for k in CLIP_FIELDS}
    row["top_faults"] = " ".join(r.top_faults)
    return row


def _csv(rows: list[dict[str, Any]], fields: list[str]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if row.get(k) is None else row[k] for k in fields})
    return buf.getvalue()


def write_index(out: Path, results: list[ClipResult]) -> Path:
    clips = [clip_row(r) for r in results]
    reps = [row for r in results for row in r.rep_rows]
    write_atomic(out / "summary.csv", _csv(clips, CLIP_FIELDS))
    write_atomic(out / "summary.json", json.dumps(clips, indent=1) + "\n")
    write_atomic(out / "reps.csv", _csv(reps, REP_FIELDS))
    write_atomic(out / "reps.json", json.dumps(reps, indent=1) + "\n")
    write_atomic(out / "index.html", render_index(out, results))
    return out / "index.html"


_STYLE = """
body{font-family:system-ui,sans-serif;margin:0;padding:1rem;color:#111;background:#fff}
h1{font-size:1.4rem;margin:.2rem 0 .6rem}
.bar{display:flex;flex-wrap:wrap;gap:.6rem;align-items:center;margin-bottom:.8rem}
label{font-weight:600}
select,input{font-size:1rem;padding:.25rem}
.wrap{overflow-x:auto}
table{border-collapse:collapse;width:100%;min-width:640px}
th,td{border-bottom:1px solid #ccc;padding:.4rem;text-align:left;vertical-align:middle}
th{background:#f0f0f0;cursor:pointer;white-space:nowrap}
th button{all:unset;cursor:pointer}
th button:focus{outline:2px solid #005fcc}
img{width:160px;height:auto;display:block}
.failed{background:#fde8e8}
.not_hip_thrust,.tracking_unreliable{background:#fff6dd}
.fault{display:inline-block;background:#333;color:#fff;border-radius:3px;padding:0 .3rem;
margin:.1rem;font-size:.85rem}
.none{color:#555}
@media (max-width:600px){img{width:96px}}
"""

_SCRIPT = """
(function(){
  var body=document.querySelector('#clips tbody');
  var rows=Array.prototype.slice.call(body.rows);
  function apply(){
    var f=document.getElementById('fault').value, s=document.getElementById('status').value;
    var q=document.getElementById('q').value.toLowerCase(), shown=0;
    rows.forEach(function(r){
      var ok=(!f||(' '+r.dataset.faults+' ').indexOf(' '+f+' ')>=0)&&(!s||r.dataset.status===s)
        &&(!q||r.dataset.name.indexOf(q)>=0);
      r.hidden=!ok; if(ok){shown++;}
    });
    document.getElementById('count').textContent=shown+' of '+rows.length+' clips';
  }
  ['fault','status','q'].forEach(function(id){
    document.getElementById(id).addEventListener('input',apply);
  });
  document.querySelectorAll('#clips th button').forEach(function(b,i){
    var dir=1;
    b.addEventListener('click',function(){
      var key=b.dataset.key, num=b.dataset.num==='1';
      rows.sort(function(x,y){
        var a=x.dataset[key]||'', c=y.dataset[key]||'';
        if(num){a=a===''?-1:parseFloat(a); c=c===''?-1:parseFloat(c);}
        return (a<c?-1:a>c?1:0)*dir;
      });
      dir=-dir;
      rows.forEach(function(r){body.appendChild(r);});
      document.querySelectorAll('#clips th').forEach(function(th){
        th.removeAttribute('aria-sort');
      });
      b.parentNode.setAttribute('aria-sort',dir<0?'ascending':'descending');
    });
  });
  apply();
})();
"""


def _thumb(out: Path, r: ClipResult) -> str:
    path = out / "clips" / r.clip_id / THUMB_FILE
    if not r.has_thumb or not path.is_file():
        return '<span class="none">no picture</span>'
    data = base64.b64encode(path.read_bytes()).decode()
    alt = f"{escape(Path(r.source).name)}: lockout of its lowest-scoring rep"
    return f'<img src="data:image/jpeg;base64,{data}" alt="{alt}">'


def _row(out: Path, r: ClipResult) -> str:
    name = Path(r.source).name
    report = f"clips/{r.clip_id}/report.html"
    link = (
        f'<a href="{escape(report)}">{escape(name)}</a>'
        if (out / report).is_file()
        else escape(name)
    )
    faults = "".join(
        f'<span class="fault" title="{escape(RULES[c].title)}">{escape(c)}</span>'
        for c in r.top_faults
        if c in RULES
    )
    cells = [
        _thumb(out, r),
        link,
        escape(r.status.replace("_", " ")),
        escape(r.variation.replace("_", " ")),
        escape(r.view),
        "" if r.reps is None else str(r.reps),
        "" if r.score is None else str(r.score),
        faults or '<span class="none">none</span>',
        escape(r.reason),
    ]
    data = {
        "name": escape(name.lower()),
        "status": escape(r.status),
        "faults": escape(" ".join(r.top_faults)),
        "reps": "" if r.reps is None else str(r.reps),
        "score": "" if r.score is None else str(r.score),
        "variation": escape(r.variation),
        "view": escape(r.view),
    }
    attrs = " ".join(f'data-{k}="{v}"' for k, v in data.items())
    tds = "".join(f"<td>{c}</td>" for c in cells)
    return f'<tr class="{escape(r.status)}" {attrs}>{tds}</tr>'


def render_index(out: Path, results: list[ClipResult]) -> str:
    codes = sorted({c for r in results for c in r.top_faults if c in RULES})
    failed = sum(r.status == "failed" for r in results)
    options = "".join(f'<option value="{c}">{escape(RULES[c].title)}</option>' for c in codes)
    heads = [
        ("", None, False),
        ("clip", "name", False),
        ("status", "status", False),
        ("variation", "variation", False),
        ("view", "view", False),
        ("reps", "reps", True),
        ("score", "score", True),
        ("top faults", "faults", False),
        ("reason / warnings", None, False),
    ]
    ths = "".join(
        f'<th scope="col"><button data-key="{k}" data-num="{int(n)}">{t}</button></th>'
        if k
        else f'<th scope="col">{t or "<span class=none>picture</span>"}</th>'
        for t, k, n in heads
    )
    rows = "\n".join(_row(out, r) for r in results)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>formcheck batch: {len(results)} clips</title>
<style>{_STYLE}</style></head>
<body><main>
<h1>formcheck batch: {len(results)} clips, {failed} failed</h1>
<div class="bar" role="search">
<label for="fault">Fault</label><select id="fault"><option value="">any</option>{options}</select>
<label for="status">Status</label><select id="status"><option value="">any</option>
<option value="ok">ok</option><option value="not_hip_thrust">not a hip thrust</option>
<option value="tracking_unreliable">tracking unreliable</option>
<option value="failed">failed</option></select>
<label for="q">Clip</label><input id="q" type="search" placeholder="name contains">
<span id="count" aria-live="polite"></span>
</div>
<div class="wrap"><table id="clips"><caption class="none">Click a column title to sort.</caption>
<thead><tr>{ths}</tr></thead>
<tbody>
{rows}
</tbody></table></div>
</main><script>{_SCRIPT}</script></body></html>
"""
