"""Content negotiation: one URL, several representations, chosen by the Accept header.

A view lists what it can answer in, each media type with the function that renders it; the
first is for clients that accept anything (``*/*``, or no Accept header: ``fetch()``, curl,
the test client), so it should be what the URL answered before it had alternatives.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

Renderer = Callable[..., HttpResponse]


def negotiate(
    request: HttpRequest, renderers: Mapping[str, Renderer], *args: Any, **kwargs: Any
) -> HttpResponse:
    """The response of the renderer for the media type the client prefers (by quality, then
    specificity, then the order of ``renderers``), or 406 naming the types on offer. Every
    answer varies by Accept, so a shared cache keeps them apart."""
    chosen = request.get_preferred_type(list(renderers))
    if chosen is None:
        response = HttpResponse(
            _("This resource is available as %(types)s; the request's Accept header allows none of them.")
            % {"types": ", ".join(renderers)},
            status=406, content_type="text/plain; charset=utf-8",
        )
    else:
        response = renderers[chosen](request, *args, **kwargs)
    patch_vary_headers(response, ["Accept"])
    return response
