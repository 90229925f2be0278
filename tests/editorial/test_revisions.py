"""Revisions: every save is recorded, any two compare as a Japanese-aware diff, editors
restore (even deleted articles), and a stale save is refused instead of overwriting."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from kb.editorial import services as editorial_services
from kb.editorial.diffs import diff_text, split_sentences
from kb.models import Article, Section
from tests.html_forms import form_data, inline_post


def versions(article):
    return list(Version.objects.get_for_object(article).select_related("revision__user"))


def test_sentences_split_after_japanese_punctuation_and_keep_the_text():
    text = "中ロ関係は深化。しかし同盟は難しい！\n次の段落です"
    assert split_sentences(text) == ["中ロ関係は深化。", "しかし同盟は難しい！\n", "次の段落です"]
    assert "".join(split_sentences(text)) == text


def test_japanese_diff_marks_changed_characters_not_whole_paragraphs():
    old = "中ロの協力は深化している。米国は制裁を強めた。"
    new = "中露の協力は深化している。米国は制裁を強めた。"
    html = diff_text(old, new)
    assert html == "中<del>ロ</del><ins>露</ins>の協力は深化している。米国は制裁を強めた。"


def test_diff_escapes_text():
    assert diff_text("", "<script>alert(1)</script>") == (
        "<ins>&lt;script&gt;alert(1)&lt;/script&gt;</ins>")
    assert "<script" not in diff_text("<b>a</b>", "<script>alert(1)</script>")


def test_every_save_path_records_a_revision_with_author_and_comment(
    editor_client, editor, make_article
):
    article = make_article(sections=[("一", "旧本文。", [])])
    created = versions(article)
    assert len(created) == 1 and created[0].revision.comment == "作成"
    url = reverse("admin:kb_article_change", args=[article.pk])
    response = editor_client.post(url, inline_post(article, {"sections-0-body": "新本文。"}))
    assert response.status_code == 302
    history = versions(article)
    assert len(history) == 2
    assert history[0].revision.user == editor
    assert "新本文" in str(history[0].revision.version_set.all().values_list("serialized_data"))
    article.refresh_from_db()
    assert article.version == 2
    # A section saved on its own is a new version of its article too.
    section = article.sections.get()
    editor_client.post(reverse("admin:kb_section_change", args=[section.pk]), {
        "article": article.pk, "position": 1, "heading": "一", "body": "三度目。", "topics": "",
        "loaded_version": str(section.version),
    })
    article.refresh_from_db()
    assert article.version == 3 and len(versions(article)) == 3


def test_history_page_lists_revisions_and_compares_two(editor_client, make_article):
    client = Client()  # a reader, beside the editor's own session
    article = make_article(title="中ロ報告", sections=[("一", "中ロの協力は深化している。", [])])
    editor_client.post(reverse("admin:kb_article_change", args=[article.pk]),
                       inline_post(article, {"sections-0-body": "中露の協力は深化している。"}))
    html = client.get(reverse("kb:article_history", args=[article.slug])).content.decode()
    assert "editor" in html and "作成" in html
    new, old = versions(article)
    compare = client.get(reverse("kb:article_compare", args=[article.slug]),
                         {"from": old.pk, "to": new.pk}).content.decode()
    assert "中<del>ロ</del><ins>露</ins>の協力" in compare
    # Readers see no restore button.
    assert "restore" not in compare
    restore_url = reverse("kb:article_restore", args=[article.slug, old.pk])
    # Editors restore from the comparison with the current article, after seeing what it
    # undoes; not from the history list, and not between two past versions.
    assert restore_url not in editor_client.get(
        reverse("kb:article_history", args=[article.slug])).content.decode()
    assert restore_url not in editor_client.get(
        reverse("kb:article_compare", args=[article.slug]),
        {"from": old.pk, "to": new.pk}).content.decode()
    with_current = editor_client.get(reverse("kb:article_compare", args=[article.slug]),
                                     {"from": old.pk}).content.decode()
    assert restore_url in with_current and "中<del>ロ</del><ins>露</ins>の協力" in with_current


def test_history_shows_the_sites_time_and_gives_machines_utc(client, make_article, frozen_clock):
    article = make_article(sections=[("一", "本文。", [])])
    html = client.get(reverse("kb:article_history", args=[article.slug])).content.decode()
    assert '<time datetime="2026-11-30T23:30:00Z">2026-12-01 08:30</time>' in html


def test_editor_restores_an_old_revision_as_a_new_one(editor_client, make_article):
    article = make_article(sections=[("一", "最初の本文。", []), ("二", "二番目。", [])])
    first = versions(article)[0]
    editorial_services.update_article(
        article=article, loaded_version=1, user=None, comment="edit",
        data=editorial_services.ArticleData(
            title="改題", slug=article.slug, kind=article.kind,
            sections=[editorial_services.SectionData(heading="一", body="書き換えた。",
                                           anchor=article.sections.get(heading="一").anchor)],
        ),
    )
    assert Section.objects.filter(article=article).count() == 1
    url = reverse("kb:article_restore", args=[article.slug, first.pk])
    assert editor_client.get(url).status_code == 405  # POST only
    response = editor_client.post(url)
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title.startswith("記事") and article.version == 3
    assert [(s.heading, s.body) for s in article.sections.order_by("position")] == [
        ("一", "最初の本文。"), ("二", "二番目。")]
    assert article.sections.get(heading="一").body_html == "<p>最初の本文。</p>"
    history = versions(article)
    assert len(history) == 3 and history[0].revision.comment.startswith("第1版（")
    # The restored version's time as readers see it: Tokyo time, not UTC.
    when = timezone.localtime(first.revision.date_created)
    assert f"{when:%Y-%m-%d %H:%M}" in history[0].revision.comment


@pytest.mark.parametrize("who", ["anonymous", "analyst"])
def test_readers_and_analysts_cannot_restore(client, analyst, make_article, who):
    article = make_article(sections=[("一", "本文。", [])])
    first = versions(article)[0]
    editorial_services.update_article(
        article=article, loaded_version=1, user=None,
        data=editorial_services.ArticleData(title="改題", slug=article.slug, kind="column", sections=[]),
    )
    if who == "analyst":
        client.force_login(analyst)
    response = client.post(reverse("kb:article_restore", args=[article.slug, first.pk]))
    assert response.status_code in (302, 403)
    assert Article.objects.get(pk=article.pk).title == "改題"


def test_deleted_article_is_recovered_from_the_admin(editor_client, make_article):
    article = make_article(title="消える記事", sections=[("一", "本文。", [])])
    pk = article.pk
    editor_client.post(reverse("admin:kb_article_delete", args=[pk]), {"post": "yes"})
    assert not Article.objects.filter(pk=pk).exists()
    recover_list = editor_client.get(reverse("admin:kb_article_recoverlist")).content.decode()
    assert "消える記事" in recover_list
    version = Version.objects.get_deleted(Article).get(object_id=str(pk))
    data = inline_post(article, {})
    data["loaded_version"] = "1"
    response = editor_client.post(reverse("admin:kb_article_recover", args=[version.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    restored = Article.objects.get(pk=pk)
    assert restored.title == "消える記事"
    assert restored.sections.get().body == "本文。"


def test_second_of_two_editors_is_refused_and_shown_what_changed(
    django_user_model, editor, make_article
):
    """Two editors open version 1; the first saves; the second's save is refused with the
    first one's change shown, and nothing of the first save is overwritten."""
    article = make_article(sections=[("一", "中ロの協力は深化している。", [])])
    other = django_user_model.objects.create_user("editor2", password="x", is_staff=True)
    other.groups.set(editor.groups.all())
    editor_client, client = Client(), Client()
    editor_client.force_login(editor)
    client.force_login(other)
    url = reverse("admin:kb_article_change", args=[article.pk])
    form_a = inline_post(article, {"sections-0-body": "中露の協力は深化している。"})
    form_b = inline_post(article, {"sections-0-body": "中ロの協力は停滞している。"})
    assert editor_client.get(url).status_code == 200 and client.get(url).status_code == 200
    assert editor_client.post(url, form_a).status_code == 302
    refused = client.post(url, form_b)
    html = refused.content.decode()
    assert refused.status_code == 200
    assert "Not saved" in html or "保存されていません" in html
    assert "中<del>ロ</del><ins>露</ins>の協力" in html  # what the first editor changed
    assert "停滞" in html  # the second editor's text is still in the form
    section = Section.objects.get(article=article)
    assert section.body == "中露の協力は深化している。"
    assert len(versions(article)) == 2
    # Having seen the change, the second editor saves deliberately: the form now carries
    # the current version.
    form_b["loaded_version"] = "2"
    assert client.post(url, form_b).status_code == 302
    assert Section.objects.get(article=article).body == "中ロの協力は停滞している。"


