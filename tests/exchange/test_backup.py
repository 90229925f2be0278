"""export_kb and import_kb: a backup restores the same site, and a failed restore or
import leaves nothing behind."""

import json
import re
import zipfile

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F
from django.test import Client
from django.urls import reverse

from kb.editorial import services as editorial_services
from kb.editorial.corpus import FIXTURES_DIR, load_corpus
from kb.editorial.revisions import EditConflict
from kb.exchange import backup
from kb.models import Article, Passage, Section, Topic, TopicAlias
from kb.passages import services as passage_services
from kb.text import normalise_source
from tests.hostile import HOSTILE_IDS, HOSTILE_STRINGS, executable_parts

_VOLATILE = [
    re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"'),
    # Database ids are not part of a backup: sections' and passages' (in links and in the
    # article page's data block).
    re.compile(r'data-section-id="\d+"'),
    re.compile(r'passage-\d+'),
    re.compile(r'id="p\d+"'),
    re.compile(r'/passages/\d+/'),
    re.compile(r'reattach=\d+'),
    re.compile(r'"(id|section)": \d+'),
]


@pytest.fixture
def site(make_article):
    """A small site with every kind of thing a backup holds."""
    dsr = Topic.objects.create(slug="digital-silk-road", name="デジタル一帯一路",
                               name_en="Digital Silk Road", description="**一帯一路**のデジタル版")
    huawei = Topic.objects.create(slug="huawei", name="ファーウェイ")
    dsr.see_also.add(huawei)
    TopicAlias.objects.create(topic=huawei, name="華為")
    make_article(title="中国とロシア", slug="中ロ", publisher="FSI", authors=["渡部悦和, 他"],
                 published_on="2019-11-06", summary="要約の*強調*", kind="column",
                 sections=[("一", "ファーウェイの**5G**。", ["huawei", "digital-silk-road"]),
                           ("二", "| a | b |\n|---|---|\n| 1 | 2 |", ["新しいタグ"])])
    make_article(title="デジタル経済", slug="digital", published_on="2021-04-05",
                 sections=[("三", "一帯一路と[リンク](https://example.org)。", ["digital-silk-road"])])
    return Topic.objects.count()


def _pages() -> dict[str, str]:
    reader = Client()
    urls = [reverse("kb:home"), reverse("kb:topics")]
    urls += [a.get_absolute_url() for a in Article.objects.all()]
    urls += [t.get_absolute_url() for t in Topic.objects.all()]
    pages = {}
    for url in urls:
        response = reader.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        for pattern in _VOLATILE:
            html = pattern.sub("", html)
        pages[url] = html
    return pages


@pytest.mark.parametrize("name", ["kb.zip", "kb.json"])
def test_export_then_restore_reproduces_every_page(site, tmp_path, name, capsys):
    before = _pages()
    anchors = sorted(Section.objects.values_list("article__slug", "anchor"))
    call_command("export_kb", tmp_path / name)
    assert "2 articles, 3 sections, 3 topics" in capsys.readouterr().out
    call_command("import_kb", tmp_path / name, "--replace")
    assert sorted(Section.objects.values_list("article__slug", "anchor")) == anchors
    assert TopicAlias.objects.get().name == "華為"
    after = _pages()
    assert after.keys() == before.keys()
    for url, html in before.items():
        assert after[url] == html, url


def test_restore_into_an_empty_database(site, tmp_path):
    before = _pages()
    call_command("export_kb", tmp_path / "kb.zip")
    Article.objects.all().delete()
    Topic.objects.all().delete()
    call_command("import_kb", tmp_path / "kb.zip")
    assert _pages() == before


def test_restore_refuses_to_mix_with_existing_content(site, tmp_path):
    call_command("export_kb", tmp_path / "kb.json")
    with pytest.raises(CommandError, match="already has content"):
        call_command("import_kb", tmp_path / "kb.json")
    assert Article.objects.count() == 2 and Topic.objects.count() == site


