"""Helpers with no model knowledge: compilation policy, random streams, threads, files."""

__all__ = []
