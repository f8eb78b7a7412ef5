"""Quotation marks around a name in running text, and never a second pair.

Event titles often bring their own (“七一”主题党日微心愿集中兑现); wrapping those again printed
““七一”主题党日…” in notices, messages and notes.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

# Marks that already quote something. Single ‘’ are left out: “‘七一’主题党日” nests correctly.
QUOTATION_MARKS = frozenset('“”"「」『』«»„')


def has_quotes(text: str) -> bool:
    return any(mark in QUOTATION_MARKS for mark in text)


def quoted(text: object) -> str:
    """“text”, unless the text already carries quotation marks of its own."""
    text = str(text).strip()
    if not text or has_quotes(text):
        return text
    return _("“%(text)s”") % {"text": text}
