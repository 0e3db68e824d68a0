"""Joining air activity and news: the timeline (and, next, the brief)."""
