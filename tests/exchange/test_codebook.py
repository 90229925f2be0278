"""REFI-QDA codebooks: export as .qdc, import from .qdc or from a QDA tool's .qdpx into
topics, all or nothing, with a dry run."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation
from lxml import etree

from kb.exchange import codebook, qda
from kb.library import services as library_services
from kb.models import Topic, TopicAlias
from tests.exchange.refi import assert_valid, code_tree, codebook_as_project


@pytest.fixture
def book(db):
    """A three-level codebook with colours and memos."""
    economy = Topic.objects.create(slug="economy", name="デジタル経済", colour="#1f77b4",
                                   description="**経済**全般。")
    finance = Topic.objects.create(slug="fintech", name="デジタル金融", parent=economy)
    Topic.objects.create(slug="digital-yuan", name="デジタル人民元", parent=finance,
                         colour="#d62728")
    Topic.objects.create(slug="ai", name="AI規制", colour="#2ca02c")
    return economy


def _qdc() -> bytes:
    out = io.BytesIO()
    qda.write_codebook(out)
    return out.getvalue()


def _tree(data: bytes) -> list[tuple]:
    project = codebook_as_project(data)
    assert_valid(project)
    return code_tree(project)


def test_codebook_export_validates_with_hierarchy_colours_and_memos(book):
    assert _tree(_qdc()) == [
        ("AI規制", "#2ca02c", "", []),
        ("デジタル経済", "#1f77b4", "**経済**全般。", [
            ("デジタル金融", Topic.objects.get(slug="fintech").colour, "", [
                ("デジタル人民元", "#d62728", "", []),
            ]),
        ]),
    ]


def test_round_trip_into_an_empty_kb_gives_the_same_codebook(book, tmp_path):
    first = tmp_path / "first.qdc"
    call_command("export_codebook", str(first), stdout=io.StringIO())
    Topic.objects.all().delete()
    out = io.StringIO()
    call_command("import_codebook", str(first), stdout=out)
    assert "Created 4 topics" in out.getvalue()
    second = tmp_path / "second.qdc"
    call_command("export_codebook", str(second), stdout=io.StringIO())
    assert _tree(second.read_bytes()) == _tree(first.read_bytes())


def _atlas_qdpx(codes: str, *, extra: bytes = b"") -> bytes:
    """A project as ATLAS.ti writes one (REFI-QDA 1.5): braced upper-case GUIDs, upper-case
    colours, an origin naming the tool, code groups as Sets, sources after the codebook."""
    project = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  name="China digital economy" origin="ATLAS.ti 23.2.1 (Windows)"
  creatingUserGUID="{{9C8A1B2D-0E3F-4A5B-8C7D-6E5F4A3B2C1D}}"
  creationDateTime="2024-05-01T09:00:00Z" basePath="C:\\Users\\analyst\\Documents">
 <Users><User guid="{{9C8A1B2D-0E3F-4A5B-8C7D-6E5F4A3B2C1D}}" name="Sato" id="SA"/></Users>
 <CodeBook><Codes>{codes}</Codes></CodeBook>
 <Sources>
  <TextSource guid="{{11111111-2222-4333-8444-555555555555}}" name="Report 1"
    plainTextPath="internal://{{11111111-2222-4333-8444-555555555555}}.txt"/>
 </Sources>
 <Sets><Set guid="{{AAAAAAAA-2222-4333-8444-555555555555}}" name="Code group: finance">
  <MemberCode targetGUID="{{00000000-0000-4000-8000-000000000002}}"/></Set></Sets>
</Project>""".encode()
    assert_valid(etree.fromstring(project))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("project.qde", project)
        archive.writestr("Sources/{11111111-2222-4333-8444-555555555555}.txt", "本文" + extra.decode())
    return out.getvalue()


ATLAS_CODES = """
  <Code guid="{00000000-0000-4000-8000-000000000001}" name="Platforms" isCodable="true" color="#FF7F0E">
   <Description>Big tech firms.</Description>
   <Code guid="{00000000-0000-4000-8000-000000000002}" name="ファーウェイ" isCodable="true" color="#9467BD"/>
   <Code guid="{00000000-0000-4000-8000-000000000003}" name="Super apps" isCodable="true" color="#ABC">
    <Code guid="{00000000-0000-4000-8000-000000000004}" name="WeChat Pay" isCodable="true"/>
   </Code>
  </Code>
  <Code guid="{00000000-0000-4000-8000-000000000005}" name="AI規制" isCodable="false"/>"""


