"""The Scrapy side of provnews: settings, the config-driven spider and the TOML site registry."""
