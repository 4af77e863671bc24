"""Decoding pitfalls of Chinese pages, with byte-level fixtures."""
from __future__ import annotations

import pytest

from pipelines import StageError
from pipelines.decode import decode

TEXT = "昆明市人民政府召开常务会议，研究部署滇池保护治理工作。"


def page(charset_meta: str, text: str = TEXT) -> str:
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset_meta}">' if charset_meta else ""
    return f"<html><head>{meta}<title>测试</title></head><body><p>{text}</p></body></html>"


def test_declared_gb2312_but_utf8_bytes_decodes_as_utf8():
    text, enc = decode(page("gb2312").encode("utf-8"), {"Content-Type": "text/html"})
    assert enc == "utf-8" and TEXT in text


def test_gbk_without_any_declaration_is_detected():
    text, enc = decode(page("").encode("gbk"), {"Content-Type": "text/html"})
    assert enc == "gb18030" and TEXT in text


def test_gb2312_declaration_decodes_as_gb18030_superset():
    # 镕 (U+9555) is in GBK but not GB2312: a strict gb2312 codec would fail on it
    text, enc = decode(page("gb2312", "朱镕基" + TEXT).encode("gbk"), {})
    assert enc == "gb18030" and "朱镕基" in text


def test_invalid_gbk_sequences_damage_only_those_bytes():
    good = page("gbk").encode("gbk")
    at = good.index("滇池".encode("gbk"))
    broken = good[:at] + b"\x81\x20" + good[at:]  # \x81 needs a trail byte >= 0x40
    text, enc = decode(broken, {})
    assert enc == "gb18030"
    assert "滇池保护治理工作" in text and "昆明市人民政府召开常务会议" in text
    assert text.count("\ufffd") == 1


def test_http_header_utf8_but_body_gbk_trusts_the_bytes():
    text, enc = decode(page("").encode("gbk"), {"Content-Type": "text/html; charset=utf-8"})
    assert enc == "gb18030" and TEXT in text


def test_header_charset_wins_when_bytes_agree():
    body = page("", "中文").encode("utf-8")
    text, enc = decode(body, {"Content-Type": "text/html; charset=UTF-8"})
    assert enc == "utf-8" and "中文" in text


def test_bom_decides():
    text, enc = decode(b"\xef\xbb\xbf" + page("gbk").encode("utf-8"), {})
    assert enc == "utf-8" and TEXT in text and not text.startswith("\ufeff")


def test_site_override_wins():
    text, enc = decode(page("utf-8").encode("gbk"), {}, override="gbk")
    assert enc == "gb18030" and TEXT in text


@pytest.mark.parametrize("body,why", [
    (b"", "empty body"),
    (b"   \n ", "empty body"),
    (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj", "binary body"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "binary body"),
])
def test_not_text_is_a_stage_error(body, why):
    with pytest.raises(StageError, match=why):
        decode(body, {"Content-Type": "text/html"})


def test_non_html_content_type_is_refused():
    with pytest.raises(StageError, match="not HTML"):
        decode(b"a,b,c\n1,2,3\n", {"Content-Type": "application/octet-stream"})


def test_control_bytes_are_the_ones_text_never_holds():
    """The C-level count (bytes.translate) counts exactly the bytes the rule names."""
    from pipelines.decode import CONTROL_BYTES

    assert set(CONTROL_BYTES) == {b for b in range(256) if b < 9 or 13 < b < 27 or 27 < b < 32}
    sample = bytes(range(256)) * 3
    assert len(sample) - len(sample.translate(None, CONTROL_BYTES)) == \
        sum(1 for b in sample if b < 9 or 13 < b < 27 or 27 < b < 32)
