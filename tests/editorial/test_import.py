"""Importing a report: admin upload → preview → save, the import_report command, and
what is refused (with nothing saved)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from reversion.models import Version

from kb.editorial import services as editorial_services
from kb.models import Article, ImportDraft, Section, Topic, TopicAlias
from tests.editorial.import_preview import REPORT, URL, save_data, upload_report
from tests.pdfwriter import text_pdf

SOURCES = Path(__file__).resolve().parents[2] / "fixtures" / "sources"
@pytest.fixture
def huawei(db):
    topic = Topic.objects.create(slug="huawei-5g", name="ファーウェイ・5G", name_en="Huawei & 5G")
    TopicAlias.objects.create(topic=topic, name="華為")
    return topic


def test_upload_preview_correct_and_save(editor_client, editor, huawei):
    preview = upload_report(editor_client)
    html = preview.content.decode()
    assert preview.status_code == 200 and not Article.objects.exists()  # nothing saved yet
    assert 'value="中ロ技術協力の現状"' in html
    assert 'value="2019-11-06"' in html and 'value="渡部悦和"' in html
    assert "次世代通信におけるファーウェイの戦い" in html
    # Suggested by its alias, with the reason shown, and pre-filled for the editor.
    assert "華為" in html and 'value="ファーウェイ・5G"' in html
    data = save_data(preview, **{
        "form-2-merge": "on",  # join "デジタル経済" to the section above
        "form-1-heading": "ファーウェイの戦い",
    })
    response = editor_client.post(URL, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    article = Article.objects.get()
    assert article.title == "中ロ技術協力の現状" and article.authors == "渡部悦和"
    assert str(article.published_on) == "2019-11-06" and article.checksum
    sections = list(article.sections.order_by("position"))
    assert [s.heading for s in sections] == ["中ロ技術協力の現状", "ファーウェイの戦い"]
    # The merged section's heading is a sub-heading: h3 under the section's h2, no gap.
    assert "### デジタル経済" in sections[1].body and "#### " not in sections[1].body
    assert "商機" in sections[1].body
    assert [t.slug for t in sections[1].topics.all()] == ["huawei-5g"]
    revision = Version.objects.get_for_object(article).get().revision
    assert revision.user == editor and revision.comment == "report.txt から取り込み"


def test_pasted_text_and_shift_jis_file_give_the_same_proposal(editor_client, db):
    pasted = editor_client.post(URL, {"step": "upload", "text": REPORT})
    converted = upload_report(editor_client, encoding="cp932")
    assert pasted.context["form"].initial == converted.context["form"].initial
    assert "UTF-8" in converted.content.decode()  # the editor is told it was converted


@pytest.mark.parametrize("name,content,message", [
    ("empty.txt", b"", "空"),
    ("scan.pdf", text_pdf(["", ""]), "OCR"),
    ("picture.png", b"\x89PNG\r\n\x1a\n", ".png"),
    ("big.txt", "あ".encode() * 400, "MiB"),
    ("nul.txt", "報告書\n\n".encode() * 3000 + "本文\x00です".encode(), "NUL"),
])
def test_bad_uploads_are_refused_clearly_and_save_nothing(
    editor_client, settings, name, content, message
):
    settings.KB_IMPORT_MAX_BYTES = 1000 if name == "big.txt" else 10**6
    response = editor_client.post(URL, {"step": "upload",
                                        "file": SimpleUploadedFile(name, content)})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="errornote kb-import-error"' in html and message in html
    assert not Article.objects.exists()


def test_a_file_just_over_the_limit_is_told_in_the_limits_own_units(editor_client, settings):
    """The limit is in binary megabytes (20 MiB by default): shown in decimal ones, a file
    one byte over it read "1.0 MB; the limit is 1.0 MB"."""
    settings.KB_IMPORT_MAX_BYTES = 1024 * 1024
    response = editor_client.post(URL, {"step": "upload", "file": SimpleUploadedFile(
        "big.txt", b"a" * (1024 * 1024 + 1))})
    html = response.content.decode()
    assert "ファイルは 1.1 MiB で、上限の 1.0 MiB を超えています" in html
    assert not Article.objects.exists()


def test_duplicate_report_offers_the_existing_article(editor_client, corpus):
    source = (SOURCES / "004_4ad1aea865d927ea.txt").read_text(encoding="utf-8")
    response = upload_report(editor_client, text=source, name="again.txt")
    existing = Article.objects.get(slug="sino-russian-high-tech-partnership-2019")
    html = response.content.decode()
    assert reverse("admin:kb_article_change", args=[existing.pk]) in html
    assert existing.title in html
    assert Article.objects.count() == 5


def test_a_failure_mid_import_leaves_nothing_behind(editor_client, huawei, monkeypatch):
    preview = upload_report(editor_client)
    data = save_data(preview)
    saved = []
    original = Section.save

    def failing_save(self, *args, **kwargs):
        if len(saved) == 2:
            raise RuntimeError("disk full")
        saved.append(self)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Section, "save", failing_save)
    with pytest.raises(RuntimeError):
        editor_client.post(URL, data)
    assert len(saved) == 2  # two sections were written before the failure…
    assert not Article.objects.exists()  # …and rolled back with everything else
    assert not Section.objects.exists() and not Version.objects.exists()


def test_import_report_dry_run_shows_the_heading_after_the_byline(tmp_path, capsys, db):
    report = tmp_path / "概要.txt"
    report.write_text("中国のデジタル経済\n株式会社野村総合研究所\n上席研究員 山田太郎\n"
                      "2021年4月5日\n第1章\u3000概要\n\n"
                      "中国政府はデジタル経済を推進している。その規模は大きい。\n", encoding="utf-8")
    call_command("import_report", str(report), "--dry-run")
    lines = capsys.readouterr().out.splitlines()
    assert lines[1:3] == ["  - 中国のデジタル経済", "  - 第1章 概要"]
    assert not Article.objects.exists()


def test_analysts_cannot_import(client, analyst):
    client.force_login(analyst)
    response = client.post(URL, {"step": "upload", "text": REPORT})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert not Article.objects.exists()


def test_import_report_command(tmp_path, capsys, corpus):
    report = tmp_path / "新しい報告.txt"
    report.write_text(REPORT.replace("中ロ技術協力の現状", "新しい報告書"), encoding="cp932")
    call_command("import_report", str(report), "--dry-run", "--accept-topics")
    out = capsys.readouterr().out
    assert "新しい報告書" in out and "ファーウェイ・5G*" in out and "dry run" in out
    assert Article.objects.count() == 5
    call_command("import_report", str(report), "--accept-topics")
    article = Article.objects.get(title="新しい報告書")
    section = article.sections.get(heading="次世代通信におけるファーウェイの戦い")
    assert "huawei-5g" in [t.slug for t in section.topics.all()]
    # Re-importing a shipped source or the same file again: refused, the rest imported.
    duplicate = tmp_path / "again.txt"
    duplicate.write_text((SOURCES / "000_567965df63cde746.txt").read_text(encoding="utf-8"))
    with pytest.raises(CommandError, match="2 of 2"):
        call_command("import_report", str(report), str(duplicate))
    assert "kb にすでに「新しい報告書」" in capsys.readouterr().err  # the site's language
    assert Article.objects.count() == 6


class _FormFields(HTMLParser):
    """The fields a browser submits from the import page's form with ``step`` = ``save``
    (no submit button pressed: the tests add the one they press)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fields: dict[str, str] = {}
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "file"):
            if attrs.get("type") != "checkbox" or "checked" in attrs:
                self.fields[name] = attrs.get("value") or ("on" if attrs.get("type") == "checkbox"
                                                           else "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = ""
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.fields[self._select] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            value = self.fields[self._textarea] + data
            # Browsers drop the newline right after <textarea>.
            self.fields[self._textarea] = value.removeprefix("\n") if not self.fields[
                self._textarea] else value


def _browser_fields(response) -> dict[str, str]:
    parser = _FormFields()
    parser.feed(response.content.decode())
    assert parser.fields.get("step") == "save", "no preview form on the page"
    return parser.fields


def _long_report(sections: int) -> str:
    return "".join(f"## 第{n}節\n\n第{n}節の本文。デジタル経済の動向を述べる。\n\n"
                   for n in range(1, sections + 1))


def test_a_601_section_report_is_reviewed_and_saved(editor_client, db):
    preview = upload_report(editor_client, text=_long_report(601), name="long.md")
    assert preview.status_code == 200
    first = _browser_fields(preview)
    assert len(first) < 1000  # the page's form fits Django's field limit with room to spare
    first.update({"title": "長い報告書", "form-0-body": "冒頭を書き直した。"})
    # The editor moves to the page holding section 550, keeping the change above.
    pages = re.findall(r'name="goto" value="(\d+)"[^>]*>(\d+)–(\d+)<', preview.content.decode())
    goto, start = next(((n, int(a)) for n, a, b in pages if int(a) <= 550 <= int(b)), ("1", 1))
    later = editor_client.post(URL, {**first, "goto": goto})
    assert later.status_code == 200, later.content.decode()[:2000]
    assert "第550節" in later.content.decode() and not Article.objects.exists()
    fields = _browser_fields(later)
    assert fields["title"] == "長い報告書"  # the metadata travels with every page
    index = 550 - start
    fields[f"form-{index}-heading"] = "第550節（改題）"
    saved = editor_client.post(URL, fields)
    assert saved.status_code == 302, saved.content.decode()[:2000]
    article = Article.objects.get()
    assert article.title == "長い報告書" and article.sections.count() == 601
    headings = list(article.sections.order_by("position").values_list("heading", "body"))
    assert headings[0] == ("第1節", "冒頭を書き直した。")
    assert headings[549][0] == "第550節（改題）" and headings[600][0] == "第601節"


def test_a_refused_save_shows_the_preview_again_with_what_was_typed(editor_client, make_article):
    taken = make_article(slug="taken")
    preview = upload_report(editor_client, text=_long_report(150), name="long.md")
    first = _browser_fields(preview)
    first["form-0-heading"] = "書き直した見出し"
    second = editor_client.post(URL, {**first, "goto": "2"})
    assert "第150節" in second.content.decode()
    fields = {**_browser_fields(second), "slug": taken.slug}
    fields[f"form-{150 - 101}-body"] = "最後の節を書き直した。"
    refused = editor_client.post(URL, fields)
    html = refused.content.decode()
    assert refused.status_code == 200 and Article.objects.count() == 1
    assert "このスラッグは別の記事が使っています。" in html
    assert "最後の節を書き直した。" in html  # the page as the editor left it
    back = editor_client.post(URL, {**_browser_fields(refused), "goto": "1"})
    assert 'value="書き直した見出し"' in back.content.decode()  # and the other page too
    saved = editor_client.post(URL, {**_browser_fields(back), "slug": "long-report"})
    assert saved.status_code == 302
    article = Article.objects.get(slug="long-report")
    assert article.sections.order_by("position").first().heading == "書き直した見出し"
    assert article.sections.order_by("position").last().body == "最後の節を書き直した。"
    # The preview went with the save: posting it again imports nothing twice.
    again = editor_client.post(URL, _browser_fields(back))
    assert "kb-import-error" in again.content.decode() and Article.objects.count() == 2


def test_previews_left_unsaved_for_a_week_are_dropped(editor_client, editor):
    with time_machine.travel(datetime(2026, 1, 1, tzinfo=UTC), tick=False):
        old = editorial_services.create_import_draft(user=editor, data={})
    with time_machine.travel(datetime(2026, 1, 7, tzinfo=UTC), tick=False):
        kept = editorial_services.create_import_draft(user=editor, data={})
    with time_machine.travel(datetime(2026, 1, 9, tzinfo=UTC), tick=False):
        upload_report(editor_client)
    assert not ImportDraft.objects.filter(pk=old.pk).exists()
    assert ImportDraft.objects.filter(pk=kept.pk).exists() and ImportDraft.objects.count() == 2


def test_an_import_with_a_bidi_control_in_the_source_url_is_refused(editor_client, huawei):
    preview = upload_report(editor_client)
    response = editor_client.post(URL, save_data(
        preview, source_url="https://example.org/report\u202efdp.exe"))
    assert response.status_code == 200 and "双方向" in response.content.decode()
    assert not Article.objects.exists()
