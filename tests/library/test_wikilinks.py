"""Wiki links in section Markdown, missing targets, and "what links here"."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from kb.models import Link, Section, Topic, TopicAlias
from tests.html_forms import inline_post


def _topics():
    dsr = Topic.objects.create(slug="digital-silk-road", name="デジタル一帯一路",
                               name_en="Digital Silk Road")
    huawei = Topic.objects.create(slug="huawei-5g", name="ファーウェイ・5G", name_en="Huawei & 5G")
    TopicAlias.objects.create(topic=huawei, name="華為")
    return dsr, huawei


def test_article_section_and_topic_links_render_as_links(make_article):
    dsr, huawei = _topics()
    target = make_article(title="中ロの報告", sections=[("ファーウェイの戦い", "本文。", [])])
    anchor = target.sections.get().anchor
    source = make_article(sections=[("参照", (
        "[[中ロの報告]]、[[中ロの報告#ファーウェイの戦い]]、[[topic:デジタル一帯一路]]、"
        "[[topic:Digital Silk Road|英語名]]、[[topic:華為]]"
    ), [])])
    html = source.sections.get().body_html
    assert f'<a href="{target.get_absolute_url()}" title="中ロの報告"' in html
    assert f'href="{target.get_absolute_url()}#{anchor}"' in html
    assert html.count(f'href="{dsr.get_absolute_url()}"') == 2
    assert ">英語名</a>" in html
    assert f'href="{huawei.get_absolute_url()}"' in html
    assert source.sections.get().plain_text.startswith("中ロの報告、中ロの報告#ファーウェイの戦い、")


def test_missing_targets_are_marked_listed_for_editors_and_resolved_later(
    editor_client, make_article
):
    source = make_article(sections=[("参照", "[[まだない記事]]と[[topic:未定の話題]]。", [])])
    section = source.sections.get()
    assert '<span class="missing-link">まだない記事</span>' in section.body_html
    assert {link.target for link in Link.objects.all() if link.is_missing} == {
        "まだない記事", "topic:未定の話題"}
    listing = editor_client.get(reverse("admin:kb_link_changelist"), {"missing": "yes"})
    assert "[[まだない記事]]" in listing.content.decode()
    # The article is written later: the link now points at it.
    target = make_article(title="まだない記事")
    section.refresh_from_db()
    assert f'href="{target.get_absolute_url()}"' in section.body_html
    assert Link.objects.get(target="まだない記事").target_article == target


def test_links_in_code_are_text_and_link_text_is_sanitised(make_article):
    make_article(title="記事A")
    source = make_article(sections=[("s", (
        "`[[記事A]]` と [[<img src=x onerror=alert(1)>]] と [[記事A|<script>x</script>]]"
    ), [])])
    html = source.sections.get().body_html
    assert "<code>[[記事A]]</code>" in html
    # Markup inside [[...]] is shown as text, never as elements or attributes.
    assert "<script" not in html and "<img" not in html
    assert '<span class="missing-link">&lt;img src=x onerror=alert(1)&gt;</span>' in html
    assert "&lt;script&gt;x&lt;/script&gt;</a>" in html


def test_what_links_here_on_article_and_topic_pages(make_article, django_assert_num_queries):
    dsr, _huawei = _topics()
    target = make_article(title="一帯一路の報告")
    make_article(title="引用する記事", sections=[
        ("第一節", "[[一帯一路の報告]]を参照。", []),
        ("第二節", "[[topic:デジタル一帯一路]]も。", []),
    ])
    reader = Client()
    article_html = reader.get(target.get_absolute_url()).content.decode()
    first = Section.objects.get(heading="第一節")
    assert "What links here" in article_html or "このページへのリンク" in article_html
    assert f'href="{first.article.get_absolute_url()}#{first.anchor}">引用する記事 § 第一節' in article_html
    topic_html = reader.get(dsr.get_absolute_url()).content.decode()
    assert "引用する記事 § 第二節" in topic_html and "第一節" not in topic_html


def test_topic_aliases_are_edited_in_the_admin_and_resolve_links(editor_client, make_article):
    source = make_article(sections=[("s", "[[topic:アリババ]]の戦略。", [])])
    topic = Topic.objects.create(slug="platformers", name="プラットフォーマー")
    response = editor_client.post(reverse("admin:kb_topic_change", args=[topic.pk]), {
        "name": "プラットフォーマー", "name_en": "Platformers", "slug": "platformers",
        "description": "", "aliases-TOTAL_FORMS": "2", "aliases-INITIAL_FORMS": "0",
        "aliases-MIN_NUM_FORMS": "0", "aliases-MAX_NUM_FORMS": "1000",
        "aliases-0-name": "アリババ", "aliases-1-name": "Alibaba",
    })
    assert response.status_code == 302
    assert sorted(a.name for a in topic.aliases.all()) == ["Alibaba", "アリババ"]
    # The link written before the alias existed now points at the topic.
    assert f'href="{topic.get_absolute_url()}"' in source.sections.get().body_html


def test_links_with_escapes_code_spans_and_entities_save_through_the_admin(
    editor, make_article
):
    """These ended every save of their section in a 500: the renderer looked each link up
    by its source text, which Markdown had already rewritten."""
    cpp = make_article(title="C++")
    source = make_article(sections=[("s", "本文。", [])])
    client = Client(raise_request_exception=False)  # a 500 is a status, as users see it
    client.force_login(editor)
    body = "[[C\\+\\+]]、[[C++|`std::vector`]]、[[j&#97vascript]]、[[R&amp;D]]"
    response = client.post(
        reverse("admin:kb_article_change", args=[source.pk]),
        inline_post(source, {"sections-0-body": body}),
    )
    assert response.status_code == 302
    section = source.sections.get()
    assert section.body == body
    # An escaped character links to what the reader sees; a code span's text is the label.
    assert (f'<a href="{cpp.get_absolute_url()}" title="C++"'
            f' rel="noopener noreferrer nofollow">C++</a>') in section.body_html
    assert ">std::vector</a>" in section.body_html
    assert '<span class="missing-link">javascript</span>' in section.body_html
    assert '<span class="missing-link">R&amp;D</span>' in section.body_html
    assert section.plain_text == "C++、std::vector、javascript、R&D"
    assert sorted(Link.objects.filter(source=section).values_list("target", flat=True)) == [
        "C++", "R&D", "javascript"]
    assert Client().get(source.get_absolute_url()).status_code == 200
