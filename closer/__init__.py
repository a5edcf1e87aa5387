"""Closer: monitoring and evaluation of public institutions' social media."""

__version__ = "0.1.0"
