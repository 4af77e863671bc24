"""The spiders Scrapy finds through SPIDER_MODULES: one config-driven `news` spider.

A package (not a bare folder) so that it imports from a zipped egg, which is how Scrapyd runs it.
"""