def test_update_article_service_refuses_a_stale_version(make_article):
    from kb.editorial.revisions import EditConflict

    article = make_article(sections=[("一", "本文。", [])])
    data = editorial_services.ArticleData(title="新題", slug=article.slug, kind="column", sections=[])
    editorial_services.update_article(article=article, loaded_version=1, data=data, user=None)
    with pytest.raises(EditConflict) as conflict:
        editorial_services.update_article(article=article, loaded_version=1, user=None,
                                data=editorial_services.ArticleData(title="別題", slug=article.slug,
                                                          kind="column", sections=[]))
    assert conflict.value.current == 2
    # What changed meanwhile: the title, from the version this caller loaded.
    assert [(f.old, f.new) for f in conflict.value.diff.fields] == [(article.title, "新題")]
    assert Article.objects.get(pk=article.pk).title == "新題"


def _section_post(section, **changes):
    data = {"article": section.article_id, "position": section.position,
            "heading": section.heading, "body": section.body,
            "topics": ", ".join(t.name for t in section.topics.all()),
            "loaded_version": str(section.version)}
    return {**data, **changes}


def test_section_admin_refuses_a_stale_save_and_shows_what_changed(
    django_user_model, editor, make_article
):
    """Two editors open the same section on its own; the first saves; the second's save is
    refused with the first one's change shown and their own text kept in the form."""
    article = make_article(sections=[("一", "中ロの協力は深化している。", []), ("二", "別の節。", [])])
    section = article.sections.get(heading="一")
    other = django_user_model.objects.create_user("editor2", password="x", is_staff=True)
    other.groups.set(editor.groups.all())
    first, second = Client(), Client()
    first.force_login(editor)
    second.force_login(other)
    url = reverse("admin:kb_section_change", args=[section.pk])
    for client in (first, second):
        html = client.get(url).content.decode()
        assert 'name="loaded_version" value="1"' in html
    form_a = _section_post(section, body="中露の協力は深化している。")
    form_b = _section_post(section, heading="第一節", body="中ロの協力は停滞している。")
    assert first.post(url, form_a).status_code == 302
    refused = second.post(url, form_b)
    html = refused.content.decode()
    assert refused.status_code == 200
    assert "保存されていません：開いた後にこのセクションが変更されました" in html
    assert "第 1 版" in html and "第 2 版" in html
    assert "中<del>ロ</del><ins>露</ins>の協力" in html  # what the first editor changed
    assert "停滞" in html and 'value="第一節"' in html  # the second editor's input is kept
    section.refresh_from_db()
    assert (section.heading, section.body, section.version) == ("一", "中露の協力は深化している。", 2)
    # Having seen the change, the second editor saves deliberately: the form now carries
    # the current version.
    assert 'name="loaded_version" value="2"' in html
    form_b["loaded_version"] = "2"
    assert second.post(url, form_b).status_code == 302
    section.refresh_from_db()
    assert (section.heading, section.body, section.version) == ("第一節", "中ロの協力は停滞している。", 3)


