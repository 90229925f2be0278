"""The index follows every write, in the same transaction, and can be rebuilt."""

import io
import random
import re
import unicodedata

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from kb.library import services as library_services
from kb.models import Article, Passage, SearchEntry, Section, Topic, TopicAlias
from kb.passages import services as passage_services
from kb.search import index as search_index
from kb.search.backends import get_backend
from kb.search.engine import search
from kb.search.query import parse
from tests.html_forms import inline_post


def found_sections(query: str) -> set[int]:
    """Section ids the index matches for ``query`` as typed (no alias expansion)."""
    terms = [t.patterns for t in parse(query, expand=False).terms]
    backend = get_backend()
    matches = backend.texts(terms)
    rest = backend.tail(matches, articles=None, topic_id=None, offset=0, limit=100_000)
    return {c.section_id for c in matches.ranked + rest} - {None}


def fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold().replace("・", "")


def substring_truth(query: str) -> set[int]:
    """Sections whose heading or text contains every term (after folding); a Latin or
    digit edge of a term must be a word edge, as the index matches whole words."""
    patterns = []
    for term in query.split():
        term = fold(term)
        pattern = re.escape(term)
        if re.match(r"[a-z0-9]", term):
            pattern = r"(?<![a-z0-9])" + pattern
        if re.search(r"[a-z0-9]$", term):
            pattern += r"(?![a-z0-9])"
        patterns.append(re.compile(pattern))
    return {
        s.pk
        for s in Section.objects.all()
        if all(p.search(fold(s.heading)) or p.search(fold(s.plain_text)) for p in patterns)
    }


ISSUE_QUERIES = [
    "党", "元", "中国", "規制", "金融", "中ロ", "生成AIサービス管理暫定弁法", "越境プライバシールール",
    "アント・グループ", "アントグループ", "ｱﾝﾄ･ｸﾞﾙｰﾌﾟ", "生成AI 規制", "ＡＩ", "ai", "ｱﾘﾊﾞﾊﾞ",
    "デジタルシルクロード", "第三者支払", "金融包摂", "2019年", "5G", "WeChat", "B2B2C",
]


def test_recall_equals_substring_truth_on_the_corpus(corpus):
    texts = [fold(s.plain_text) for s in Section.objects.order_by("pk")]
    rng = random.Random(4)
    sampled = set()
    while len(sampled) < 300:
        text = rng.choice(texts)
        length = rng.choice([1, 2, 2, 3, 4, 6])
        start = rng.randrange(max(1, len(text) - length))
        piece = text[start : start + length]
        if re.fullmatch(r"[\u3041-\u30ff\u4e00-\u9fff]+", piece):
            sampled.add(piece)
    missed = {}
    for query in [*ISSUE_QUERIES, *sorted(sampled)]:
        truth = substring_truth(query)
        found = found_sections(query)
        if truth - found:
            missed[query] = len(truth - found)
        # Over-matching is limited to the article title and topic labels, which are
        # indexed with each section: every found section contains each term somewhere.
        assert found <= truth | title_or_topic_hits(query), query
    assert missed == {}


def title_or_topic_hits(query: str) -> set[int]:
    terms = [fold(t) for t in query.split()]
    hits = set()
    for s in Section.objects.select_related("article").prefetch_related("topics"):
        labels = fold(" ".join([s.heading, s.plain_text, s.article.title,
                                *(f"{t.name} {t.name_en}" for t in s.topics.all())]))
        if all(term in labels or term in labels.replace(" ", "") for term in terms):
            hits.add(s.pk)
    return hits


def test_create_article_indexes_sections_article_and_new_topics(make_article):
    article = make_article(
        title="中国とロシア", publisher="FSI",
        sections=[("大国間競争", "中ロの**パートナーシップ**は深化。", ["新しい論点"])],
    )
    section = article.sections.get()
    assert found_sections("パートナーシップ") == {section.pk}
    assert found_sections("新しい論点") == {section.pk}  # through the section's topic labels
    results = search("新しい論点")
    assert [t.name for t, _ in results.topics] == ["新しい論点"]
    assert [a.title for a, _ in search("FSI").articles] == ["中国とロシア"]


def test_a_failed_create_leaves_no_entry(make_article):
    make_article(slug="taken", sections=[("一", "既存の本文", [])])
    before = SearchEntry.objects.count()
    with pytest.raises(ValidationError):
        make_article(slug="taken", sections=[("二", "新しい本文", [])])
    assert SearchEntry.objects.count() == before
    assert found_sections("新しい本文") == set()


