"""Refuse request bodies larger than any page accepts, before Django reads them."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template import loader


class RequestSizeLimitMiddleware:
    """Answer 413 with a friendly page when Content-Length exceeds PEERPATH_MAX_UPLOAD_BYTES.

    Django caps form fields itself (DATA_UPLOAD_MAX_MEMORY_SIZE) but streams file uploads to
    disk whatever their size; this stops an oversized upload at the door.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.PEERPATH_MAX_UPLOAD_BYTES
        if length > limit:
            body = loader.get_template("errors/413.html").render(
                {"limit_mb": limit / (1024 * 1024)}
            )
            return HttpResponse(body, status=413)
        return self.get_response(request)