def test_section_admin_stale_after_an_article_edit_but_not_after_another_sections(
    editor_client, make_article
):
    article = make_article(sections=[("一", "一の本文。", ["規制"]), ("二", "二の本文。", [])])
    section = article.sections.get(heading="一")
    url = reverse("admin:kb_section_change", args=[section.pk])
    stale = _section_post(section, body="私の本文。")
    # Another section of the article, saved on its own: no conflict for this one.
    two = article.sections.get(heading="二")
    assert editor_client.post(reverse("admin:kb_section_change", args=[two.pk]),
                              _section_post(two, body="二の新本文。")).status_code == 302
    article.refresh_from_db()
    # This section's topics changed in the article's form (no text change): a conflict.
    response = editor_client.post(reverse("admin:kb_article_change", args=[article.pk]),
                                  inline_post(article, {"sections-0-topics": "規制, 新規"}))
    assert response.status_code == 302
    html = editor_client.post(url, stale).content.decode()
    assert "保存されていません" in html and "<ins>新規</ins>" in html
    assert Section.objects.get(pk=section.pk).body == "一の本文。"


def _two_editors(django_user_model, editor):
    other = django_user_model.objects.create_user("editor2", password="x", is_staff=True)
    other.groups.set(editor.groups.all())
    first, second = Client(), Client()
    first.force_login(editor)
    second.force_login(other)
    return first, second