def test_admin_section_edit_updates_the_index_in_the_same_request(editor_client, make_article):
    article = make_article(sections=[("一", "古い言葉の本文", [])])
    response = editor_client.post(
        reverse("admin:kb_article_change", args=[article.pk]),
        inline_post(article, {"sections-0-body": "越境プライバシールールの本文"}),
    )
    assert response.status_code == 302
    section = article.sections.get()
    assert found_sections("越境プライバシールール") == {section.pk}
    assert found_sections("古い言葉") == set()


def test_admin_article_title_edit_reaches_every_section(editor_client, make_article):
    article = make_article(title="旧題", sections=[("一", "本文", []), ("二", "本文", [])])
    editor_client.post(
        reverse("admin:kb_article_change", args=[article.pk]),
        inline_post(article, {"title": "デジタル人民元の行方"}),
    )
    assert found_sections("人民元") == set(article.sections.values_list("pk", flat=True))
    assert [a.title for a, _ in search("人民元").articles] == ["デジタル人民元の行方"]


def test_admin_topic_alias_extends_queries_and_the_page_says_so(editor_client, client, make_article):
    topic = Topic.objects.create(slug="huawei", name="ファーウェイ")
    make_article(sections=[
        ("制裁", "華為技術に対する制裁。", []),
        ("英語", "Huawei の 5G 事業。", []),
        ("片仮名", "ファーウェイの研究開発。", []),
        ("無関係", "アリババの戦略。", []),
    ])
    assert {h.section.heading for h in search("ファーウェイ").hits} == {"片仮名"}
    response = editor_client.post(reverse("admin:kb_topic_change", args=[topic.pk]), {
        "name": "ファーウェイ", "name_en": "", "slug": "huawei", "description": "",
        "aliases-TOTAL_FORMS": "2", "aliases-INITIAL_FORMS": "0",
        "aliases-MIN_NUM_FORMS": "0", "aliases-MAX_NUM_FORMS": "1000",
        "aliases-0-name": "華為", "aliases-1-name": "Huawei",
    })
    assert response.status_code == 302
    results = search("ファーウェイ")
    headings = [h.section.heading for h in results.hits]
    assert set(headings) == {"制裁", "英語", "片仮名"} and headings[0] == "片仮名"
    html = client.get(reverse("kb:search"), {"q": "ファーウェイ"}).content.decode()
    assert "<mark>華為</mark>技術" in html and "その別名でも検索しました" in html
    # The topic is shown beside the results with its aliases.
    assert re.search(r'class="aliases">（[^<]*華為', html)
    # Quoted, a term means exactly what was typed.
    assert {h.section.heading for h in search('"ファーウェイ"').hits} == {"片仮名"}


def test_admin_topic_rename_and_delete_reindex_tagged_sections(editor_client, make_article):
    topic = Topic.objects.create(slug="t", name="旧ラベル")
    article = make_article(sections=[("一", "本文", ["t"])])
    section = article.sections.get()
    editor_client.post(reverse("admin:kb_topic_change", args=[topic.pk]), {
        "name": "新ラベル", "name_en": "", "slug": "t", "description": "",
        "aliases-TOTAL_FORMS": "0", "aliases-INITIAL_FORMS": "0",
        "aliases-MIN_NUM_FORMS": "0", "aliases-MAX_NUM_FORMS": "1000",
    })
    assert found_sections("新ラベル") == {section.pk} and found_sections("旧ラベル") == set()
    editor_client.post(reverse("admin:kb_topic_delete", args=[topic.pk]), {"post": "yes"})
    assert not Topic.objects.filter(pk=topic.pk).exists()
    assert found_sections("新ラベル") == set()
    assert SearchEntry.objects.get(section=section).topic_ids == []


def test_deleting_an_article_removes_its_entries_and_tokens(make_article):
    article = make_article(sections=[("一", "消える本文", [])])
    article.delete()
    assert not SearchEntry.objects.filter(article_id=article.pk).exists()
    patterns = [parse("消える本文", expand=False).terms[0].patterns]
    assert get_backend().texts(patterns).total == 0
    assert get_backend().match(patterns, doc_types=["article"])[0] == []


