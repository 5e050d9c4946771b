"""Request types for views behind the sign-in requirement, and small response helpers."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.files.storage import Storage, default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.utils.http import content_disposition_header

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from peerpath.people.models import User


class AuthedRequest(HttpRequest):
    """A request from a signed-in person (LoginRequiredMiddleware guarantees it)."""

    user: User
    htmx: HtmxDetails


def choice_param(request: HttpRequest, name: str, choices: Iterable[str], default: str) -> str:
    """A query parameter limited to known values; anything else falls back to the default."""
    value = request.GET.get(name, default)
    return value if value in set(choices) else default


SIGNED_URL_SECONDS = 300


def stored_file_response(
    name: str,
    *,
    content_type: str,
    inline: bool,
    filename: str = "",
    storage: Storage | None = None,
) -> HttpResponseBase:
    """Answer with a stored file, after the caller has checked who may read it.

    Files on disk are streamed. Files in object storage are not proxied: the answer
    redirects to a URL signed for a few minutes, carrying the same type and disposition.
    """
    storage = storage or default_storage
    disposition = content_disposition_header(as_attachment=not inline, filename=filename) or ""
    try:
        path = storage.path(name)
    except NotImplementedError:
        return HttpResponseRedirect(_signed_url(storage, name, content_type, disposition))
    try:
        handle = open(path, "rb")  # noqa: SIM115 - FileResponse closes it
    except (FileNotFoundError, IsADirectoryError) as exc:
        raise Http404("No such file.") from exc
    response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = disposition
    response["X-Content-Type-Options"] = "nosniff"
    # The path holds a random id and files never change in place: browsers may keep them.
    response["Cache-Control"] = "private, max-age=86400"
    return response


def _signed_url(storage: Storage, name: str, content_type: str, disposition: str) -> str:
    from storages.backends.s3 import S3Storage

    if isinstance(storage, S3Storage):
        url: str = storage.url(
            name,
            parameters={
                "ResponseContentType": content_type,
                "ResponseContentDisposition": disposition,
            },
            expire=SIGNED_URL_SECONDS,
        )
        return url
    return storage.url(name)