def test_saving_again_after_a_conflict_keeps_the_other_editors_change(
    django_user_model, editor, make_article
):
    """A changes the summary, B (from the old version) a section: B is refused and gets
    the stored version back with B's own change on top; saving that form keeps both."""
    article = make_article(sections=[("一", "一の本文。", []), ("二", "二の本文。", [])])
    first, second = _two_editors(django_user_model, editor)
    url = reverse("admin:kb_article_change", args=[article.pk])
    form_b = form_data(second.get(url).content.decode(), "article_form")
    form_b["sections-1-body"] = "二の新しい本文。"
    assert first.post(url, inline_post(article, {"summary": "Aの概要。"})).status_code == 302
    refused = second.post(url, form_b)
    html = refused.content.decode()
    assert refused.status_code == 200 and "保存されていません" in html
    assert Section.objects.get(article=article, heading="二").body == "二の本文。"
    again = form_data(html, "article_form")
    assert again["summary"] == "Aの概要。" and again["sections-1-body"] == "二の新しい本文。"
    assert second.post(url, again).status_code == 302
    article.refresh_from_db()
    assert article.summary == "Aの概要。"
    assert [s.body for s in article.sections.order_by("position")] == ["一の本文。", "二の新しい本文。"]


def test_a_field_both_editors_changed_waits_for_the_second_to_choose(
    django_user_model, editor, make_article
):
    article = make_article(sections=[("一", "中ロの協力は深化している。", [])])
    first, second = _two_editors(django_user_model, editor)
    url = reverse("admin:kb_article_change", args=[article.pk])
    form_b = form_data(second.get(url).content.decode(), "article_form")
    form_b.update({"sections-0-body": "中ロの協力は停滞している。", "title": "Bの題"})
    assert first.post(url, inline_post(article, {
        "sections-0-body": "中露の協力は深化している。", "publisher": "A社"})).status_code == 302
    html = second.post(url, form_b).content.decode()
    # Both texts side by side, B's in the input; A's publisher and B's title merged.
    assert "中露の協力は深化している。" in html and "停滞" in html
    returned = form_data(html, "article_form")
    assert returned["sections-0-body"] == "中ロの協力は停滞している。"
    assert (returned["title"], returned["publisher"]) == ("Bの題", "A社")
    # Saving without choosing is refused again, and changes nothing.
    html = second.post(url, returned).content.decode()
    assert "保存されていません" in html
    assert Section.objects.get(article=article).body == "中露の協力は深化している。"
    # B keeps the stored text for the body: the rest of B's changes are saved with it.
    returned = form_data(html, "article_form")
    returned["kb_keep-sections-0-body"] = "theirs"
    assert second.post(url, returned).status_code == 302
    article.refresh_from_db()
    assert (article.title, article.publisher) == ("Bの題", "A社")
    assert article.sections.get().body == "中露の協力は深化している。"


def test_sections_added_and_deleted_meanwhile_are_merged(django_user_model, editor, make_article):
    """B's new section is kept; a section A deleted and B edited is B's to decide."""
    article = make_article(sections=[("一", "一の本文。", []), ("二", "二の本文。", [])])
    first, second = _two_editors(django_user_model, editor)
    url = reverse("admin:kb_article_change", args=[article.pk])
    form_b = form_data(second.get(url).content.decode(), "article_form")
    form_b.update({"sections-1-body": "Bが直した二。", "sections-TOTAL_FORMS": "3",
                   "sections-2-position": "3", "sections-2-heading": "三",
                   "sections-2-body": "Bが足した三。", "sections-2-topics": "",
                   "sections-2-article": str(article.pk)})
    deleted = inline_post(article, {"sections-1-DELETE": "on", "summary": "Aの概要。"})
    assert first.post(url, deleted).status_code == 302
    html = second.post(url, form_b).content.decode()
    assert "保存されていません" in html and "Bが直した二。" in html
    returned = form_data(html, "article_form")
    assert second.post(url, returned).status_code == 200  # B has not chosen yet
    for name in returned["kb_clash"] if isinstance(returned["kb_clash"], list) else [returned["kb_clash"]]:
        returned[f"kb_keep-{name}"] = "mine"
    assert second.post(url, returned).status_code == 302
    article.refresh_from_db()
    assert article.summary == "Aの概要。"
    assert [s.body for s in article.sections.order_by("position")] == [
        "一の本文。", "Bが直した二。", "Bが足した三。"]


def test_section_form_saved_again_after_a_conflict_keeps_the_other_change(
    django_user_model, editor, make_article
):
    article = make_article(sections=[("一", "一の本文。", [])])
    section = article.sections.get()
    first, second = _two_editors(django_user_model, editor)
    url = reverse("admin:kb_section_change", args=[section.pk])
    form_b = form_data(second.get(url).content.decode(), "section_form")
    form_b["heading"] = "Bの見出し"
    assert first.post(url, _section_post(section, body="Aの本文。")).status_code == 302
    html = second.post(url, form_b).content.decode()
    assert "保存されていません" in html
    assert second.post(url, form_data(html, "section_form")).status_code == 302
    section.refresh_from_db()
    assert (section.heading, section.body) == ("Bの見出し", "Aの本文。")