def test_rebuild_command_rebuilds_from_scratch_with_progress(corpus):
    before = {q: found_sections(q) for q in ["中国", "党", "アント・グループ"]}
    SearchEntry.objects.all().delete()
    assert found_sections("中国") == set()
    err = io.StringIO()
    call_command("rebuild_search_index", stderr=err, stdout=io.StringIO())
    assert {q: found_sections(q) for q in before} == before
    total = sum(m.objects.count() for m in (Section, Passage, Article, Topic))
    assert f"{total}/{total}" in err.getvalue() and "100%" in err.getvalue()
    assert SearchEntry.objects.count() == total


def test_alias_rows_are_read_in_one_query(django_assert_num_queries, make_article):
    topic = Topic.objects.create(slug="x", name="華為")
    TopicAlias.objects.create(topic=topic, name="ファーウェイ")
    library_services.create_missing_topics([])  # a no-op write path must not fail either
    from kb.search import index

    index.reindex_topics([topic.pk])
    with django_assert_num_queries(1):
        query = parse("ファーウェイ 制裁")
    assert query.terms[0].expansions == ["華為"] and query.terms[1].expansions == []


def test_fast_and_offset_keeping_normalisation_agree_on_every_section(corpus):
    from kb.search.tokenise import index_tokens, normalise, normalise_with_spans, tokenise

    for section in Section.objects.all():
        for text in (section.plain_text, section.heading, section.plain_text.replace("ア", "ｱ")):
            assert normalise_with_spans(text)[0] == normalise(text)
            assert index_tokens(text) == [t.text for t in tokenise(normalise(text))]


def test_folded_forms_find_each_other_and_highlight_the_original(make_article):
    make_article(sections=[("一", "\u2fa7期のＡＩ戦略とｱﾘﾊﾞﾊﾞ、アント・グループ。", [])])
    for query in ["長期", "AI", "ａｉ", "アリババ", "アントグループ", "ｱﾝﾄ･ｸﾞﾙｰﾌﾟ"]:
        assert len(search(query).hits) == 1, query
    assert "<mark>\u2fa7期</mark>" in search("長期").hits[0].snippet
    assert "<mark>ＡＩ</mark>" in search("ai").hits[0].snippet
    assert "<mark>ｱﾘﾊﾞﾊﾞ</mark>" in search("アリババ").hits[0].snippet


def test_topic_rename_and_merge_services_reindex_the_tagged_sections(make_article):
    source = Topic.objects.create(slug="a", name="旧トピック")
    target = Topic.objects.create(slug="b", name="統合先トピック")
    article = make_article(sections=[("一", "本文", ["a"]), ("二", "本文", ["b"])])
    first, second = article.sections.order_by("position")
    library_services.rename_topic(topic=source, name="改名トピック", slug="a")
    assert found_sections("改名トピック") == {first.pk} and found_sections("旧トピック") == set()
    source_id = source.pk
    library_services.merge_topics(source=source, target=target)
    assert found_sections("統合先トピック") == {first.pk, second.pk}
    # The merged topic's names are now aliases of the target, and expand queries.
    assert {h.section.pk for h in search("改名トピック").hits} == {first.pk, second.pk}
    assert not SearchEntry.objects.filter(topic_id=source_id).exists()


def test_deleted_entries_leave_no_tokens_in_either_index(make_article, analyst):
    """On SQLite a trigger deletes the tokens of a deleted entry from every FTS5 table
    (0007 and 0010 recreate it for the tables of articles and topics, and of heads)."""
    from django.db import connection


    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL keeps the tokens in the entry's own row")
    article = make_article(sections=[("一", "消える本文", [])])
    passage_services.create_passage(section=article.sections.get(), analyst=analyst, exact="消える",
                            topics=["タグ"], note="メモ")
    ids = list(SearchEntry.objects.filter(article=article).values_list("pk", flat=True))
    assert len(ids) == 3  # the article, its section, the passage
    passage_services.delete_article(article=article)
    with connection.cursor() as cursor:
        for table in ("kb_search_fts", "kb_search_head_fts", "kb_search_side_fts"):
            cursor.execute(
                f"SELECT count(*) FROM {table} WHERE rowid IN ({', '.join(map(str, ids))})"
            )
            assert cursor.fetchone()[0] == 0


ABOUT_PAYMENTS = ("モバイル決済は都市部で急速に普及した。店舗はQRコードを掲示するだけで導入でき、"
                  "利用者は手数料を負担しない。決済の履歴は与信や広告にも使われ、規制当局は"
                  "決済事業者に資本金と顧客資金の分別管理を求めるようになった。")


