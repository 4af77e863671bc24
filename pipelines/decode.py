"""Stage 1, bytes → str: pick the charset the bytes really are in, not the one the page claims.

Order of evidence: a site override, the BOM, the HTTP header, the <meta> declaration, then the
bytes themselves. A declaration is trusted only when the bytes decode under it; provincial portals
often declare gb2312 and send UTF-8 (or declare nothing and send GBK). gb2312/gbk are decoded as
gb18030, their superset. Invalid sequences are replaced one at a time, so damage stays local.
"""
from __future__ import annotations

import codecs

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


def _decode_errors(body: bytes, enc: str, budget: int = 64) -> int:
    """How many invalid sequences ``body`` has under ``enc`` (stops counting at ``budget``)."""
    count = 0

    def handler(err: UnicodeDecodeError):
        nonlocal count
        count += 1
        if count >= budget:
            raise err
        return ("\ufffd", err.end)

    name = f"provnews-count-{id(handler)}"
    codecs.register_error(name, handler)
    try:
        body.decode(enc, errors=name)
    except UnicodeDecodeError:
        return budget
    except LookupError:
        return budget
    return count


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
    if body[:4096].count(b"\x00") > 16:
        return "binary body (NUL bytes)"
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
    if _decode_errors(body, "utf-8") == 0:
        return body.decode("utf-8"), "utf-8"
    scored = sorted(candidates, key=lambda e: (_decode_errors(body, e), candidates.index(e)))
    best = scored[0]
    return body.decode(best, errors="replace"), best


def apply_decode(page: dict, rules: dict | None = None) -> None:
    text, enc = decode(page.get("body") or b"", page.get("headers") or {},
                       (rules or {}).get("encoding", ""))
    page["html"], page["encoding"] = text, enc


class DecodePipeline(StagePipeline):
    stage = "decode"

    def apply(self, page: dict, rules: dict) -> None:
        apply_decode(page, rules)
