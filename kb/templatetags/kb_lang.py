"""Topic names in the interface's language, and Japanese text marked as Japanese.

``{% topic_name topic %}`` shows the English label in the English interface and the Japanese
name otherwise, marked ``lang="ja"`` so screen readers and fonts pick the right language;
``{% topic_name topic beside=True %}`` adds the other language's name after it.
"""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def topic_name(topic, beside=False):
    japanese = format_html('<span lang="ja">{}</span>', topic.name)
    if topic.shown_in_english():
        if beside and topic.name != topic.name_en:
            return format_html('{} <span class="ja" lang="ja">{}</span>', topic.name_en, topic.name)
        return format_html("{}", topic.name_en)
    if beside and topic.name_en and topic.name != topic.name_en:
        return format_html('{} <span class="en" lang="en">{}</span>', japanese, topic.name_en)
    return japanese


@register.filter
def in_lang(text, language):
    """``text`` marked as written in ``language``, to place inside a translated sentence:
    ``{% blocktranslate with title=article.title|in_lang:article.language %}``."""
    return format_html('<span lang="{}">{}</span>', language, text) if language else text