def test_the_section_about_a_term_ranks_first_wherever_it_was_stored(make_article, monkeypatch):
    """Which matches are ranked is chosen by relevance over all of them, not by storage
    order: with room to rank only three, the section about 決済, stored after six passing
    mentions, still comes first; and every match is counted and reachable by paging."""
    monkeypatch.setattr(type(get_backend()), "cap", 3)
    make_article(title="古い報告", sections=[(f"節{i}", "通りがかりに決済と書く。" + "他の話。" * 30, [])
                                         for i in range(6)])
    make_article(title="新しい報告", sections=[("仕組み", ABOUT_PAYMENTS, [])])
    results = search("決済")
    assert not results.capped and results.total == 7
    assert results.hits[0].section.heading == "仕組み"
    paged = {hit.section.pk for page in (1, 2, 3)
             for hit in search("決済", page=page, per_page=3).hits}
    assert len(paged) == 7


def test_past_ranking_every_match_a_heading_match_is_still_ranked_first(make_article, monkeypatch):
    """When more match than are worth ranking one by one, the first few are ranked with
    those matching in a heading, title or topic (SQLite: the head table; PostgreSQL: the
    head vector), wherever they are; the others follow, unranked but reachable."""
    monkeypatch.setattr(type(get_backend()), "cap", 3)
    monkeypatch.setattr(type(get_backend()), "rank_all", 3)
    make_article(title="古い報告", sections=[(f"節{i}", "通りがかりに決済と書く。", []) for i in range(6)])
    make_article(title="新しい報告", sections=[("モバイル決済の仕組み", "決済の話。決済の普及。", [])])
    results = search("決済")
    assert results.hits[0].section.heading == "モバイル決済の仕組み"
    reached = {hit.section.pk for page in (1, 2, 3) for hit in search("決済", page=page, per_page=3).hits}
    assert reached >= set(Section.objects.values_list("pk", flat=True))


def test_past_what_one_search_holds_the_page_says_more_than(client, make_article, monkeypatch):
    monkeypatch.setattr(type(get_backend()), "cap", 2)
    monkeypatch.setattr(type(get_backend()), "match_cap", 4)
    make_article(sections=[(f"節{i}", "決済の話。", []) for i in range(6)])
    results = search("決済")
    assert results.capped and 4 <= results.total < 6
    html = client.get("/search/", {"q": "決済"}, headers={"accept-language": "en"}).content.decode()
    assert f"More than {results.total} sections" in html


def test_a_caption_does_not_outrank_the_section_that_discusses_the_term(make_article):
    """BM25's length normalisation favours a short text: a figure caption naming the term
    in its heading would win without the prior against very short sections."""
    make_article(title="白書", sections=[
        ("図表1-2 医療の推移", "（出典）総務省「医療に関する調査」", []),
        ("地域の取組", "遠隔医療の利用者は三年で倍増した。山間部の診療所ではオンライン診療が"
         "定着し、薬の配送と組み合わせた仕組みも試されている。医療情報の連携には本人の同意と"
         "安全管理が欠かせず、自治体は医療データの共有基盤づくりを急いでいる。病院と介護施設の"
         "間では紹介状や検査結果を電子的に受け渡す試みが広がり、重複する検査が減ったという。"
         "一方で、通信環境の整わない地域では高齢者の利用が伸びず、医療機関への支援が求められる。", []),
    ])
    assert search("医療").hits[0].section.heading == "地域の取組"


def test_past_the_cap_a_filter_still_finds_what_only_an_alias_matches(make_article, monkeypatch):
    """Filters apply to the ranked candidates: when what was typed fills them, the alias
    matches are still added so that a filter excluding all of it does not empty the page."""
    from kb.search import index
    from kb.search.engine import SearchFilters

    monkeypatch.setattr(type(get_backend()), "cap", 2)
    topic = Topic.objects.create(slug="huawei", name="ファーウェイ")
    TopicAlias.objects.create(topic=topic, name="華為")
    index.reindex_topics([topic.pk])
    make_article(kind="column", sections=[(f"節{i}", "ファーウェイの話。", []) for i in range(3)])
    make_article(kind="report", sections=[("報告", "華為の5G。", [])])
    results = search("ファーウェイ", filters=SearchFilters(kind="report"))
    assert [hit.section.heading for hit in results.hits] == ["報告"]


