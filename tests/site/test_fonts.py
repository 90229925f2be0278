"""kb ships its own Japanese font: Noto Sans JP in unicode-range subsets, swapped in while
the text shows, and served for ever-cached under hashed names in production."""

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import RequestFactory, override_settings
from django.urls import reverse
from whitenoise.middleware import WhiteNoiseMiddleware

FONT_CSS = "kb/fonts/noto-sans-jp.css"


def _faces(css: str) -> list[str]:
    return re.findall(r"@font-face \{(.*?)\}", css, re.S)


@pytest.mark.django_db
def test_pages_and_admin_load_the_shipped_font(client, editor_client):
    assert f'href="/static/{FONT_CSS}"' in client.get(reverse("kb:home")).content.decode()
    assert f'href="/static/{FONT_CSS}"' in editor_client.get(reverse("admin:index")).content.decode()


def test_each_face_is_a_unicode_range_subset_that_swaps_in():
    path = Path(finders.find(FONT_CSS))
    faces = _faces(path.read_text())
    assert {re.search(r"font-weight: (\d+)", face)[1] for face in faces} == {"400", "700"}
    assert len(faces) > 200  # about 120 subsets a weight
    for face in faces:
        assert "font-family: 'Noto Sans JP'" in face and "font-display: swap" in face
        assert re.search(r"unicode-range: U\+", face)
        (file,) = re.findall(r"url\(([^)]+)\) format\('woff2'\)", face)
        assert (path.parent / file).is_file()
    assert "SIL OPEN FONT LICENSE" in (path.parent / "OFL.txt").read_text().upper()


@pytest.mark.django_db
def test_production_serves_fonts_under_hashed_names_cached_for_years(tmp_path):
    storages = {"staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=storages, WHITENOISE_USE_FINDERS=False,
                           WHITENOISE_AUTOREFRESH=False):
        call_command("collectstatic", interactive=False, verbosity=0)
        from django.contrib.staticfiles.storage import staticfiles_storage

        css_name = staticfiles_storage.stored_name(FONT_CSS)
        css = (tmp_path / css_name).read_text()
        font = re.search(r'url\("(noto-sans-jp-\d+-400-normal\.[0-9a-f]{12}\.woff2)"\)', css)
        assert font, "the stylesheet points at the fonts' hashed names"
        middleware = WhiteNoiseMiddleware(lambda request: None)
        response = middleware(RequestFactory().get(f"/static/kb/fonts/{font[1]}"))
        assert response.status_code == 200
        assert response["Content-Type"] == "font/woff2"
        assert "max-age=315360000" in response["Cache-Control"]
        assert "immutable" in response["Cache-Control"]
