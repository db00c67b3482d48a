"""Site-wide middleware."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.template.loader import render_to_string

log = logging.getLogger(__name__)

MESSAGE = "The database is unavailable; nothing was saved, try again in a minute."


class DatabaseUnavailableMiddleware:
    """A lost or refused database connection answers 503 with a plain page, not a 500.

    Views change state in transactions, and the upload deletes the files it staged when its
    transaction fails (services.batches.accept_upload), so "nothing was saved" holds. The
    page is rendered without the request's context: its context processors (user, messages)
    would query the database that just failed.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        log.error("database unavailable during %s %s", request.method, request.path,
                  exc_info=exception)  # fmt: skip
        if request.headers.get("HX-Request"):
            response = HttpResponse(MESSAGE, status=503, content_type="text/plain")
        else:
            html = render_to_string("errors/database_unavailable.html", {"message": MESSAGE})
            response = HttpResponse(html, status=503)
        response["Retry-After"] = "60"
        return response
