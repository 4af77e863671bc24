"""`provnews sites`, `sites show`, `check-site` and `add-site`: see and check what a site does.

A user adding a county portal should get from its home page to a working site file in minutes:
`add-site` fetches the page, runs discovery and the check, and writes a draft; `check-site` is
the same live dry run for a registered site (nothing written); `sites` lists the registry (and
with --db how each site's last run went); `sites show` prints what discovery learnt, in the TOML
form that pins it. Only the site's own pages are fetched, through --proxy when given.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from urllib.parse import urlsplit

import click

from crawler.settings import PROVNEWS_DB, PROVNEWS_SITES_DIR

SITES_OPTION = click.option("--sites", "sites_dir", type=click.Path(file_okay=False), default=None,
                            help="Directory of site TOML files (default: crawler/sites).")
PROXY_OPTION = click.option("--proxy", default="",
                            help="Send every request (robots.txt too) through this HTTP proxy.")
JSON_OPTION = click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")


def _registry(sites_dir: str | None):
    from crawler.registry import SiteConfigError, load_registry

    try:
        return load_registry(sites_dir or PROVNEWS_SITES_DIR)
    except SiteConfigError as e:
        click.echo(f"error: {e}", err=True)
        sys.exit(2)


def _site(sites_dir: str | None, site_id: str):
    from crawler.registry import SiteConfigError

    try:
        return _registry(sites_dir).get(site_id)
    except (SiteConfigError, KeyError) as e:
        click.echo(f"error: {str(e).strip(chr(39) + chr(34))}", err=True)  # a KeyError's quotes
        sys.exit(2)


def _last_runs(db_path: str) -> dict[str, dict]:
    from pipelines import queries
    from provnews.cli.base import open_readonly

    db = open_readonly(db_path)
    runs = queries.latest_runs(db)
    for site, n in queries.articles_per_site(db).items():
        runs.setdefault(site, {})["articles"] = n
    db.conn.close()
    return runs


@click.group(invoke_without_command=True)
@SITES_OPTION
@JSON_OPTION
@click.option("--db", "db", default=None, type=click.Path(),
              help="Also show each site's last run (status, errors) and stored articles from this database.")
@click.pass_context
def sites(ctx, sites_dir, as_json, db):
    """Every site in the registry: id, name, province, kind, verified, every, links explicit or
    discovered; invalid site files with their error (exit 2 if there are any)."""
    if ctx.invoked_subcommand is not None:
        return
    reg = _registry(sites_dir)
    runs = _last_runs(db) if db else {}
    rows = []
    for s in sorted(reg.sites.values(), key=lambda s: (s.province, s.id)):
        row = {"id": s.id, "name": s.name, "province": s.province, "kind": s.kind, "verified": s.verified,
               "every": s.raw.get("every", ""), "links": "explicit" if s.article_patterns else "discovered"}
        if db:
            run = runs.get(s.id, {})
            row.update(last_run=run.get("status"), articles=run.get("articles", 0), errors=run.get("errors"))
        rows.append(row)
    invalid = [{"file": e.path, "error": str(e)} for e in reg.errors]
    if as_json:
        click.echo(json.dumps({"sites": rows, "invalid": invalid}, ensure_ascii=False, indent=1))
    else:
        from rich.table import Table

        from provnews.cli.base import console

        table = Table(title=f"{len(rows)} sites")
        for col in rows[0] if rows else ("id",):
            table.add_column(col)
        for row in rows:
            table.add_row(*("" if v is None else str(v) for v in row.values()))
        console().print(table)  # whole values when piped
        for bad in invalid:
            click.echo(f"invalid: {bad['error']}")
    sys.exit(2 if invalid else 0)


@sites.command("show")
@click.argument("site_id")
@SITES_OPTION
@click.option("--db", "db", default=PROVNEWS_DB, show_default=True, type=click.Path(dir_okay=False),
              help="Database whose learnt templates are shown.")
@JSON_OPTION
def show(site_id, sites_dir, db, as_json):
    """One site's settings and the URL templates discovery learnt for it, printed in the TOML form
    that pins them into the site file."""
    from crawler.learnt import templates
    from provnews.cli.base import open_readonly

    site = _site(sites_dir, site_id)
    learnt = []
    if Path(db).exists():
        conn = open_readonly(db)
        learnt = templates(conn, site.id)
        conn.conn.close()
    info = {"id": site.id, "name": site.name, "province": site.province, "file": site.path,
            "start_urls": list(site.start_urls), "allowed_domains": list(site.allowed_domains),
            "links": "explicit" if site.article_patterns else "discovered",
            "article": list(site.article_patterns), "follow": list(site.follow_patterns),
            "deny": list(site.deny_patterns), "learnt": learnt, "pin": pin_toml(learnt)}
    if as_json:
        click.echo(json.dumps(info, ensure_ascii=False, indent=1))
        return
    click.echo(f"{site.id}  {site.name}  ({site.province})  {site.path}")
    click.echo(f"start:   {' '.join(site.start_urls)}")
    click.echo(f"domains: {' '.join(site.allowed_domains)}")
    click.echo(f"links:   {info['links']}")
    for key in ("article", "follow", "deny"):
        for p in info[key]:
            click.echo(f"  {key}: {p}")
    if not learnt:
        click.echo(f"learnt:  nothing yet in {db} (a crawl of a site without [links] article regexes learns)")
        return
    click.echo(f"learnt in {db}:")
    for t in learnt:
        click.echo(f"  {t['kind'] or '?':8} articles {t['articles']:>4} lists {t['lists']:>3} of {t['fetched']:>4}"
                   f"  {t['template']}   e.g. {t['example']}")
    click.echo(f"\n# to pin this into {site.path}:\n{info['pin']}")


def _toml_list(patterns: list[str]) -> str:
    return "[" + ", ".join(f"'{p}'" for p in patterns if "'" not in p) + "]"


def pin_toml(learnt: list[dict]) -> str:
    """The [links] table that makes what discovery learnt explicit."""
    article = [t["template"] for t in learnt if t["kind"] == "article"]
    follow = [t["template"] for t in learnt if t["kind"] == "list"]
    deny = [t["template"] for t in learnt if t["kind"] == "other"]
    lines = ["[links]", f"article = {_toml_list(article)}"]
    if follow:
        lines.append(f"follow = {_toml_list(follow)}")
    if deny:
        lines.append(f"deny = {_toml_list(deny)}")
    return "\n".join(lines) + "\n"


def print_report(report: dict) -> None:
    for page in report["start_pages"]:
        click.echo(f"start  {page['url']}  {page['error'] or page['status']}")
    counts = report["counts"]
    click.echo(f"links ({report['links']}): article {counts['article']}  list {counts['list']}  other {counts['other']}")
    for kind, examples in report["examples"].items():
        for ex in examples:
            click.echo(f"  {kind:7} {ex['url']}  ({ex['why']})")
    for t in report["templates"][:5]:
        click.echo(f"  template {t['template']}  ({t['links']} links)")
    for s in report["samples"]:
        if s["error"] or s["kind"] != "article":
            click.echo(f"sample {s['url']}\n  {s['error'] or 'a ' + s['kind'] + ' page'}")
            continue
        click.echo(f"sample {s['url']}\n  title  {s['title']}\n  date   {s['published_at']}"
                   f" ({s['published_source']})\n  author {s['author']}  source {s['source']}\n"
                   f"  body   {s['body_chars']} chars: {s['first_line']}")
    click.echo(f"verdict: {report['verdict']}")


@click.command("check-site")
@click.argument("site_id")
@PROXY_OPTION
@SITES_OPTION
@JSON_OPTION
def check_site(site_id, proxy, sites_dir, as_json):
    """A live dry run of one site that writes nothing: fetch its start pages (robots.txt obeyed),
    count the links of each class with examples, fetch three sample articles and show their title,
    date (and its source), author, source, body length and first line, and a verdict.
    Exit 0 only when the samples have a title, a date and a body; 1 otherwise; 2 unknown site."""
    from provnews.sitecheck import check

    report = check(_site(sites_dir, site_id), proxy)
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=1))
    else:
        print_report(report)
    sys.exit(0 if report["ok"] else 1)


def default_id(url: str) -> str:
    """www.km.gov.cn → km-gov-cn."""
    host = (urlsplit(url).hostname or "site").lower().removeprefix("www.")
    return re.sub(r"[^a-z0-9]+", "-", host).strip("-")[:63] or "site"


def draft_toml(site, report: dict) -> str:
    """A site file for the new site: discovery on, the templates found left as comments to pin."""
    arts = [t["template"] for t in report["templates"] if "'" not in t["template"]]
    lines = [f"# Drafted by `provnews add-site` from {site.start_urls[0]}.",
             f"# check-site verdict at drafting: {report['verdict']}",
             "# Links are discovered from the start page (no [links] article regexes). To pin what",
             "# discovery found, uncomment the [links] table below; `provnews sites show ID` prints",
             "# what later crawls learnt.",
             f'id = "{site.id}"', f'name = "{site.name}"', f'province = "{site.province}"']
    if site.kind:
        lines.append(f'kind = "{site.kind}"')
    lines += ["verified = false", f"start_urls = {json.dumps(list(site.start_urls))}",
              f"allowed_domains = {json.dumps(list(site.allowed_domains))}", "",
              "# [links]", f"# article = {_toml_list(arts[:4])}"]
    for t in report["templates"][:4]:
        lines.append(f"#   {t['template']}  ({t['links']} links on the start page)")
    return "\n".join(lines) + "\n"


@click.command("add-site")
@click.argument("url")
@click.option("--name", required=True, help="Human name of the source, e.g. 昆明市人民政府.")
@click.option("--province", required=True, help="Province, e.g. 云南.")
@click.option("--id", "site_id", default=None, help="Site id, [a-z0-9-] (default: from the host, km-gov-cn).")
@click.option("--kind", default="", help="gov | news | portal (default: gov for a .gov. host).")
@PROXY_OPTION
@SITES_OPTION
def add_site(url, name, province, site_id, kind, proxy, sites_dir):
    """Fetch a home page, run discovery and the check-site dry run, show the verdict and write a
    site-file draft (start URL, allowed domain, the discovered article templates as commented
    regexes) into the sites directory. Exit 0 written, 1 start page unreachable or blocked
    (nothing written), 2 bad usage (bad id or URL, file exists)."""
    from crawler.registry import SiteConfigError, site_from_dict
    from provnews.sitecheck import check

    host = (urlsplit(url).hostname or "").lower()
    site_id = site_id or default_id(url)
    kind = kind or ("gov" if ".gov." in f".{host}." else "")
    data = {"id": site_id, "name": name, "province": province, "start_urls": [url],
            "allowed_domains": [host.removeprefix("www.")], **({"kind": kind} if kind else {})}
    try:
        site = site_from_dict(data, f"{site_id}.toml")
    except SiteConfigError as e:
        click.echo(f"error: {e}", err=True)
        sys.exit(2)
    target = Path(sites_dir or PROVNEWS_SITES_DIR) / f"{site_id}.toml"
    if target.exists():
        click.echo(f"error: {target} exists; choose another --id", err=True)
        sys.exit(2)
    report = check(site, proxy)
    print_report(report)
    if all(p["error"] for p in report["start_pages"]):
        click.echo("nothing written: the start page could not be read", err=True)
        sys.exit(1)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(draft_toml(site, report), encoding="utf-8")
    click.echo(f"wrote {target}")
