"""The admin's import as an editor goes through it: upload a report, read its preview, save
the preview's form as the browser would submit it."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

URL = reverse("admin:kb_article_import")
REPORT = (
    "中ロ技術協力の現状\n\n"
    "FSI 安全保障研究所長 渡部悦和\n\n"
    "2019/11/06\n\n"
    + "最近、中国とロシアの急接近が話題になっている。" + "両国の協力は深化している。" * 5
    + "\n\n●次世代通信におけるファーウェイの戦い\n\n"
    + "華為技術に対する制裁措置は、中ロの協力関係を深めた。" * 3
    + "\n\n●デジタル経済\n\n"
    + "中国の巨大IT企業は、ロシアのデジタル経済に商機を見出している。" * 3 + "\n"
)


def upload_report(client, text=REPORT, name="report.txt", encoding="utf-8"):
    upload = SimpleUploadedFile(name, text.encode(encoding), content_type="text/plain")
    return client.post(URL, {"step": "upload", "file": upload})


def save_data(preview_response, **changes):
    """The preview form's fields as the browser would submit them, with ``changes``."""
    context = preview_response.context
    data = {"step": "save", "draft": str(context["draft"].token), "page": str(context["page"])}
    for name in context["form"].fields:
        value = context["form"].initial.get(name, "")
        data[name] = "" if value is None else str(value)
    formset = context["formset"]
    data.update({f"form-{k}": v for k, v in {
        "TOTAL_FORMS": len(formset.forms), "INITIAL_FORMS": len(formset.forms),
        "MIN_NUM_FORMS": 0, "MAX_NUM_FORMS": 1000}.items()})
    for i, form in enumerate(formset.forms):
        for name in ["heading", "body", "topics"]:
            data[f"form-{i}-{name}"] = form.initial.get(name, "")
    data.update(changes)
    return data
