"""Passage API requests as the article page's script sends them: offsets in UTF-16 code
units, JSON bodies, the CSRF token in a header."""

import json

from django.urls import reverse


def utf16(text, index):
    return len(text[:index].encode("utf-16-le")) // 2


def passage_payload(section, quote, **extra):
    """A new passage quoting ``quote`` (its first occurrence) in ``section``."""
    start = section.plain_text.index(quote)
    return {
        "section": section.pk, "exact": quote,
        "start16": utf16(section.plain_text, start),
        "end16": utf16(section.plain_text, start + len(quote)),
        "topics": ["platformers", "データ制度"], "note": "信用スコアの根拠", **extra,
    }


def api_request(client, data, token=None, method="post", url=None):
    headers = {"HTTP_X_CSRFTOKEN": token} if token else {}
    return getattr(client, method)(url or reverse("kb:api_passages"), json.dumps(data),
                                   content_type="application/json", **headers)
