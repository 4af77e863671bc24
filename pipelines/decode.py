"""Stage 1, bytes → str: pick the charset the bytes really are in, not the one the page claims.

Order of evidence: a site override, the BOM, the HTTP header, the <meta> declaration, then the
bytes themselves. A declaration is trusted only when the bytes decode under it; provincial portals
often declare gb2312 and send UTF-8 (or declare nothing and send GBK). gb2312/gbk are decoded as
gb18030, their superset. Invalid sequences are replaced one at a time, so damage stays local.
"""
from __future__ import annotations

import codecs
import threading

from w3lib.encoding import (
    html_body_declared_encoding,
    http_content_type_encoding,
    read_bom,
    resolve_encoding,
)

from pipelines import StageError, StagePipeline

GB_FAMILY = {"gb2312", "gbk", "gb18030", "cp936", "hz", "euc-cn", "x-gbk", "gb_2312-80"}
BINARY_MAGIC = (b"%PDF", b"PK\x03\x04", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"\xd0\xcf\x11\xe0",
                b"Rar!", b"\x1f\x8b")
HTML_TYPES = ("text/html", "application/xhtml", "text/plain", "application/xml", "text/xml")


def _canonical(enc: str | None) -> str | None:
    """Normalise a declared charset name; GB family → gb18030; unknown names → None."""
    if not enc:
        return None
    name = enc.strip().strip("\"'").lower()
    if name in GB_FAMILY or name.replace("-", "").replace("_", "") in {"gb2312", "gbk", "gb18030"}:
        return "gb18030"
    resolved = resolve_encoding(name)
    if not resolved:
        return None
    try:
        resolved = codecs.lookup(resolved).name
    except LookupError:
        return None
    return "gb18030" if resolved in GB_FAMILY else resolved


_COUNT = threading.local()  # per-thread tallies of the two counting error handlers below


def _count_sequences(err: UnicodeDecodeError) -> tuple[str, int]:
    _COUNT.sequences += 1
    if _COUNT.sequences >= _COUNT.budget:
        raise err
    return "\ufffd", err.end


def _count_runs(err: UnicodeDecodeError) -> tuple[str, int]:
    data, end = err.object, err.start
    while end < len(data) and data[end] >= 0x80:
        end += 1
    end = max(end, err.end)
    _COUNT.run_bytes += end - err.start
    return "", end


codecs.register_error("provnews-count", _count_sequences)
codecs.register_error("provnews-runs", _count_runs)


def _decode_errors(body: bytes, enc: str, budget: int = 64) -> int:
    """How many invalid sequences ``body`` has under ``enc`` (stops counting at ``budget``)."""
    _COUNT.sequences, _COUNT.budget = 0, budget
    try:
        body.decode(enc, errors="provnews-count")
    except (UnicodeDecodeError, LookupError):
        return budget
    return _COUNT.sequences


def _gb18030_run(err: UnicodeDecodeError) -> tuple[str, int]:
    """Error handler: decode the whole run of non-ASCII bytes that broke UTF-8 as GB18030."""
    data, end = err.object, err.start
    while end < len(data) and data[end] >= 0x80:
        end += 1
    end = max(end, err.end)
    return data[err.start:end].decode("gb18030", errors="replace"), end


_GB_FALLBACK = "provnews-gb18030-run"
codecs.register_error(_GB_FALLBACK, _gb18030_run)


def _foreign_share(body: bytes) -> float:
    """Share of the non-ASCII bytes that lie in runs which are not valid UTF-8 (GBK text decoded
    as UTF-8 scores near 1; a UTF-8 page with one pasted GBK paragraph scores low). One pass."""
    non_ascii = len(body) - len(body.translate(None, bytes(range(0x80, 0x100))))
    _COUNT.run_bytes = 0
    body.decode("utf-8", errors="provnews-runs")
    return _COUNT.run_bytes / non_ascii if non_ascii else 0.0


# bytes that text never holds: C0 controls except tab, newline, vertical tab, form feed, CR and ESC
CONTROL_BYTES = bytes(b for b in range(32) if b < 9 or 13 < b < 27 or 27 < b < 32)


def _looks_binary(body: bytes, headers: dict) -> str | None:
    ctype = ""
    for k, v in headers.items():
        if k.lower() == "content-type":
            ctype = v.lower()
    head = body[:1024].lstrip()
    if head.startswith(BINARY_MAGIC):
        return f"binary body ({head[:4]!r}) with content-type {ctype or 'none'}"
    if ctype and not ctype.startswith(HTML_TYPES) and b"<html" not in body[:4096].lower():
        return f"not HTML: content-type {ctype}"
    start = body[:4096]
    control = len(start) - len(start.translate(None, CONTROL_BYTES))  # counted in C, not per byte
    if control > max(8, len(start) // 100):  # text has almost no control bytes
        return "binary body (control bytes)"
    return None


def decode(body: bytes, headers: dict | None = None, override: str = "") -> tuple[str, str]:
    """Return (text, encoding name) for an HTML body. Raise StageError for bodies that are not text."""
    headers = headers or {}
    if not body or not body.strip():
        raise StageError("empty body")
    why = _looks_binary(body, headers)
    if why:
        raise StageError(why)
    forced = _canonical(override)
    if forced:
        return body.decode(forced, errors="replace"), forced
    bom_enc, bom = read_bom(body)
    if bom_enc:
        enc = _canonical(bom_enc) or "utf-8"
        return body[len(bom):].decode(enc, errors="replace"), enc

    ctype = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    declared = [e for e in (_canonical(http_content_type_encoding(ctype)),
                            _canonical(html_body_declared_encoding(body))) if e]
    # The bytes decide between what is declared and the two encodings Chinese pages really use.
    candidates: list[str] = []
    for enc in declared + ["utf-8", "gb18030"]:
        if enc not in candidates:
            candidates.append(enc)
    if body.isascii():
        enc = declared[0] if declared else "utf-8"
        return body.decode(enc, errors="replace"), enc
    # UTF-8 is self-validating: bytes that decode cleanly as UTF-8 are almost never GBK text.
    try:
        return body.decode("utf-8"), "utf-8"  # a strict decode stops at the first invalid byte
    except UnicodeDecodeError:
        pass
    # Mostly valid UTF-8 with a few foreign runs (a GBK paragraph pasted into a UTF-8 page):
    # decode as UTF-8 and read each invalid run as GB18030, so neither part is lost.
    if _foreign_share(body) <= 0.3:
        return body.decode("utf-8", errors=_GB_FALLBACK), "utf-8"
    scored = sorted(candidates, key=lambda e: (_decode_errors(body, e), candidates.index(e)))
    best = scored[0]
    return body.decode(best, errors="replace"), best


def apply_decode(page: dict, rules: dict | None = None) -> None:
    """page["html"] and page["encoding"] from the raw body; a page that carries both already (the
    crawl's page verdict decoded it, crawler/page_stages.py) is not decoded again."""
    if page.get("html") is not None and page.get("encoding"):
        return
    text, enc = decode(page.get("body") or b"", page.get("headers") or {},
                       (rules or {}).get("encoding", ""))
    page["html"], page["encoding"] = text, enc


class DecodePipeline(StagePipeline):
    stage = "decode"

    def apply(self, page: dict, rules: dict) -> None:
        apply_decode(page, rules)
