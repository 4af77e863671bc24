"""The 信息公开 table and the attachments fold are turned away early on extract's page_text (the
text of the first <body> in document order) plus the rest of the document. On a page whose first
<body> element is not the page's body (a <noscript><body>…</body></noscript> left in <head>, which
libxml2 keeps there), the 文号, the 发文机关 and the attachments line must still be read."""
from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.page import new_page
from pipelines.stage_pool import run_stages

MIRROR = Path(__file__).resolve().parent.parent / "data" / "mirror" / "www.dianchi-online.test" / "xxgk"
PAGES = sorted(MIRROR.rglob("*.html"))[:3]
STUB = b"<noscript><body><p>\xe8\xaf\xb7\xe5\xbc\x80\xe5\x90\xafJavaScript</p></body></noscript></head>"


def stages(body: bytes) -> dict:
    url = "http://www.dianchi-online.test/xxgk/a.html"
    page = new_page(url, site="t", body=body, status=200, headers={"Content-Type": "text/html"},
                    fetched_at="2024-05-20T00:00:00+00:00")
    return run_stages((page, {}))["article"]


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_a_body_stub_in_the_head_does_not_hide_the_info_table(path):
    raw = path.read_bytes()
    assert b"</head>" in raw
    plain, stubbed = stages(raw), stages(raw.replace(b"</head>", STUB, 1))
    assert plain["issuer"]  # the page has a 信息公开 table
    assert (stubbed["doc_number"], stubbed["issuer"]) == (plain["doc_number"], plain["issuer"])
    assert ("附件" in stubbed["body"]) == ("附件" in plain["body"])
