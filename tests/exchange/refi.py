"""Reading and validating REFI-QDA files in tests, against the official schema."""

import io
import zipfile
from pathlib import Path

from lxml import etree

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "standards" / "refi-qda" / "Project.xsd"
PROJECT_NS = "urn:QDA-XML:project:1.0"
NS = {"q": PROJECT_NS}
_schema = None


def schema() -> etree.XMLSchema:
    global _schema
    if _schema is None:
        _schema = etree.XMLSchema(etree.parse(str(SCHEMA_PATH)))
    return _schema


def assert_valid(document: etree._ElementTree | etree._Element) -> None:
    checker = schema()
    assert checker.validate(document), checker.error_log


def open_qdpx(data: bytes) -> tuple[etree._Element, dict[str, str]]:
    """The project's root element (validated) and its sources' texts by file name."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.testzip() is None
    project = etree.fromstring(archive.read("project.qde"))
    assert_valid(project)
    sources = {name.removeprefix("Sources/"): archive.read(name).decode("utf-8")
               for name in archive.namelist() if name.startswith("Sources/")}
    return project, sources


def codebook_as_project(data: bytes) -> etree._Element:
    """A ``.qdc``'s CodeBook moved into a minimal project in Project.xsd's namespace: the
    standard's Codebook.xsd is not held here, and its CodeBook has Project.xsd's type."""
    book = etree.fromstring(data)
    assert book.tag == "{urn:QDA-XML:codebook:1.0}CodeBook"
    book = etree.fromstring(data.replace(b"urn:QDA-XML:codebook:1.0", PROJECT_NS.encode()))
    del book.attrib["origin"]  # an attribute of Codebook.xsd's CodeBook, not of Project.xsd's
    project = etree.Element(f"{{{PROJECT_NS}}}Project", nsmap={None: PROJECT_NS}, name="wrapper")
    project.append(book)
    return etree.fromstring(etree.tostring(project))


def code_tree(root: etree._Element) -> list[tuple]:
    """The codes under a CodeBook as (name, colour, description, children) tuples."""

    def walk(parent):
        return [(code.get("name"), code.get("color"),
                 code.findtext("q:Description", default="", namespaces=NS), walk(code))
                for code in parent.findall("q:Code", NS)]

    codes = root.find(".//q:CodeBook/q:Codes", NS)
    return walk(codes) if codes is not None else []
