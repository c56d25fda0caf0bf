"""The web app's refusals in Vietnamese, from ``rules/web_messages.yaml`` (one place, editable)."""

from __future__ import annotations

from hycompliance import rules


def message(key: str) -> str:
    """The sentence shown for ``key`` (a KeyError names a key missing from the rules file)."""
    return str(rules.load("web_messages.yaml")[key])
