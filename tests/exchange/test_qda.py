"""REFI-QDA project export (.qdpx): valid against the official schema, selections that cut
exactly each passage out of its source, stable GUIDs, streaming downloads, fixed cost."""

import io
import zipfile

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from kb.exchange import qda
from kb.library import services as library_services
from kb.models import Passage, Section, Topic
from kb.passages import services as passage_services
from tests.exchange.refi import NS, code_tree, open_qdpx

SECTIONS = [
    ("はじめに", "中国のデジタル経済は𠮷野家の比喩で語られる。アリババとテンセントが主役だ。", ["platformers"]),
    ("", "デジタル人民元（e-CNY）は2020年に試験導入された。", ["digital-yuan"]),
    ("結論", "Huawei と 5G の話。最後の文。", ["platformers"]),
]


@pytest.fixture
def coded(make_article, analyst, editor):
    """Two articles, topics in a hierarchy, passages by two people (one orphaned)."""
    parent = Topic.objects.create(slug="platforms", name="プラットフォーム", colour="#1f77b4",
                                  description="巨大IT企業。")
    Topic.objects.create(slug="platformers", name="プラットフォーマー", parent=parent)
    Topic.objects.create(slug="digital-yuan", name="デジタル人民元")
    first = make_article(title="デジタル経済", sections=SECTIONS)
    second = make_article(title="二つ目", sections=[("見出し", "テンセントの決済。", ["platformers"])])
    s1, s2, s3 = first.sections.order_by("position")
    made = [
        passage_services.create_passage(section=s1, analyst=analyst, exact="𠮷野家の比喩",
                                        topics=["platformers", "中国"], note="面白い & <重要>"),
        passage_services.create_passage(section=s1, analyst=analyst, exact="アリババとテンセント",
                                        topics=["platformers"]),
        passage_services.create_passage(section=s2, analyst=editor, exact="デジタル人民元（e-CNY）",
                                        topics=["digital-yuan"]),
        passage_services.create_passage(section=s3, analyst=analyst, exact="最後の文",
                                        topics=["digital-yuan"]),
        passage_services.create_passage(section=second.sections.get(), analyst=analyst,
                                        exact="決済", topics=["platformers"]),
    ]
    gone = passage_services.create_passage(section=s3, analyst=analyst, exact="Huawei",
                                           topics=["platformers"])
    passage_services.delete_sections(sections=Section.objects.filter(pk=s3.pk))
    return {"passages": made[:3] + [made[4]], "orphan": gone, "articles": [first, second]}


def _export(scope=None, **kwargs) -> bytes:
    out = io.BytesIO()
    qda.write_qdpx(out, scope or qda.Scope(), **kwargs)
    return out.getvalue()


def test_project_validates_and_every_selection_cuts_exactly_its_quote(coded):
    project, sources = open_qdpx(_export())
    selections = {}
    for source in project.iterfind(".//q:TextSource", NS):
        path = source.get("plainTextPath")
        assert path.startswith("internal://")
        text = sources[path.removeprefix("internal://")]
        for selection in source.iterfind("q:PlainTextSelection", NS):
            cut = text[int(selection.get("startPosition")):int(selection.get("endPosition"))]
            selections[selection.get("guid")] = (source.get("name"), cut)
    expected = {qda.guid("passage", p.pk): (p.article.title, p.exact)
                for p in Passage.objects.exclude(status="orphaned").select_related("article")}
    assert selections == expected
    assert len(expected) == 4  # the passage of the deleted section has nowhere to be


def test_project_has_codebook_users_codings_and_notes(coded, analyst):
    project, sources = open_qdpx(_export())
    assert project.get("origin") == "kb"
    tree = code_tree(project)
    names = {code[0]: code for code in tree}
    # Every topic used, with the parent a used topic sits under, its colour and memo.
    assert set(names) == {"プラットフォーム", "デジタル人民元", "中国"}
    assert names["プラットフォーム"][1:3] == ("#1f77b4", "巨大IT企業。")
    assert [child[0] for child in names["プラットフォーム"][3]] == ["プラットフォーマー"]
    users = {u.get("name") for u in project.iterfind(".//q:Users/q:User", NS)}
    assert users == {"analyst", "editor"}
    first = coded["passages"][0]
    selection = project.find(f".//q:PlainTextSelection[@guid='{qda.guid('passage', first.pk)}']", NS)
    assert selection.findtext("q:Description", namespaces=NS) == "面白い & <重要>"
    assert selection.get("creatingUser") == qda.guid("user", analyst.pk)
    coded_with = [c.find("q:CodeRef", NS).get("targetGUID")
                  for c in selection.iterfind("q:Coding", NS)]
    assert sorted(coded_with) == sorted(qda.guid("topic", t.pk) for t in first.topics.all())
    assert len(sources) == 2


