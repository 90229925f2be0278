"""Every model of the kb app, for Django and the migrations: each lives in its room."""

from kb.editorial.models import ImportDraft, TopicWords, Watch
from kb.library.models import (
    Article,
    Link,
    Section,
    TaggedSection,
    Topic,
    TopicAlias,
    TopicRedirect,
    new_anchor,
)
from kb.library.originals import Original
from kb.passages.models import Notification, Passage, TaggedPassage
from kb.search.models import SearchEntry, SearchWord
from kb.site.models import ContentChange, Job

__all__ = [
    "Article", "ContentChange", "ImportDraft", "Job", "Link", "Notification", "Original", "Passage",
    "SearchEntry", "SearchWord", "Section", "TaggedPassage", "TaggedSection", "Topic", "TopicAlias", "TopicRedirect",
    "TopicWords", "Watch",
    "new_anchor",
]
