"""Full-text search terms for Chinese and English, computed in Python.

PostgreSQL has no Chinese parser here, and its default parser under the C.UTF-8 locale
does not reliably treat CJK characters as letters, so we never let it tokenize: Chinese
runs become character unigrams and bigrams, other text lowercase words, and both the
stored tsvector and the query are written as quoted lexemes the database takes verbatim.
"""

from __future__ import annotations

import re

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RUN = re.compile(f"[{_CJK}]+")
_WORD = re.compile(r"[0-9a-z\u00c0-\u024f]+")
MAX_QUERY_TERMS = 32


def _cjk_terms(run: str, *, unigrams: bool) -> list[str]:
    bigrams = [run[i : i + 2] for i in range(len(run) - 1)]
    if len(run) == 1 or unigrams:
        return list(run) + bigrams
    return bigrams


def _found(text: str, *, for_query: bool) -> list[str]:
    lowered = text.lower()
    found: list[str] = []
    for run in _CJK_RUN.findall(lowered):
        found.extend(_cjk_terms(run, unigrams=not for_query))
    found.extend(_WORD.findall(_CJK_RUN.sub(" ", lowered)))
    return found


def terms(text: str, *, for_query: bool = False) -> list[str]:
    """The lexemes of `text`: CJK unigrams+bigrams (a query uses bigrams, or the lone character), words."""
    return list(dict.fromkeys(_found(text, for_query=for_query)))


def _quote(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


_CJK_CHAR = re.compile(f"[{_CJK}]")
_CJK_PAIR = re.compile(f"(?=([{_CJK}]{{2}}))")  # a lookahead, so the pairs overlap: every bigram of every run


def tsvector_literal(*texts: str) -> str:
    """A tsvector literal of the lexemes of `texts` (cast with ::tsvector): the same set as `terms` finds.

    Every new issue computes this, so its lexemes come from three regex scans of the joined texts
    (loops in C) rather than a Python loop over each run, and are left unsorted: PostgreSQL sorts a
    tsvector's lexemes and drops repeats as it reads one. A newline between the texts keeps a
    bigram from spanning two of them. The scans' character classes hold no quote and no backslash,
    so the lexemes are quoted at once, without escapes."""
    lowered = "\n".join(texts).lower()
    lexemes = dict.fromkeys([*_CJK_CHAR.findall(lowered), *_CJK_PAIR.findall(lowered), *_WORD.findall(lowered)])
    return "'" + "' '".join(lexemes) + "'" if lexemes else ""


def tsquery_literal(query: str) -> str | None:
    """A tsquery literal matching every term of `query` (English words also as prefixes); None if empty."""
    found = terms(query, for_query=True)[:MAX_QUERY_TERMS]
    if not found:
        return None
    parts = []
    for term in found:
        prefix = ":*" if _WORD.fullmatch(term) else ""
        parts.append(_quote(term) + prefix)
    return " & ".join(parts)
