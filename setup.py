"""Lets ``scrapyd-deploy`` build the project egg; all metadata lives in pyproject.toml."""

from setuptools import setup

setup()
