"""Scoring candidates from their stored tokens (SQLite's ranking): what makes an entry
rank above another, whatever the database says about the rest of the index."""

from kb.search.ranking import scores
from kb.search.tokenise import index_tokens, normalise, term_pattern


def _candidate(heading="", title="", topics="", body=""):
    return [" ".join(index_tokens(text)) for text in (heading, title, topics, body)]


def _terms(query):
    return [[term_pattern(normalise(word))] for word in query.split()]


def test_a_heading_match_beats_a_passing_mention_in_a_longer_body():
    heading, mention = scores(_terms("決済"), [
        _candidate(heading="モバイル決済", body="スマホで払う仕組み。"),
        _candidate(heading="概要", body="通りがかりに決済と書く長い本文。" * 3),
    ])
    assert heading > mention


def test_a_denser_body_beats_a_sparser_one_of_the_same_length():
    dense, sparse = scores(_terms("規制"), [
        _candidate(body="規制と規制と規制の話。"),
        _candidate(body="規制と制度と標準の話。"),
    ])
    assert dense > sparse


def test_every_term_counts_and_a_one_character_term_is_a_prefix():
    # 党 is a prefix: it counts in the tokens 党の and 党 alike.
    both, one = scores(_terms("党 規制"), [_candidate(body="党の規制。"), _candidate(body="党の方針。")])
    assert both > one > 0


def test_a_phrase_counts_only_where_its_tokens_are_consecutive():
    together, apart = scores(_terms("デジタル"), [_candidate(body="デジタル"), _candidate(body="デジとタル")])
    assert together > 0 and apart == 0
