"""`provnews report`: one self-contained HTML file for the morning check of a crawl.

Charts are inline SVG (no scripts, no network): articles per day per site, date coverage and
empty-body rate per site, fetch errors per run. A site is flagged when its empty-body or
missing-date rate in its latest run jumped against its own history — the usual sign that it
changed its layout. Every figure is computed by SQL on the database, and printed beside its bar.
"""
from __future__ import annotations

from html import escape

from pipelines.schema import connect

PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]
JUMP = 0.2  # a rate this much above the site's history (absolute) is flagged


def figures(db) -> dict:
    per_day = db.execute("SELECT substr(published_at, 1, 10) AS day, site, count(*) FROM articles "
                         "WHERE published_at IS NOT NULL GROUP BY day, site ORDER BY day").fetchall()
    per_site = db.execute(
        "SELECT site, count(*), sum(published_at IS NOT NULL), sum(body_chars = 0) FROM articles "
        "GROUP BY site ORDER BY site").fetchall()
    runs = db.execute("SELECT id, site, started_at, status, pages_fetched, errors FROM crawl_runs "
                      "ORDER BY id").fetchall()
    return {"per_day": per_day, "per_site": per_site, "runs": runs, "flags": flags(db)}


def flags(db) -> list[dict]:
    """Sites whose latest run's empty-body or missing-date rate jumped against earlier runs."""
    out = []
    for (site,) in db.execute("SELECT DISTINCT site FROM crawl_runs").fetchall():
        runs = db.execute("SELECT started_at FROM crawl_runs WHERE site = ? AND status != 'running' "
                          "ORDER BY started_at", [site]).fetchall()
        if len(runs) < 2:
            continue
        latest = runs[-1][0]

        def rates(cond: str, params: list) -> tuple[float, float, int]:
            n, empty, undated = db.execute(
                f"SELECT count(*), sum(body_chars = 0), sum(published_at IS NULL) FROM articles "
                f"WHERE site = ? AND {cond}", [site, *params]).fetchone()
            return ((empty or 0) / n if n else 0.0, (undated or 0) / n if n else 0.0, n)

        new_empty, new_undated, n_new = rates("fetched_at >= ?", [latest])
        old_empty, old_undated, n_old = rates("fetched_at < ?", [latest])
        if n_new == 0 or n_old == 0:
            continue
        for what, new, old in (("empty bodies", new_empty, old_empty), ("missing dates", new_undated, old_undated)):
            if new - old >= JUMP:
                out.append({"site": site, "what": what, "latest": new, "history": old, "articles": n_new})
    return out


def _bars(rows: list[tuple[str, float, str]], width: int = 520, unit: str = "") -> str:
    """Horizontal bars: (label, value, text shown) per row; the label column fits the labels."""
    if not rows:
        return "<p class='none'>no data</p>"
    top = max(v for _, v, _ in rows) or 1
    h = 22 * len(rows) + 10
    left = 20 + 7 * max(len(label) for label, _, _ in rows)
    parts = [f'<svg width="{left + width + 120}" height="{h}" role="img">']
    for i, (label, value, text) in enumerate(rows):
        y = 5 + 22 * i
        w = int(width * value / top)
        parts.append(f'<text x="0" y="{y + 14}" font-size="12">{escape(label)}</text>'
                     f'<rect x="{left}" y="{y}" width="{w}" height="16" fill="{PALETTE[i % len(PALETTE)]}"/>'
                     f'<text x="{left + 5 + w}" y="{y + 13}" font-size="12" class="value">{escape(text)}{unit}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _per_day_chart(per_day: list) -> str:
    if not per_day:
        return "<p class='none'>no dated articles</p>"
    days = sorted({d for d, _, _ in per_day})
    sites = sorted({s for _, s, _ in per_day})
    counts = {(d, s): n for d, s, n in per_day}
    top = max(sum(counts.get((d, s), 0) for s in sites) for d in days) or 1
    col, height = max(8, min(40, 900 // len(days))), 160
    parts = [f'<svg width="{col * len(days) + 60}" height="{height + 60}" role="img">']
    for i, d in enumerate(days):
        y = height
        for j, s in enumerate(sites):
            n = counts.get((d, s), 0)
            if n:
                h = int(height * n / top)
                y -= h
                parts.append(f'<rect x="{40 + i * col}" y="{y}" width="{col - 2}" height="{h}" '
                             f'fill="{PALETTE[j % len(PALETTE)]}"><title>{d} {escape(s)}: {n}</title></rect>')
        if i % max(1, len(days) // 8) == 0:
            parts.append(f'<text x="{40 + i * col}" y="{height + 15}" font-size="10">{d[5:]}</text>')
    legend = "".join(f'<tspan fill="{PALETTE[j % len(PALETTE)]}">■ {escape(s)}  </tspan>' for j, s in enumerate(sites))
    parts.append(f'<text x="40" y="{height + 40}" font-size="12">{legend}</text><text x="0" y="12" '
                 f'font-size="11">{top}</text></svg>')
    return "".join(parts)


def render(db_path: str) -> str:
    db = connect(db_path, readonly=True)
    f = figures(db)
    db.conn.close()
    coverage = [(s, dated / n if n else 0, f"{dated}/{n} = {dated / n:.0%}" if n else "0")
                for s, n, dated, _ in f["per_site"]]
    empty = [(s, (e or 0) / n if n else 0, f"{e or 0}/{n} = {(e or 0) / n:.0%}" if n else "0")
             for s, n, _, e in f["per_site"]]
    errors = [(f"#{rid} {site} {started[:16]}", err or 0, f"{err or 0} of {pages}") for rid, site, started, _, pages, err
              in f["runs"][-30:]]
    flag_html = "".join(
        f"<li class='flag' data-site='{escape(x['site'])}'><b>{escape(x['site'])}</b>: {x['what']} "
        f"{x['latest']:.0%} in the latest run against {x['history']:.0%} before — check its layout</li>"
        for x in f["flags"]) or "<li class='ok'>no site's empty-body or missing-date rate jumped</li>"
    totals = "".join(f"<tr data-site='{escape(s)}'><td>{escape(s)}</td><td class='n'>{n}</td><td class='n'>{d}</td>"
                     f"<td class='n'>{e or 0}</td></tr>" for s, n, d, e in f["per_site"])
    return f"""<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8"><title>provnews report</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:1100px}} h2{{margin-top:1.6em}}
td,th{{padding:2px 10px;border-bottom:1px solid #ddd}} .n{{text-align:right}} .flag{{color:#b00}}
.ok{{color:#080}} .none{{color:#888}}</style></head><body>
<h1>provnews crawl report</h1>
<h2>Sites to check</h2><ul id="flags">{flag_html}</ul>
<h2>Articles per site</h2><table id="totals"><tr><th>site</th><th>articles</th><th>dated</th><th>empty body</th></tr>{totals}</table>
<h2>Articles per day per site</h2><div id="per-day">{_per_day_chart(f["per_day"])}</div>
<h2>Date coverage per site</h2><div id="coverage">{_bars(coverage)}</div>
<h2>Empty-body rate per site</h2><div id="empty">{_bars(empty)}</div>
<h2>Fetch errors per run (latest 30)</h2><div id="errors">{_bars(errors)}</div>
</body></html>"""
