"""Anchoring as pure functions: offsets across UTF-16 and code points, and re-anchoring
after every kind of edit an editor makes."""

import pytest

from kb.passages.anchoring import (
    ANCHORED,
    FUZZY,
    MOVED,
    ORPHANED,
    Anchor,
    codepoint_to_utf16,
    reanchor,
    select,
    utf16_to_codepoint,
)

TEXT = "𠮷野家の調査によると、与信スコアの算出にはeCreditalのデータが使われる。"


def test_utf16_offsets_convert_to_code_points_around_a_supplementary_character():
    # 𠮷 is U+20BB7: one code point, two UTF-16 units (a surrogate pair).
    assert len(TEXT[0].encode("utf-16-le")) == 4
    assert utf16_to_codepoint(TEXT, 0) == 0
    assert utf16_to_codepoint(TEXT, 2) == 1  # just after 𠮷
    assert utf16_to_codepoint(TEXT, 3) == 2
    assert codepoint_to_utf16(TEXT, 1) == 2
    end16 = len(TEXT.encode("utf-16-le")) // 2
    assert utf16_to_codepoint(TEXT, end16) == len(TEXT)
    for i in range(len(TEXT) + 1):
        assert utf16_to_codepoint(TEXT, codepoint_to_utf16(TEXT, i)) == i


@pytest.mark.parametrize("offset", [1, -1, 10_000])
def test_utf16_offset_inside_a_surrogate_pair_or_outside_the_text_is_refused(offset):
    with pytest.raises(ValueError):
        utf16_to_codepoint(TEXT, offset)


def test_codepoint_outside_the_text_is_refused():
    with pytest.raises(ValueError):
        codepoint_to_utf16(TEXT, len(TEXT) + 1)


def test_select_keeps_32_characters_of_context():
    text = "あ" * 40 + "与信スコア" + "い" * 40
    sel = select(text, 40, 45)
    assert (sel.exact, sel.prefix, sel.suffix) == ("与信スコア", "あ" * 32, "い" * 32)
    edge = select(TEXT, 0, 3)
    assert (edge.exact, edge.prefix) == ("𠮷野家", "")


@pytest.mark.parametrize("start,end", [(5, 5), (-1, 3), (3, 2), (0, len(TEXT) + 1)])
def test_select_refuses_empty_or_outside_spans(start, end):
    with pytest.raises(ValueError):
        select(TEXT, start, end)


def _sel(text, quote, occurrence=0):
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(quote, start + 1)
    return select(text, start, start + len(quote))


def test_unchanged_text_stays_anchored():
    sel = _sel(TEXT, "eCredital")
    assert reanchor(TEXT, sel) == Anchor(ANCHORED, sel.start, sel.end)


def test_text_inserted_before_the_passage_moves_it():
    sel = _sel(TEXT, "eCredital")
    edited = "【追記】2021年の報告。" + TEXT
    anchor = reanchor(edited, sel)
    assert anchor.status == MOVED
    assert edited[anchor.start : anchor.end] == "eCredital"
    assert anchor.start == sel.start + len("【追記】2021年の報告。")


def test_lightly_edited_passage_is_found_approximately():
    text = "第一に、アリババは与信スコアの算出にeCreditalのデータを使っている。第二に、規制が強まる。"
    sel = _sel(text, "アリババは与信スコアの算出にeCreditalのデータを使っている。")
    edited = text.replace("使っている", "活用している").replace("第一に", "まず")
    anchor = reanchor(edited, sel)
    assert anchor.status == FUZZY
    assert edited[anchor.start : anchor.end] == "アリババは与信スコアの算出にeCreditalのデータを活用している。"


def test_deleted_passage_is_orphaned_keeping_its_old_span():
    sel = _sel(TEXT, "与信スコアの算出には")
    edited = "𠮷野家の調査によると、データが使われる。"
    assert reanchor(edited, sel) == Anchor(ORPHANED, sel.start, sel.end)


def test_heavily_rewritten_passage_is_orphaned_not_matched_to_noise():
    text = "アリババの信用スコアは芝麻信用と呼ばれる。"
    sel = _sel(text, "芝麻信用と呼ばれる")
    assert reanchor("テンセントは決済事業を拡大した。", sel).status == ORPHANED


def test_repeated_quote_is_told_apart_by_its_prefix_and_suffix():
    text = "北京ではデータ取引所が開設された。上海でもデータ取引所が開設された。深圳ではまだない。"
    second = _sel(text, "データ取引所", occurrence=1)
    # An insertion shifts both occurrences; the nearest to the old offset is now the first one.
    edited = "序。" * 5 + text.replace("北京では", "北京では昨年、")
    anchor = reanchor(edited, second)
    assert anchor.status == MOVED
    assert edited[anchor.start - 4 : anchor.start] == "上海でも"


def test_repeated_quote_without_distinguishing_context_takes_the_nearest():
    text = "AI、AI、AI。"
    sel = _sel(text, "AI", occurrence=2)
    edited = "X" + text
    anchor = reanchor(edited, sel)
    assert (anchor.status, anchor.start) == (MOVED, sel.start + 1)


def test_text_with_supplementary_characters_reanchors_in_code_points():
    sel = _sel(TEXT, "与信スコア")
    edited = "𠮷𠮷" + TEXT
    anchor = reanchor(edited, sel)
    assert (anchor.status, anchor.start) == (MOVED, sel.start + 2)


def test_fuzzy_match_prefers_the_candidate_nearest_the_old_position():
    text = "規制の強化について。" * 3
    sel = _sel(text, "規制の強化について", occurrence=2)
    edited = text.replace("規制の強化", "規制を強化")
    anchor = reanchor(edited, sel)
    assert anchor.status == FUZZY
    assert anchor.start == edited.rindex("規制を強化")


def test_quote_too_short_for_approximate_matching_is_orphaned():
    sel = _sel("中国の話。", "中国")
    assert reanchor("中ロの話。", sel).status == ORPHANED
