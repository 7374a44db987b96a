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


SAMPLES = [
    "3栋2单元楼道灯不亮 / corridor light out #7",
    "晚上楼道很黑，老人上下楼不安全。The corridor is dark at night; unsafe for the elderly.",
    "狗 on the lawn, Café Élan's 'sign' \\ broken",
    "",
    "!!! ???",
    "楼",
]


def _lexemes(literal: str) -> set[str]:
    return {part.strip("'") for part in literal.split(" ")} if literal else set()


def test_an_issues_stored_terms_are_exactly_the_terms_of_its_texts() -> None:
    expected = {term for text in SAMPLES for term in terms(text)}

    assert _lexemes(tsvector_literal(*SAMPLES)) == expected


def test_no_term_spans_two_texts() -> None:
    assert "楼道" not in _lexemes(tsvector_literal("一楼", "道路"))


def test_links_are_counted_whatever_their_case_and_in_every_text() -> None:
    assert looks_like_spam("HTTP://A.XYZ", "Www.B.Top", "cheap C.SHOP", max_links=2)
    assert not looks_like_spam("HTTP://A.XYZ", None, "Www.B.Top", max_links=2)