@pytest.fixture
def passages(site, analyst, editor):
    """Passages of every state: tagged with a note, by two analysts, a fuzzy one, and an
    orphan whose section was deleted."""
    first, second = Section.objects.get(heading="一"), Section.objects.get(heading="三")
    passage_services.create_passage(section=first, analyst=analyst, exact="ファーウェイ", start=0,
                            topics=["huawei", "新しいタグ"], note="制裁の**根拠**")
    fuzzy = passage_services.create_passage(section=second, analyst=analyst, exact="一帯一路",
                                    topics=["digital-silk-road"])
    Passage.objects.filter(pk=fuzzy.pk).update(status=Passage.Status.FUZZY)
    doomed = passage_services.create_passage(section=Section.objects.get(heading="二"), analyst=editor,
                                     exact="a", topics=["分析用の自由タグ"], note="表の中")
    passage_services.delete_sections(sections=Section.objects.filter(pk=doomed.section_id))
    return _passage_rows()


def _passage_rows() -> list[tuple]:
    return sorted(
        # section_anchor: an orphan's last place, which its annotation still targets
        (p.article.slug, p.section.anchor if p.section else "", p.section_anchor,
         p.analyst.username, p.exact,
         p.prefix, p.suffix, p.start, p.end, p.section_version, p.status, p.note,
         tuple(sorted(t.slug for t in p.topics.all())), p.created_at, p.updated_at)
        for p in Passage.objects.select_related("article", "section", "analyst")
    )


def _analysts_pages(analyst) -> dict[str, str]:
    client = Client()
    client.force_login(analyst)
    pages = {}
    for url in [reverse("kb:my_passages"), *(a.get_absolute_url() for a in Article.objects.all())]:
        html = client.get(url).content.decode()
        for pattern in _VOLATILE:
            html = pattern.sub("", html)
        pages[url] = html
    return pages


def test_backup_round_trip_keeps_passages_and_every_page(passages, analyst, tmp_path, capsys):
    before, mine = _pages(), _analysts_pages(analyst)
    assert "制裁の**根拠**" in mine[reverse("kb:my_passages")]
    call_command("export_kb", tmp_path / "kb.zip")
    assert "3 passages" in capsys.readouterr().out
    call_command("import_kb", tmp_path / "kb.zip", "--replace")
    assert "3 passages" in capsys.readouterr().out
    assert _passage_rows() == passages
    assert _pages() == before  # article pages (highlights' data) and topic pages (lists)
    assert _analysts_pages(analyst) == mine
    found = Client().get(reverse("kb:api-search"), {"q": "根拠"}).json()["results"]
    assert [hit["note"] for hit in found if hit["type"] == "passage"] == ["制裁の**根拠**"]


def test_passages_need_their_analysts_accounts(passages, tmp_path):
    call_command("export_kb", tmp_path / "kb.json")
    data = json.loads((tmp_path / "kb.json").read_text(encoding="utf-8"))
    data["passages"][0]["analyst"] = "gone"
    data["sha256"] = backup.content_digest(data)  # a consistent file, not a damaged one
    (tmp_path / "kb.json").write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CommandError, match="no account here: gone"):
        call_command("import_kb", tmp_path / "kb.json", "--replace")
    assert _passage_rows() == passages


def test_a_version_1_backup_does_not_replace_passages(passages, tmp_path):
    call_command("export_kb", tmp_path / "kb.json")
    data = json.loads((tmp_path / "kb.json").read_text(encoding="utf-8"))
    data["version"] = 1
    del data["passages"]
    (tmp_path / "kb.json").write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CommandError, match="holds none"):
        call_command("import_kb", tmp_path / "kb.json", "--replace")
    assert _passage_rows() == passages
    Passage.objects.all().delete()
    call_command("import_kb", tmp_path / "kb.json", "--replace")  # nothing to lose now
    assert Article.objects.count() == 2