def test_guids_are_stable_across_exports_and_derived_not_random(coded):
    def guids(data):
        project, _ = open_qdpx(data)
        return sorted(e.get("guid") for e in project.iter() if e.get("guid"))

    assert guids(_export()) == guids(_export())
    topic = Topic.objects.get(slug="platformers")
    assert qda.guid("topic", topic.pk) in guids(_export())
    assert qda.guid("topic", topic.pk) == qda.guid("topic", topic.pk)
    assert qda.guid("topic", topic.pk) != qda.guid("passage", topic.pk)


def test_scope_by_analyst_and_by_topic(coded, analyst):
    project, _ = open_qdpx(_export(qda.Scope(analyst=analyst)))
    assert len(project.findall(".//q:PlainTextSelection", NS)) == 3
    project, _ = open_qdpx(_export(qda.Scope(topic=Topic.objects.get(slug="digital-yuan"))))
    assert len(project.findall(".//q:PlainTextSelection", NS)) == 1
    assert [c[0] for c in code_tree(project)] == ["デジタル人民元"]


def test_an_empty_export_is_a_valid_project(db):
    project, sources = open_qdpx(_export())
    assert sources == {} and project.find("q:Sources", NS) is None


@pytest.mark.parametrize("articles", [1, 3])
def test_export_cost_does_not_grow_with_passages_or_articles(
    make_article, analyst, django_assert_num_queries, articles
):
    Topic.objects.create(slug="platformers", name="プラットフォーマー")
    for _ in range(articles):
        section = make_article(sections=SECTIONS[:1]).sections.get()
        for quote in ("中国", "アリババ", "テンセント"):
            passage_services.create_passage(section=section, analyst=analyst, exact=quote,
                                            topics=["platformers", "中国"])
    # Sources' sections; topics per passage; topics; users; article titles; selections.
    with django_assert_num_queries(6):
        data = _export()
    project, _ = open_qdpx(data)
    assert len(project.findall(".//q:PlainTextSelection", NS)) == 3 * articles


def test_export_streams_in_pieces_without_seeking(coded, monkeypatch):
    monkeypatch.setattr(qda, "PASSAGES_PER_STEP", 1)
    chunks = list(qda.stream_qdpx(qda.Scope()))
    assert len(chunks) > 2
    open_qdpx(b"".join(chunks))


def test_my_passages_download_holds_only_mine(client, coded, analyst):
    client.force_login(analyst)
    html = client.get(reverse("kb:my_passages")).content.decode()
    assert reverse("kb:passages_qdpx") in html
    response = client.get(reverse("kb:passages_qdpx"))
    assert response.streaming
    assert response["Content-Disposition"].endswith('.qdpx"')
    project, _ = open_qdpx(b"".join(response.streaming_content))
    assert {u.get("name") for u in project.iterfind(".//q:User", NS)} == {"analyst"}


def test_editors_download_everything_or_a_topic_analysts_may_not(client, coded, analyst, editor):
    client.force_login(analyst)
    assert client.get(reverse("kb:topics_qdpx")).status_code == 403
    assert client.get(reverse("kb:topic_qdpx", args=["digital-yuan"])).status_code == 403
    client.force_login(editor)
    assert reverse("kb:topics_qdpx") in client.get(reverse("kb:topics")).content.decode()
    topic_url = reverse("kb:topic_qdpx", args=["platformers"])
    assert topic_url in client.get(reverse("kb:topic", args=["platformers"])).content.decode()
    response = client.get(topic_url)
    project, _ = open_qdpx(b"".join(response.streaming_content))
    assert len(project.findall(".//q:PlainTextSelection", NS)) == 3
    # The exporting editor is a listed user, as the project's creatingUserGUID says.
    assert project.get("creatingUserGUID") == qda.guid("user", editor.pk)
    assert qda.guid("user", editor.pk) in {u.get("guid") for u in project.iterfind(".//q:User", NS)}
    assert client.get(reverse("kb:topic_qdpx", args=["nothing"])).status_code == 404


def test_export_qdpx_command(coded, analyst, tmp_path):
    target = tmp_path / "out.qdpx"
    call_command("export_qdpx", str(target), "--topic", "platformers", "--analyst", "analyst",
                 stdout=io.StringIO())
    project, _ = open_qdpx(target.read_bytes())
    assert len(project.findall(".//q:PlainTextSelection", NS)) == 3
    with pytest.raises(CommandError, match="nobody"):
        call_command("export_qdpx", str(target), "--analyst", "nobody")
    assert zipfile.is_zipfile(target)


def test_a_moved_topic_moves_in_the_export(coded):
    top = Topic.objects.get(slug="digital-yuan")
    library_services.set_topic_parent(topic=top, parent=Topic.objects.get(slug="platforms"))
    project, _ = open_qdpx(_export())
    (platforms,) = [code for code in code_tree(project) if code[0] == "プラットフォーム"]
    assert [child[0] for child in platforms[3]] == ["デジタル人民元", "プラットフォーマー"]