def test_an_atlas_ti_project_imports_its_codebook_matching_names_and_aliases(book, tmp_path):
    huawei = Topic.objects.create(slug="huawei-5g", name="ファーウェイ・5G")
    TopicAlias.objects.create(topic=huawei, name="ファーウェイ")
    path = tmp_path / "atlas.qdpx"
    path.write_bytes(_atlas_qdpx(ATLAS_CODES))
    out = io.StringIO()
    call_command("import_codebook", str(path), stdout=out)
    platforms = Topic.objects.get(name="Platforms")
    assert (platforms.parent, platforms.colour, platforms.description) == (
        None, "#ff7f0e", "Big tech firms.")
    super_apps = Topic.objects.get(name="Super apps")
    assert (super_apps.parent, super_apps.colour) == (platforms, "#aabbcc")
    assert Topic.objects.get(name="WeChat Pay").parent == super_apps
    # Matched by alias and by name: kept as editors made them, not moved.
    huawei.refresh_from_db()
    assert huawei.parent is None and Topic.objects.filter(name="ファーウェイ").count() == 0
    assert Topic.objects.get(slug="ai").colour == "#2ca02c"
    assert "Created 3 topics; 2 codes matched" in out.getvalue()


def test_dry_run_lists_the_changes_and_changes_nothing(book, tmp_path):
    path = tmp_path / "atlas.qdpx"
    path.write_bytes(_atlas_qdpx(ATLAS_CODES))
    before = sorted(Topic.objects.values_list("slug", "parent_id", "colour"))
    out = io.StringIO()
    call_command("import_codebook", str(path), "--dry-run", stdout=out)
    assert "+ WeChat Pay (under Super apps)" in out.getvalue()
    assert "= AI規制: matches the topic AI規制" in out.getvalue()
    assert "Would create 4 topics" in out.getvalue()
    assert sorted(Topic.objects.values_list("slug", "parent_id", "colour")) == before


@pytest.mark.parametrize("content,message", [
    (b"not xml at all", "not well-formed XML"),
    (b"<html><body>hello</body></html>", "not a REFI-QDA codebook"),
    (b'<Project xmlns="urn:QDA-XML:project:1.0" name="x"/>', "no codebook"),
    (b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="{00000000-0000-4000-8000-'
     b'000000000001}" name="ok" isCodable="true"/><Code guid="{00000000-0000-4000-8000-'
     b'000000000002}" name="bad" isCodable="true" color="red"/></Codes></CodeBook>', "colour"),
    (b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code name="" isCodable="true"/>'
     b"</Codes></CodeBook>", "no name"),
    (b"PK\x03\x04broken", "damaged zip"),
])
def test_bad_files_are_refused_clearly_and_change_nothing(book, tmp_path, content, message):
    path = tmp_path / "bad.qdc"
    path.write_bytes(content)
    before = sorted(Topic.objects.values_list("slug", "parent_id", "colour"))
    with pytest.raises(CommandError, match=message):
        call_command("import_codebook", str(path), stdout=io.StringIO())
    assert sorted(Topic.objects.values_list("slug", "parent_id", "colour")) == before


def test_a_project_without_project_qde_is_refused(db):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(codebook.CodebookError, match="project.qde"):
        codebook.read_codebook(io.BytesIO(out.getvalue()))


def test_kbs_own_project_export_imports_its_codebook(book, make_article, analyst):
    from kb.passages import services as passage_services

    section = make_article(sections=[("", "デジタル人民元の試験。", ["digital-yuan"])]).sections.get()
    passage_services.create_passage(section=section, analyst=analyst, exact="デジタル人民元",
                                    topics=["digital-yuan"])
    out = io.BytesIO()
    qda.write_qdpx(out, qda.Scope())
    codes = codebook.read_codebook(io.BytesIO(out.getvalue()))
    assert [c.name for c in codes] == ["デジタル経済"]
    assert codes[0].children[0].children[0].name == "デジタル人民元"


def test_editors_download_the_codebook_from_the_topic_index(client, book, editor, analyst):
    client.force_login(analyst)
    assert reverse("kb:codebook_qdc") not in client.get(reverse("kb:topics")).content.decode()
    assert client.get(reverse("kb:codebook_qdc")).status_code == 403
    client.force_login(editor)
    assert reverse("kb:codebook_qdc") in client.get(reverse("kb:topics")).content.decode()
    response = client.get(reverse("kb:codebook_qdc"))
    assert response["Content-Disposition"] == 'attachment; filename="kb-codebook.qdc"'
    assert len(_tree(response.content)) == 2


def test_an_imported_hierarchy_can_then_be_changed_only_without_cycles(book):
    economy = book
    yuan = Topic.objects.get(slug="digital-yuan")
    with translation.override("en"), pytest.raises(ValidationError, match="subtopics"):
        library_services.set_topic_parent(topic=economy, parent=yuan)
