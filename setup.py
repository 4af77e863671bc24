"""Kept for Scrapyd: `scrapyd-deploy` builds its egg with `python setup.py bdist_egg` and, when
this file is missing, writes one of its own into the checkout (naming the project "project" and
leaving out the site files). Everything it builds from is declared in pyproject.toml.
"""
from setuptools import setup

setup()