def test_a_restore_that_fails_half_way_leaves_the_old_site(site, tmp_path):
    before = _pages()
    call_command("export_kb", tmp_path / "kb.json")
    data = json.loads((tmp_path / "kb.json").read_text(encoding="utf-8"))
    data["articles"][1]["kind"] = "no-such-kind"  # the second article is invalid
    data["sha256"] = backup.content_digest(data)
    (tmp_path / "bad.json").write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CommandError, match="Nothing was restored: invalid content"):
        call_command("import_kb", tmp_path / "bad.json", "--replace")
    assert _pages() == before  # the deletion of the old content was rolled back too


def test_an_exception_during_restore_leaves_nothing_behind(site, tmp_path, monkeypatch):
    call_command("export_kb", tmp_path / "kb.json")
    Article.objects.all().delete()
    Topic.objects.all().delete()
    real, calls = editorial_services.create_article, []

    def crash_on_second(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("power cut")
        return real(**kwargs)

    monkeypatch.setattr(editorial_services, "create_article", crash_on_second)
    with pytest.raises(RuntimeError):
        call_command("import_kb", tmp_path / "kb.json")
    assert not Article.objects.exists() and not Section.objects.exists()
    assert not Topic.objects.exists() and not TopicAlias.objects.exists()


def test_an_exception_during_a_corpus_import_leaves_nothing_behind(db, tmp_path, monkeypatch):
    (tmp_path / "corpus").mkdir()
    (tmp_path / "topics.json").write_text(
        json.dumps([{"slug": "ai", "name": "AI規制", "name_en": "", "description": "",
                     "aliases": ["生成AI規制"], "see_also": []}]), encoding="utf-8")
    for n in (1, 2):
        (tmp_path / "corpus" / f"0{n}-r.json").write_text(json.dumps({
            "slug": f"r{n}", "title": f"報告{n}", "kind": "report", "publisher": "",
            "authors": [], "published_on": None, "summary": "", "source_file": "x.txt",
            "sections": [{"anchor": "s-1", "heading": "一", "body": "本文", "topics": ["ai"]}],
        }), encoding="utf-8")
    real, calls = editorial_services.create_article, []

    def crash_on_second(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(**kwargs)

    monkeypatch.setattr(editorial_services, "create_article", crash_on_second)
    with pytest.raises(RuntimeError):
        load_corpus(tmp_path)
    assert not Article.objects.exists() and not Topic.objects.exists()
    assert not TopicAlias.objects.exists()


@pytest.mark.parametrize("content,message", [
    (b"\xff\xfe{not utf-8", "not UTF-8"),
    (b"{\"format\": ", "not a kb backup"),
    (b"[1, 2]", "not a kb backup"),
    (b'{"format": "kb-backup", "version": 99}', "version 99"),
    (b'{"format": "kb-backup", "version": 1, "topics": [{"name": "x"}], "articles": []}',
     "malformed backup"),
    (b'{"format": "kb-backup", "version": 1, "topics": [], "articles": [{"slug": "a", '
     b'"title": "t\\u0000", "kind": "report", "sections": []}]}', "NUL"),
])
def test_unreadable_backups_are_refused_with_a_reason(db, tmp_path, content, message):
    (tmp_path / "kb.json").write_bytes(content)
    with pytest.raises(CommandError, match=message):
        call_command("import_kb", tmp_path / "kb.json")
    assert not Article.objects.exists() and not Topic.objects.exists()


def test_a_zip_without_the_backup_inside_is_refused(db, tmp_path):
    with zipfile.ZipFile(tmp_path / "kb.zip", "w") as archive:
        archive.writestr("other.txt", "x")
    with pytest.raises(CommandError, match="holds no kb.json"):
        call_command("import_kb", tmp_path / "kb.zip")


@pytest.mark.parametrize("text", HOSTILE_STRINGS, ids=HOSTILE_IDS)
def test_hostile_backups_restore_whole_or_not_at_all(db, tmp_path, text):
    data = {
        "format": "kb-backup", "version": 1,
        "topics": [{"slug": "t", "name": text[:100] or "t", "description": text}],
        "articles": [{"slug": "a", "title": text[:300] or "a", "kind": "report",
                      "summary": text, "authors": text[:300],
                      "sections": [{"heading": text[:300], "body": text, "topics": ["t"]}]}],
    }
    try:
        backup.restore(data=data)
    except backup.BackupError:
        assert not Article.objects.exists() and not Topic.objects.exists()
        return
    section = Section.objects.get()
    assert section.body == normalise_source(text)  # whole, not truncated
    reader = Client(raise_request_exception=False)
    for url in ["/", "/topics/t/", Article.objects.get().get_absolute_url()]:
        response = reader.get(url)
        assert response.status_code == 200
        assert executable_parts(response.content.decode()) == []


def _edit_zip(path, edit) -> None:
    """Rewrite the kb.json inside a backup ZIP after ``edit(data)``, leaving the rest as
    it was: what a person fixing a backup by hand, or a damaged copy, produces."""
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    data = json.loads(members[backup.ZIP_MEMBER].decode("utf-8"))
    edit(data)
    members[backup.ZIP_MEMBER] = json.dumps(data, ensure_ascii=False).encode("utf-8")
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)


def test_an_edited_backup_is_refused_and_changes_nothing(passages, tmp_path):
    before = _pages()
    call_command("export_kb", tmp_path / "kb.zip")

    def retitle(data):
        data["articles"][0]["title"] = "書き換えたタイトル"

    _edit_zip(tmp_path / "kb.zip", retitle)
    with pytest.raises(CommandError, match="チェックサムが一致しません"):
        call_command("import_kb", tmp_path / "kb.zip", "--replace")
    assert _pages() == before and _passage_rows() == passages


def test_an_edited_json_backup_is_refused_too(site, tmp_path):
    call_command("export_kb", tmp_path / "kb.json")
    data = json.loads((tmp_path / "kb.json").read_text(encoding="utf-8"))
    data["topics"][0]["name"] = "別名"
    (tmp_path / "kb.json").write_text(json.dumps(data), encoding="utf-8")
    Article.objects.all().delete()
    Topic.objects.all().delete()
    with pytest.raises(CommandError, match="チェックサムが一致しません"):
        call_command("import_kb", tmp_path / "kb.json")
    assert not Article.objects.exists() and not Topic.objects.exists()


def test_a_current_backup_without_its_checksum_is_refused(site, tmp_path):
    before = _pages()
    call_command("export_kb", tmp_path / "kb.zip")
    _edit_zip(tmp_path / "kb.zip", lambda data: data.pop("sha256"))
    with pytest.raises(CommandError, match="チェックサムがありません"):
        call_command("import_kb", tmp_path / "kb.zip", "--replace")
    assert _pages() == before


def test_a_backup_from_before_checksums_restores_with_a_warning(passages, tmp_path, capsys):
    """Backups written before checksums (versions 1 and 2) may be the only copy of the
    content: they restore, and the command says their content could not be verified."""
    call_command("export_kb", tmp_path / "kb.zip")

    def version_2(data):
        data["version"] = 2
        del data["sha256"]
        for article in data["articles"]:
            del article["checksum"], article["version"]
            for section in article["sections"]:
                del section["version"]

    _edit_zip(tmp_path / "kb.zip", version_2)
    capsys.readouterr()
    call_command("import_kb", tmp_path / "kb.zip", "--replace")
    assert "検証できません" in capsys.readouterr().err
    assert _passage_rows() == passages


def test_a_restored_report_is_still_refused_as_a_duplicate(corpus, tmp_path, capsys):
    source = sorted((FIXTURES_DIR / "sources").glob("*.txt"))[0]
    call_command("export_kb", tmp_path / "kb.zip")
    Passage.objects.all().delete()
    Article.objects.all().delete()
    Topic.objects.all().delete()
    call_command("import_kb", tmp_path / "kb.zip")
    capsys.readouterr()
    with pytest.raises(CommandError, match="1 of 1 files were refused"):
        call_command("import_report", source)
    # Commands speak the site's language (Japanese): "already in kb as <the restored article>".
    err = capsys.readouterr().err
    assert "kb にすでに" in err
    assert any(f"/articles/{a.slug}/" in err for a in Article.objects.all())
    assert Article.objects.count() == len(corpus.articles_created)


def _counters() -> tuple[dict, dict, list]:
    return (
        dict(Article.objects.values_list("slug", "version")),
        {(s.article.slug, s.anchor): s.version for s in Section.objects.select_related("article")},
        sorted((p.article.slug, p.section.anchor if p.section else "", p.exact, p.section_version)
               for p in Passage.objects.select_related("article", "section")),
    )


@pytest.fixture
def edited_corpus(corpus, analyst) -> int:
    """The shipped corpus and its passages, one article edited twice and its passages
    made or confirmed on the new text (section version 3); returns the article's version
    an editor who opened its form now would hold."""
    article = Article.objects.get(slug=corpus.articles_created[0])
    for body_suffix in ("（追記）", "（再追記）"):
        stored = Article.objects.get(pk=article.pk)
        editorial_services.update_article(
            article=stored, loaded_version=stored.version, user=None,
            data=editorial_services.ArticleData(
                title=stored.title, slug=stored.slug, kind=stored.kind,
                sections=[editorial_services.SectionData(heading=s.heading, body=s.body + body_suffix,
                                               anchor=s.anchor,
                                               topics=[t.slug for t in s.topics.all()])
                          for s in stored.sections.order_by("position")],
            ),
        )
    first = Section.objects.filter(article=article).order_by("position").first()
    passage_services.create_passage(section=first, analyst=analyst, exact="（再追記）", topics=["新タグ"])
    for passage in Passage.objects.filter(article=article).exclude(section=None):
        passage_services.confirm_passage(passage=passage)
    article.refresh_from_db()
    assert max(Passage.objects.values_list("section_version", flat=True)) == 3
    return article.version


def test_version_counters_survive_a_restore(edited_corpus, tmp_path):
    """After a restore every counter is as it was (no passage made on a later version
    than its section's), and an editor's form loaded before the backup still conflicts
    with saves made after the restore."""
    loaded = edited_corpus  # in the form of an editor who opened it before the backup
    article = Article.objects.get(version=loaded)
    counters = _counters()

    call_command("export_kb", tmp_path / "kb.zip")
    call_command("import_kb", tmp_path / "kb.zip", "--replace")
    assert _counters() == counters
    assert not Passage.objects.filter(section_version__gt=F("section__version")).exists()

    restored = Article.objects.get(slug=article.slug)
    for title in ("復元後の編集", "復元後の再編集"):  # someone else's work after the restore
        stored = Article.objects.get(pk=restored.pk)
        editorial_services.update_article(article=stored, loaded_version=stored.version, user=None,
                                data=editorial_services.ArticleData(title=title, slug=stored.slug,
                                                          kind=stored.kind, sections=[]))
    with pytest.raises(EditConflict):
        editorial_services.update_article(article=restored, loaded_version=loaded, user=None,
                                data=editorial_services.ArticleData(title="古いフォームから", slug=restored.slug,
                                                          kind=restored.kind, sections=[]))
    assert Article.objects.get(pk=restored.pk).title == "復元後の再編集"


def test_a_backup_without_counters_keeps_sections_at_their_passages_versions(edited_corpus,
                                                                             tmp_path):
    """Files from before the counters were backed up restore each section at least at the
    version its passages were made on."""
    call_command("export_kb", tmp_path / "kb.zip")

    def version_2(data):
        data["version"] = 2
        del data["sha256"]
        for article in data["articles"]:
            for section in article["sections"]:
                del section["version"]

    _edit_zip(tmp_path / "kb.zip", version_2)
    passages = _counters()[2]
    call_command("import_kb", tmp_path / "kb.zip", "--replace")
    assert _counters()[2] == passages
    assert not Passage.objects.filter(section_version__gt=F("section__version")).exists()
    assert Section.objects.filter(version=3).exists()
