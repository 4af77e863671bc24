"""`provnews report`: one self-contained HTML file for the morning check of a crawl.

Charts are inline SVG (no scripts, no network): articles per day per site, date coverage and
empty-body rate per site, fetch errors per run. A site is flagged when its empty-body or
missing-date rate in its latest run jumped against its own history — the usual sign that it
changed its layout. Every figure is computed by SQL on the database, and printed beside its bar.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from html import escape
from pathlib import Path

from pipelines.schema import connect

PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]
JUMP = 0.2  # a rate this much above the site's history (absolute) is flagged
WINDOW_DAYS = 90  # the per-day chart: years of data would draw a chart 12,000 px wide
CST = timezone(timedelta(hours=8))


def window(db) -> tuple[str, str] | None:
    """The chart's days: WINDOW_DAYS up to the newest publication day, never past today (a page
    dated 2099 must not push the window into the future)."""
    today = datetime.now(CST).date().isoformat()
    last = db.execute("SELECT max(substr(published_at, 1, 10)) FROM articles WHERE published_at IS NOT NULL "
                      "AND substr(published_at, 1, 10) <= ?", [today]).fetchone()[0]
    if last is None:
        return None
    first = (date.fromisoformat(last) - timedelta(days=WINDOW_DAYS - 1)).isoformat()
    return first, last


def totals(db) -> dict:
    articles, dated, sites, first, last = db.execute(
        "SELECT count(*), count(published_at), count(DISTINCT site), min(substr(published_at, 1, 10)), "
        "max(substr(published_at, 1, 10)) FROM articles").fetchone()
    pages, errors = db.execute("SELECT count(*), count(error) FROM pages").fetchone()
    return {"articles": articles, "dated": dated, "sites": sites, "first": first, "last": last,
            "pages": pages, "page_errors": errors}


def figures(db) -> dict:
    span = window(db)
    per_day = db.execute("SELECT substr(published_at, 1, 10) AS day, site, count(*) FROM articles "
                         "WHERE published_at IS NOT NULL AND day BETWEEN ? AND ? GROUP BY day, site ORDER BY day",
                         list(span or ("", ""))).fetchall()
    per_site = db.execute(
        "SELECT site, count(*), sum(published_at IS NOT NULL), sum(body_chars = 0) FROM articles "
        "GROUP BY site ORDER BY site").fetchall()
    runs = db.execute("SELECT id, site, started_at, status, pages_fetched, errors FROM crawl_runs "
                      "ORDER BY id").fetchall()
    return {"per_day": per_day, "window": span, "per_site": per_site, "runs": runs, "flags": flags(db),
            "totals": totals(db), "per_province": per_province(db)}


def per_province(db) -> list[tuple]:
    """Site health by province: (province, sites, sites whose last run is ok, articles, dated,
    errors in the last runs), from the sites table the crawl keeps in step with the registry."""
    return db.execute(
        "WITH last AS (SELECT site, status, errors FROM crawl_runs WHERE id IN "
        "(SELECT max(id) FROM crawl_runs GROUP BY site)), "
        "art AS (SELECT site, count(*) AS n, count(published_at) AS dated FROM articles GROUP BY site) "
        "SELECT s.province, count(*), sum(last.status = 'ok'), coalesce(sum(art.n), 0), "
        "coalesce(sum(art.dated), 0), coalesce(sum(last.errors), 0) FROM sites s "
        "LEFT JOIN last ON last.site = s.id LEFT JOIN art ON art.site = s.id "
        "GROUP BY s.province ORDER BY s.province").fetchall()


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


def _per_day_chart(per_day: list, span: tuple[str, str] | None) -> str:
    """Stacked bars per day over the window, every day a column (gaps are days without articles);
    the date axis names the year, the value axis has a scale."""
    if not per_day or span is None:
        return "<p class='none'>no dated articles</p>"
    first = date.fromisoformat(span[0])
    days = [(first + timedelta(days=i)).isoformat() for i in range(WINDOW_DAYS)]
    sites = sorted({s for _, s, _ in per_day})
    counts = {(d, s): n for d, s, n in per_day}
    top = max(sum(counts.get((d, s), 0) for s in sites) for d in days) or 1
    col, height, left = 10, 160, 40
    parts = [f'<svg width="{left + col * len(days) + 20}" height="{height + 70}" role="img">']
    for tick in sorted({0, (top + 1) // 2, top}):  # value axis: 0, middle, top, with grid lines
        y = height - int(height * tick / top)
        parts.append(f'<line x1="{left - 4}" x2="{left + col * len(days)}" y1="{y}" y2="{y}" stroke="#ddd"/>'
                     f'<text x="{left - 8}" y="{y + 4}" font-size="10" text-anchor="end">{tick}</text>')
    for i, d in enumerate(days):
        y = height
        for j, s in enumerate(sites):
            n = counts.get((d, s), 0)
            if n:
                h = int(height * n / top)
                y -= h
                parts.append(f'<rect x="{left + i * col}" y="{y}" width="{col - 2}" height="{h}" '
                             f'fill="{PALETTE[j % len(PALETTE)]}"><title>{d} {escape(s)}: {n}</title></rect>')
        if i == 0 or d.endswith("-01") or d[5:] == "01-01":  # the first day, then each month: its year too
            parts.append(f'<line x1="{left + i * col}" x2="{left + i * col}" y1="{height}" y2="{height + 5}" '
                         f'stroke="#555"/><text x="{left + i * col}" y="{height + 17}" font-size="10" '
                         f'class="axis-date">{d}</text>')
    legend = "".join(f'<tspan fill="{PALETTE[j % len(PALETTE)]}">■ {escape(s)}  </tspan>' for j, s in enumerate(sites))
    parts.append(f'<text x="{left}" y="{height + 45}" font-size="12">{legend}</text>'
                 f'<text x="0" y="{height + 62}" font-size="11">articles per day, {span[0]} to {span[1]} '
                 f'(the last {WINDOW_DAYS} days with data)</text></svg>')
    return "".join(parts)


def render(db_path: str) -> str:
    db = connect(db_path, readonly=True)
    f = figures(db)
    db.conn.close()
    t = f["totals"]
    generated = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    summary = (f"<p id='summary'><b>{escape(Path(db_path).name)}</b> · generated {generated} · "
               f"<span class='total'>{t['articles']} articles</span> from {t['sites']} sites, "
               f"{t['dated']} dated, published {t['first'] or '-'} to {t['last'] or '-'} · "
               f"{t['pages']} pages fetched, {t['page_errors']} with errors</p>")
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
    provinces = "".join(f"<tr data-province='{escape(p or '')}'><td>{escape(p or '?')}</td>"
                        + "".join(f"<td class='n'>{v or 0}</td>" for v in rest) + "</tr>"
                        for p, *rest in f["per_province"])
    return f"""<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8"><title>provnews report</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:1100px}} h2{{margin-top:1.6em}}
td,th{{padding:2px 10px;border-bottom:1px solid #ddd}} .n{{text-align:right}} .flag{{color:#b00}}
.ok{{color:#080}} .none{{color:#888}}</style></head><body>
<h1>provnews crawl report</h1>
{summary}
<h2>Sites to check</h2><ul id="flags">{flag_html}</ul>
<h2>Sites by province</h2><table id="provinces"><tr><th>province</th><th>sites</th><th>last run ok</th>
<th>articles</th><th>dated</th><th>errors (last runs)</th></tr>{provinces}</table>
<h2>Articles per site</h2><table id="totals"><tr><th>site</th><th>articles</th><th>dated</th><th>empty body</th></tr>{totals}</table>
<h2>Articles per day per site</h2><div id="per-day">{_per_day_chart(f["per_day"], f["window"])}</div>
<h2>Date coverage per site</h2><div id="coverage">{_bars(coverage)}</div>
<h2>Empty-body rate per site</h2><div id="empty">{_bars(empty)}</div>
<h2>Fetch errors per run (latest 30)</h2><div id="errors">{_bars(errors)}</div>
</body></html>"""
