"""Refuse request bodies larger than any page accepts, before Django reads them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template import loader

V = TypeVar("V", bound=Callable[..., Any])


def accepts_large_uploads(setting: str) -> Callable[[V], V]:
    """Let one view take bodies up to ``settings.<setting>`` bytes instead of the site-wide cap.

    The SCORM upload page uses it: packages are far larger than any form or avatar.
    """

    def mark(view: V) -> V:
        view.peerpath_max_body_setting = setting  # type: ignore[attr-defined]
        return view

    return mark


class RequestSizeLimitMiddleware:
    """Answer 413 with a friendly page when Content-Length exceeds PEERPATH_MAX_UPLOAD_BYTES.

    Django caps form fields itself (DATA_UPLOAD_MAX_MEMORY_SIZE) but streams file uploads to
    disk whatever their size; this stops an oversized upload at the door. The check runs
    before any other middleware's view hook, so nothing has read the body yet.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        setting = getattr(view_func, "peerpath_max_body_setting", "PEERPATH_MAX_UPLOAD_BYTES")
        limit = int(getattr(settings, setting))
        if length > limit:
            body = loader.get_template("errors/413.html").render(
                {"limit_mb": limit / (1024 * 1024)}
            )
            return HttpResponse(body, status=413)
        return None
