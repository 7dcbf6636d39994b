"""The web pages for people: home, cities, comparison, map, query, validate form."""

from .blueprint import pages

__all__ = ["pages"]
