"""The shipped analyst passages: loaded with the corpus, anchored, and loaded only once."""

import json

from kb.editorial.corpus import CURATOR, FIXTURES_DIR, load_corpus
from kb.models import Passage


def test_shipped_passages_are_anchored_on_the_corpus_and_owned_by_the_curator(corpus):
    shipped = json.loads((FIXTURES_DIR / "passages.json").read_text(encoding="utf-8"))
    assert corpus.passages_created == len(shipped) == Passage.objects.count()
    for passage in Passage.objects.select_related("section", "analyst"):
        assert passage.status == "anchored"
        assert passage.section.plain_text[passage.start : passage.end] == passage.exact
        assert passage.analyst.username == CURATOR
        assert not passage.analyst.has_usable_password()
    ecredital = Passage.objects.get(exact__contains="排列科技は、インドネシア")
    assert {"platformers", "data-institutions"} <= {t.slug for t in ecredital.topics.all()}
    assert ecredital.note


def test_loading_again_adds_nothing_and_does_not_bring_back_a_deleted_passage(corpus):
    Passage.objects.first().delete()
    report = load_corpus()
    assert report.passages_created == 0
    assert Passage.objects.count() == corpus.passages_created - 1


def test_the_topic_page_of_the_corpus_shows_the_shipped_passages(client, corpus):
    ecredital = Passage.objects.get(exact__contains="排列科技は、インドネシア")
    html = client.get("/topics/data-institutions/").content.decode()
    assert ecredital.exact in html
    assert f"#passage-{ecredital.pk}" in html
