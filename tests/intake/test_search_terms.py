"""Search terms computed in Python: Chinese bigrams and English words, quoted for PostgreSQL."""

from __future__ import annotations

from services.intake.domain.search import terms, tsquery_literal, tsvector_literal
from services.intake.domain.spam import looks_like_spam


def test_chinese_text_becomes_unigrams_and_bigrams_and_english_lowercase_words() -> None:
    assert terms("楼道堆物 Broken LIGHT") == ["楼", "道", "堆", "物", "楼道", "道堆", "堆物", "broken", "light"]


def test_a_chinese_query_uses_bigrams_and_a_lone_character_itself() -> None:
    assert tsquery_literal("楼道堆物") == "'楼道' & '道堆' & '堆物'"
    assert tsquery_literal("狗") == "'狗'"
    assert tsquery_literal("dog") == "'dog':*"
    assert tsquery_literal("  !! ") is None


def test_quotes_in_text_cannot_break_the_literal() -> None:
    assert tsvector_literal("it's") == "'it' 's'"
    assert tsquery_literal("o'neil") == "'o':* & 'neil':*"


def test_link_stuffed_text_is_suspect_but_one_link_is_not() -> None:
    assert not looks_like_spam("see https://example.org/photo")
    assert looks_like_spam("cheap http://a.xyz http://b.xyz www.c.top buy now", max_links=2)
