"""Heading levels through the database: the import command and the admin preview save
them, the article page shows h2/h3/h4 and a nested table of contents (issue 16, item 1)."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from kb.models import Article
from tests.editorial.import_preview import save_data, upload_report

P1 = "我が国のICT市場は拡大を続けており、デジタル化の進展が経済成長を支えている。"
P2 = "中国ではプラットフォーム企業が産業のデジタル化を牽引しており、その影響は大きい。"
WHITE_PAPER = "\n".join([
    "令和5年版　情報通信白書", "第1章　デジタル経済の動向", "第1節　ICT産業の動向",
    "1　ICT市場の概況", P1, "図表1-1-1　ICT市場規模の推移", "（出典）総務省", P2,
    "第2節　データ流通", P2, "第2章　政策の動向", P1,
]) + "\n"
OUTLINE = [(2, "令和5年版 情報通信白書"), (2, "第1章 デジタル経済の動向"),
           (3, "第1節 ICT産業の動向"), (4, "1 ICT市場の概況"), (3, "第2節 データ流通"),
           (2, "第2章 政策の動向")]


@pytest.mark.django_db
def test_import_command_saves_levels_and_the_page_nests_them(tmp_path, client):
    report = tmp_path / "白書.txt"
    report.write_text(WHITE_PAPER, encoding="utf-8")
    call_command("import_report", str(report))
    article = Article.objects.get()
    assert [(s.level, s.heading) for s in article.sections.order_by("position")] == OUTLINE
    html = client.get(reverse("kb:article", args=[article.slug])).content.decode()
    headings = re.findall(r'<h(\d) class="section-heading[^>]*>.*?</a> ([^<]*)</h\1>', html)
    assert [(int(n), text) for n, text in headings] == OUTLINE
    start = html.index('id="toc-heading"')
    toc = re.sub(r"\n\s*", "", html[start:html.index("</nav>", start)])
    # 第1節 is listed inside 第1章's item, 1 inside 第1節's: the first 節 does not vanish.
    assert re.search(r"第1章 デジタル経済の動向</a><ol><li><a [^>]*>第1節 ICT産業の動向</a>"
                     r"<ol><li><a [^>]*>1 ICT市場の概況</a></li></ol></li>", toc)
    assert "図表1-1-1" not in toc and "（出典）" not in toc


@pytest.mark.django_db
def test_admin_preview_shows_levels_and_saves_the_editors_choice(editor_client):
    preview = upload_report(editor_client, text=WHITE_PAPER, name="白書.txt")
    formset = preview.context["formset"]
    assert [form.initial["level"] for form in formset.forms] == [n for n, _h in OUTLINE]
    data = save_data(preview)
    data.update({f"form-{i}-level": str(form.initial["level"])
                 for i, form in enumerate(formset.forms)})
    data["form-4-level"] = "4"  # the editor moves 第2節 down a level
    response = editor_client.post(reverse("admin:kb_article_import"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    levels = list(Article.objects.get().sections.order_by("position").values_list("level", flat=True))
    assert levels == [2, 2, 3, 4, 4, 2]


@pytest.mark.django_db
def test_levels_survive_a_backup_and_restore(tmp_path):
    report = tmp_path / "白書.txt"
    report.write_text(WHITE_PAPER, encoding="utf-8")
    call_command("import_report", str(report))
    call_command("export_kb", tmp_path / "kb.zip")
    Article.objects.all().delete()
    call_command("import_kb", tmp_path / "kb.zip")
    sections = Article.objects.get().sections.order_by("position")
    assert [(s.level, s.heading) for s in sections] == OUTLINE


def test_an_editor_changes_a_sections_level_and_a_form_without_it_keeps_it(
        editor_client, make_article):
    section = make_article(sections=[("一", "本文。", [])]).sections.get()
    url = reverse("admin:kb_section_change", args=[section.pk])
    fields = {"article": section.article_id, "position": "1", "heading": "一", "body": "本文。",
              "topics": ""}
    response = editor_client.post(url, {**fields, "level": "3",
                                        "loaded_version": str(section.version)})
    assert response.status_code == 302, response.content.decode()[:2000]
    section.refresh_from_db()
    assert section.level == 3
    # A form loaded before sections had levels posts none: the level stays as it is.
    response = editor_client.post(url, {**fields, "body": "本文を直した。",
                                        "loaded_version": str(section.version)})
    assert response.status_code == 302
    section.refresh_from_db()
    assert (section.level, section.body) == (3, "本文を直した。")
