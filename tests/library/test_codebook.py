"""The codebook in the library: topics in a hierarchy (no cycles) with colours, shown as a
path and children on topic pages, as a tree on the index, and as highlight colours."""

import importlib
from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

import kb.migrations
from kb.library import services
from kb.library.colours import contrast_on_white, palette_colour
from kb.models import Topic


@pytest.fixture
def tree(db):
    economy = Topic.objects.create(slug="economy", name="デジタル経済", description="全般。")
    finance = Topic.objects.create(slug="fintech", name="デジタル金融", parent=economy)
    yuan = Topic.objects.create(slug="digital-yuan", name="デジタル人民元", parent=finance,
                                description="e-CNY。")
    return economy, finance, yuan


@pytest.mark.parametrize("language,message", [
    ("en", "cannot be placed under itself or one of its subtopics"),
    ("ja", "自身またはその下位トピックの下には置けません"),
])
def test_a_cycle_is_refused_in_clean_and_in_the_service_in_the_users_language(
    tree, language, message
):
    economy, finance, yuan = tree
    with translation.override(language):
        economy.parent = yuan
        with pytest.raises(ValidationError, match=message):
            economy.full_clean()
        economy.parent = None
        with pytest.raises(ValidationError, match=message):
            services.set_topic_parent(topic=economy, parent=yuan)
        with pytest.raises(ValidationError, match=message):
            services.set_topic_parent(topic=finance, parent=finance)
    economy.refresh_from_db()
    assert economy.parent is None


def test_moving_a_topic_under_another_branch_is_allowed(tree):
    economy, finance, yuan = tree
    services.set_topic_parent(topic=yuan, parent=economy)
    services.set_topic_parent(topic=finance, parent=yuan)
    finance.refresh_from_db()
    assert finance.parent == yuan


@pytest.mark.parametrize("value", ["red", "#12345", "#1234567", "#ggg000", "1f77b4", "#1f77b4;}"])
def test_a_colour_must_be_hex(db, value):
    topic = Topic(slug="x", name="x", colour=value)
    with translation.override("ja"), pytest.raises(ValidationError, match="16進数6桁"):
        topic.full_clean()


def test_new_topics_get_a_readable_colour_and_short_hex_is_normalised(db):
    assert Topic.objects.create(slug="a", name="a", colour="#ABC").colour == "#aabbcc"
    colour = Topic.objects.create(slug="b", name="b").colour
    assert contrast_on_white(colour) >= 4.5


def test_migration_gives_existing_topics_distinct_readable_colours_at_the_top(db):
    # Found by name, not number: a migration's number changes when branches merge.
    name = next(Path(kb.migrations.__file__).parent.glob("*_codebook.py")).stem
    migration = importlib.import_module(f"kb.migrations.{name}")
    for n in range(15):
        Topic.objects.create(slug=f"t{n}", name=f"t{n}")
    Topic.objects.update(colour="")
    migration.colour_existing_topics(apps, None)
    colours = list(Topic.objects.values_list("colour", flat=True))
    assert len(set(colours)) == 15
    assert all(contrast_on_white(c) >= 4.5 for c in colours)
    assert not Topic.objects.filter(parent__isnull=False).exists()
    assert set(colours) == {palette_colour(i) for i in range(15)}


def test_topic_page_shows_its_path_and_children(client, tree):
    economy, finance, yuan = tree
    html = client.get(finance.get_absolute_url()).content.decode()
    assert (f'<a class="tc-economy" href="{economy.get_absolute_url()}">'
            '<span lang="ja">デジタル経済</span></a>') in html
    assert '<li aria-current="page"><span lang="ja">デジタル金融</span></li>' in html
    assert f'href="{yuan.get_absolute_url()}"' in html and "下位トピック" in html
    html = client.get(economy.get_absolute_url()).content.decode()
    assert "topic-path" not in html


def test_topic_index_shows_the_tree_with_empty_ancestors_of_listed_topics(client, tree):
    economy, finance, yuan = tree
    economy.description = ""
    economy.save()
    html = client.get(reverse("kb:topics")).content.decode()
    # デジタル金融 is empty and undescribed, but holds a described subtopic.
    assert html.index("デジタル経済") < html.index("デジタル金融") < html.index("デジタル人民元")
    assert html.count('class="topic-list topic-subtree"') == 2


def test_colours_come_as_a_stylesheet_and_the_csp_stays_strict(client, tree):
    economy, _, _ = tree
    Topic.objects.filter(pk=economy.pk).update(colour="#123456")
    response = client.get(reverse("kb:topic_colours"))
    assert response["Content-Type"].startswith("text/css")
    assert ".tc-economy { --topic-colour: #123456; }" in response.content.decode()
    page = client.get(economy.get_absolute_url())
    assert "style-src 'self';" in page["Content-Security-Policy"]
    assert "unsafe-inline" not in page["Content-Security-Policy"]
    html = page.content.decode()
    assert f'href="{reverse("kb:topic_colours")}"' in html and 'style="' not in html


def test_a_colour_that_slipped_past_validation_never_reaches_the_stylesheet(client, tree):
    Topic.objects.filter(slug="economy").update(colour="#0;}a{b")  # the column holds 7
    css = client.get(reverse("kb:topic_colours")).content.decode()
    assert "economy" not in css and "}a{" not in css


def test_chips_carry_their_topics_colour_class(client, make_article, tree):
    article = make_article(sections=[("見出し", "本文。", ["digital-yuan"])])
    html = client.get(article.get_absolute_url()).content.decode()
    assert 'class="chip tc-digital-yuan"' in html


def test_deleting_a_topic_lifts_its_subtopics_to_the_top(tree):
    economy, finance, _ = tree
    economy.delete()
    finance.refresh_from_db()
    assert finance.parent is None


def test_a_merge_moves_the_subtopics_under_the_target_without_a_cycle(tree):
    economy, finance, yuan = tree
    other = Topic.objects.create(slug="other", name="その他")
    Topic.objects.create(slug="cards", name="カード", parent=finance)
    services.merge_topics(source=finance, target=other)
    assert list(other.children.order_by("name").values_list("name", flat=True)) == [
        "カード", "デジタル人民元"]
    # Merged into its own subtopic: that subtopic takes the source's place.
    services.merge_topics(source=economy, target=other)
    other.refresh_from_db()
    assert other.parent is None
    services.merge_topics(source=other, target=yuan)
    yuan.refresh_from_db()
    assert yuan.parent is None
    assert list(yuan.children.values_list("name", flat=True)) == ["カード"]


def test_the_admin_refuses_a_cycle_with_a_form_error_and_keeps_the_colour(editor_client, tree):
    economy, _, yuan = tree
    data = {
        "name": economy.name, "name_en": "", "slug": economy.slug, "description": "全般。",
        "parent": str(yuan.pk), "colour": "#123456",
        "aliases-TOTAL_FORMS": "0", "aliases-INITIAL_FORMS": "0",
        "aliases-MIN_NUM_FORMS": "0", "aliases-MAX_NUM_FORMS": "1000",
    }
    url = reverse("admin:kb_topic_change", args=[economy.pk])
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert "自身またはその下位トピックの下には置けません" in response.content.decode()
    economy.refresh_from_db()
    assert economy.parent is None
    response = editor_client.post(url, {**data, "parent": ""})
    assert response.status_code == 302
    economy.refresh_from_db()
    assert economy.colour == "#123456"
