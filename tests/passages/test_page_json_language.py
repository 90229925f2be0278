"""The page script's passage JSON names topics in the reader's language and says when a
name is Japanese (the card it fills sits outside the article's lang="ja")."""

import pytest
from django.utils import translation

from kb.models import Topic
from kb.passages import serializers, services

pytestmark = pytest.mark.django_db


def test_topics_in_the_page_json_follow_the_interface_language(make_article, analyst):
    Topic.objects.create(slug="platformers", name="プラットフォーマー", name_en="Platformers")
    section = make_article(sections=[("一", "アリババは与信を使う。", ["platformers"])]).sections.get()
    passage = services.create_passage(section=section, analyst=analyst, exact="与信",
                                      topics=["platformers", "新しい札"])
    shown = {}
    for language in ("ja", "en"):
        with translation.override(language):
            data = serializers.passage_for_page(passage, user=analyst)
            shown[language] = sorted((t["label"], t["lang"], t["name"]) for t in data["topics"])
    assert shown["ja"] == [("プラットフォーマー", "ja", "プラットフォーマー"), ("新しい札", "ja", "新しい札")]
    # A free tag has no English label: it stays Japanese, and says so.
    assert shown["en"] == [("Platformers", "", "プラットフォーマー"), ("新しい札", "ja", "新しい札")]
