"""What discovery learns about a site, kept in the database (table ``site_templates``).

After a run, every URL template the site's fetched pages share is scored from what the pages
turned out to be: a real article (a headline, a date and a body), a list (a 专题 index or column
fetched as an article: see crawler/link_classes.page_kind) or neither (no body, no date, 404).
The next run prefers the article templates, follows the list templates as lists and stops
fetching the templates that never gave an article. `provnews sites show ID` prints the table in
the TOML's own form, so a user can pin it into `[links]`.
"""
from __future__ import annotations

from collections import defaultdict

from crawler.link_classes import ARTICLE, LIST, OTHER, template
from pipelines.page import utc_now_iso

LIST_ERROR = "list: "  # pages.error prefix of a page fetched as an article that held a list
OTHER_ERROR = "not an article: "  # ... and of one that held no story (pipelines/store.py knows both)
VERDICT_ERRORS = {  # pages.error of such a page, by its verdict (crawler/link_classes.py kinds)
    LIST: LIST_ERROR + "the page holds a list of articles; followed as a list",
    OTHER: OTHER_ERROR + "no sentence of text (a video, a bare gallery, an empty page)",
}
MIN_BODY_CHARS = 20  # a body shorter than this is no story
MAX_PAGES_READ = 20_000  # the latest pages of a site read when learning (bounded work per run)
GIVE_UP_AFTER = 3  # pages of a template that were never an article before it is no longer fetched


def kind_of(articles: int, lists: int, fetched: int) -> str:
    """A template's verdict from its counts; '' while the evidence is too thin to act on."""
    if lists > articles:
        return LIST
    if articles and articles * 2 >= fetched - lists:
        return ARTICLE
    if articles == 0 and fetched >= GIVE_UP_AFTER:
        return OTHER
    return ""


def learn(db, site_id: str) -> int:
    """Recount the site's templates from its stored pages; returns the number of templates."""
    rows = db.execute(
        "SELECT p.url, p.error, a.title, a.published_at, a.body_chars FROM pages p "
        "LEFT JOIN articles a ON a.url = p.url WHERE p.site = ? ORDER BY p.fetched_at DESC LIMIT ?",
        [site_id, MAX_PAGES_READ]).fetchall()
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # articles, lists, fetched
    examples: dict[str, str] = {}
    for url, error, title, published, body_chars in rows:
        tpl = template(url)
        c = counts[tpl]
        c[2] += 1
        if error and error.startswith(LIST_ERROR):
            c[1] += 1
        elif not error and title and published and (body_chars or 0) >= MIN_BODY_CHARS:
            c[0] += 1
        examples.setdefault(tpl, url)
    now = utc_now_iso()
    with db.conn:
        db.execute("DELETE FROM site_templates WHERE site = ?", [site_id])
        db["site_templates"].insert_all(
            [{"site": site_id, "template": tpl, "kind": kind_of(*c), "articles": c[0], "lists": c[1],
              "fetched": c[2], "example": examples[tpl], "updated_at": now}
             for tpl, c in counts.items()], pk=("site", "template"))
    return len(counts)


def load(db, site_id: str) -> tuple[dict[str, str], set[str]]:
    """(template → kind for the templates with a verdict, URLs known to be lists)."""
    learnt = {tpl: kind for tpl, kind in db.execute(
        "SELECT template, kind FROM site_templates WHERE site = ? AND kind != ''", [site_id])}
    lists = {url for url, in db.execute(
        "SELECT url FROM pages WHERE site = ? AND error LIKE ?", [site_id, LIST_ERROR + "%"])}
    return learnt, lists


def templates(db, site_id: str) -> list[dict]:
    """The site's learnt templates, best articles first (for `provnews sites show`)."""
    if "site_templates" not in db.table_names():
        return []
    return [dict(r) for r in db.query(
        "SELECT template, kind, articles, lists, fetched, example, updated_at FROM site_templates "
        "WHERE site = ? ORDER BY kind = 'article' DESC, articles DESC, fetched DESC", [site_id])]

