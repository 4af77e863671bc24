"""The TOML site registry: the minimal hand-written form is valid; errors name file and key."""
from __future__ import annotations

from pathlib import Path

import pytest

from crawler.registry import SiteConfigError, load_registry, load_site
from crawler.settings import PROVNEWS_SITES_DIR

MINIMAL = '''id = "km-gov"
name = "昆明市人民政府"
province = "云南"
start_urls = ["http://www.km.gov.cn/c/kmyw/"]
allowed_domains = ["km.gov.cn"]
[links]
article = ['/c/\\d{4}-\\d\\d-\\d\\d/\\d+\\.shtml$']
follow = ['/c/kmyw/index_\\d+\\.shtml$']
'''


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / f"{name}.toml"
    p.write_text(text, encoding="utf-8")
    return p


def test_minimal_form_from_the_issue_is_valid(tmp_path):
    site = load_site(write(tmp_path, "km-gov", MINIMAL))
    assert site.id == "km-gov" and site.allowed_domains == ("km.gov.cn",)
    assert site.article_patterns == (r"/c/\d{4}-\d\d-\d\d/\d+\.shtml$",)
    assert site.verified is False and site.delay is None


@pytest.mark.parametrize("edit,key,problem", [
    (lambda t: t.replace('name = "昆明市人民政府"\n', ""), "name", "missing required key"),
    (lambda t: t.replace("[links]", "[links]\nartcle = ['x']"), "links.artcle", "unknown key"),
    (lambda t: t.replace("'/c/kmyw/index_", "'/c/(kmyw/index_"), "links.follow[0]", "bad regex"),
    (lambda t: t.replace('["km.gov.cn"]', '["http://km.gov.cn/"]'), "allowed_domains[0]", "bare domain"),
    (lambda t: t.replace('["http://www.km.gov.cn/c/kmyw/"]', '["www.km.gov.cn"]'), "start_urls[0]",
     "not an http"),
    (lambda t: t + "[politeness]\ndelay = \"fast\"\n", "politeness.delay", "non-negative number"),
    (lambda t: t + "[list]\nmax_pages = true\n", "list.max_pages", "expected int"),
    (lambda t: t.replace("[links]", 'encoding = "klingon"\n[links]'), "encoding", "unknown encoding"),
    (lambda t: t + "[extract]\nprune = ['//div[@class=']\n", "extract.prune[0]", "bad XPath"),
    (lambda t: t.replace('id = "km-gov"', 'id = "other"'), "id", "must equal the file name"),
])
def test_bad_site_file_names_the_file_and_the_key(tmp_path, edit, key, problem):
    path = write(tmp_path, "km-gov", edit(MINIMAL))
    with pytest.raises(SiteConfigError) as info:
        load_site(path)
    assert info.value.key == key
    assert problem in info.value.problem
    assert str(path) in str(info.value) and key in str(info.value)


def test_invalid_toml_names_the_file(tmp_path):
    path = write(tmp_path, "broken", "id = \n")
    with pytest.raises(SiteConfigError, match="not valid TOML") as info:
        load_site(path)
    assert str(path) in str(info.value)


def test_one_bad_file_does_not_stop_the_registry(tmp_path):
    write(tmp_path, "km-gov", MINIMAL)
    write(tmp_path, "broken", "id = 'broken'\n")
    reg = load_registry(tmp_path)
    assert list(reg.sites) == ["km-gov"]
    assert [Path(e.path).name for e in reg.errors] == ["broken.toml"]
    with pytest.raises(SiteConfigError, match="broken.toml: name: missing required key"):
        reg.get("broken")


YUNNAN = ("yn-gov", "km-gov", "yunnan-cn", "kunming-cn", "yn-sina", "ketdz", "yn-people")
DIVISIONS = ("北京 天津 河北 山西 内蒙古 辽宁 吉林 黑龙江 上海 江苏 浙江 安徽 福建 江西 山东 河南 湖北 湖南 "
             "广东 广西 海南 重庆 四川 贵州 云南 西藏 陕西 甘肃 青海 宁夏 新疆").split()


def test_shipped_yunnan_sources_keep_their_explicit_patterns():
    reg = load_registry(PROVNEWS_SITES_DIR)
    for site_id in YUNNAN:
        site = reg.get(site_id)
        assert site.province == "云南" and site.start_urls and site.article_patterns


def test_shipped_registry_covers_every_province_with_a_portal_and_a_news_site():
    """Every provincial-level division has both kinds; all load, none claims a live check."""
    reg = load_registry(PROVNEWS_SITES_DIR)
    assert reg.errors == []
    assert len(reg.sites) >= 62
    kinds: dict[str, set[str]] = {}
    for site in reg.sites.values():
        assert site.province in DIVISIONS, (site.id, site.province)
        assert site.kind in ("gov", "news", "portal") and site.verified is False, site.id
        kinds.setdefault(site.province, set()).add(site.kind)
        for url in site.start_urls:  # a start page outside allowed_domains would be dropped
            host = url.split("/")[2]
            assert any(host == d or host.endswith("." + d) for d in site.allowed_domains), (site.id, url)
        # the evidence for the domains and URL shapes is the file's leading comment
        assert Path(site.path).read_text(encoding="utf-8").startswith("# "), site.id
    assert {p for p, k in kinds.items() if {"gov", "news"} <= k} == set(DIVISIONS)
