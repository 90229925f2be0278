"""Checks of whole pages (HTML checker, axe-core, narrow screens). They test templates, not
queries, so `make test` runs them once, on SQLite: each module is marked ``once``."""

import pytest

from tests.checks.pages import build_scene
from tests.e2e.conftest import browser  # noqa: F401  (the same headless Chromium)


@pytest.fixture
def scene(editor):
    return build_scene(editor)