def _plan_nodes(node: dict):
    yield node
    for child in node.get("Plans", ()):
        yield from _plan_nodes(child)


def test_postgresql_reads_the_shards_in_turn_and_stops_at_the_first_that_has_enough(make_article):
    """A bitmap index scan cannot stop early, so sections' and passages' GIN indexes are
    split in four by id (migration 0011): the match reads them in order under one LIMIT,
    and never the whole table."""
    from django.db import connection, transaction

    from kb.search.backends import PG_SHARDS
    from kb.search.tokenise import term_pattern

    if connection.vendor != "postgresql":
        pytest.skip("SQLite's FTS5 tables stop at the LIMIT by themselves")
    make_article(sections=[(f"規制{i}", "規制の話。", []) for i in range(4 * PG_SHARDS)])
    backend = get_backend()
    query = backend.compile([[term_pattern("規制")]])

    def scans(column: str, cap: int) -> list[tuple[str, int]]:
        with backend.session(), connection.cursor() as cursor:
            sql, params = backend.statement(column, query, {"passage", "section"}, cap, True)
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
            nodes = list(_plan_nodes(cursor.fetchone()[0][0]["Plan"]))
        assert not [n for n in nodes if n["Node Type"] == "Seq Scan"]
        return [(n["Index Name"], n["Actual Loops"])
                for n in nodes if n["Node Type"] == "Bitmap Index Scan"]

    for column, other in (("vector", "head"), ("head", "vector")):
        with transaction.atomic():
            # At 17 rows the planner may rather read the doc_type index, or the other
            # column's shard for its condition alone; without them (until this savepoint
            # rolls back), a shard's condition is served by that shard's GIN index on
            # ``column``, or by reading the whole table.
            with connection.cursor() as cursor:
                cursor.execute("DROP INDEX kb_searchentry_doc_type, " + ", ".join(
                    f"kb_searchentry_{other}_{k}" for k in range(PG_SHARDS)))
            # The 16 sections' entries have consecutive ids, 3 to 5 in each shard: 3 are
            # found in the first alone...
            assert scans(column, 3) == [(f"kb_searchentry_{column}_{k}", int(k == 0))
                                        for k in range(PG_SHARDS)]
            # ...all 16 only by reading every shard.
            assert scans(column, 100) == [(f"kb_searchentry_{column}_{k}", 1)
                                          for k in range(PG_SHARDS)]
            transaction.set_rollback(True)


def test_an_entry_does_not_depend_on_the_order_the_database_returns_topics(make_article, analyst):
    """Prefetched tags come unordered (PostgreSQL returns them in storage order, which
    every UPDATE changes): the labels must be indexed in an order of their own, or an
    entry differs from its rebuild and a phrase across two labels matches only sometimes."""
    article = make_article(sections=[("一", "本文です。", ["デジタル一帯一路", "金融", "信用スコア"])])
    passage = passage_services.create_passage(section=article.sections.get(), analyst=analyst,
                                      exact="本文", topics=["金融", "信用スコア"])
    for obj, fields in ((Section.objects.prefetch_related("topics").get(article=article),
                         search_index._section_fields),
                        (Passage.objects.prefetch_related("topics").get(pk=passage.pk),
                         search_index._passage_fields)):
        before = fields(obj)
        obj._prefetched_objects_cache["topics"]._result_cache.reverse()
        assert fields(obj) == before


def test_the_rebuild_runs_as_a_background_job_too(corpus, settings):
    from kb.search import jobs as search_jobs
    from kb.site import jobs
    from kb.site.models import Job

    SearchEntry.objects.all().delete()
    out = io.StringIO()
    call_command("rebuild_search_index", "--background", stdout=out)  # tests run tasks at once
    job = Job.objects.get()
    total = sum(m.objects.count() for m in (Section, Passage, Article, Topic))
    assert str(job.token) in out.getvalue()
    assert job.state == "done" and job.result == {"entries": total}
    assert SearchEntry.objects.count() == total
    # One transaction: it can be cancelled while it waits for a worker, not half-way.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    waiting, running = search_jobs.start_rebuild(), search_jobs.start_rebuild()
    Job.objects.filter(pk=running.pk).update(state="running")
    assert jobs.cancel(job=waiting) and not jobs.cancel(job=running)
