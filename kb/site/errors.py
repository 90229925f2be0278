"""Error pages that render without the database, since it may be the thing that failed."""

import logging
import sys

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: a 503 with Retry-After when the database is unreachable, else a 500.

    Django calls it while handling the exception, so ``sys.exc_info()`` tells which. The
    templates get no request context: the context processors would query the database.
    """
    exception = sys.exc_info()[1]
    if isinstance(exception, OperationalError | InterfaceError):
        logger.error("database unavailable: %s", exception)
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return HttpResponse(render_to_string("500.html"), status=500)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """``handler400``. A form larger than Django accepts in one request (more fields than
    DATA_UPLOAD_MAX_NUMBER_FIELDS, more text than DATA_UPLOAD_MAX_MEMORY_SIZE: an article
    with thousands of sections) is refused before any view reads it, so nothing is saved and
    kb cannot keep the input: the page says so and how to proceed instead. For an article's
    change form that is its section list, where each section is saved on its own form."""
    context = {}
    if isinstance(exception, TooManyFieldsSent | RequestDataTooBig):
        context["too_large"] = True
        # Resolved before the CSRF check or the view read the form and hit the limit.
        match = request.resolver_match
        if match and match.view_name == "admin:kb_article_change":
            query = urlencode({"article__id__exact": match.kwargs["object_id"]})
            context["sections_url"] = f"{reverse('admin:kb_section_changelist')}?{query}"
    return HttpResponseBadRequest(render_to_string("400.html", context))
