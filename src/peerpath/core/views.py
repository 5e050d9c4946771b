"""Home, health check, the benchmark calibration view and friendly error pages."""

from __future__ import annotations

import mimetypes

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.template import loader
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.static import serve

from peerpath.content import selectors as content
from peerpath.core import permissions
from peerpath.core.http import AuthedRequest, stored_file_response
from peerpath.learning import selectors as learning
from peerpath.people import selectors as people
from peerpath.social import feed_selectors as social


def home(request: AuthedRequest) -> HttpResponse:
    """The personal feed, with what one was learning and, for deciders, what waits for them.

    ``?after=`` shows an older page of the feed (the infinite scroll's plain-link fallback).
    """
    user = request.user
    after = request.GET.get("after") or None
    approvals, more_approvals = ([], False) if after else social.pending_approvals(user)
    context = {
        "feed": social.home_feed(user, after=after),
        "older": after is not None,
        "continue": list(learning.progress_in_progress(user)[:3]),
        "counts": learning.learning_counts(user),
        "paths": list(content.paths_published()[:3]),
        "is_manager": permissions.is_manager(user),
        "approvals": approvals,
        "more_approvals": more_approvals,
    }
    if context["is_manager"]:
        context["direct_reports"] = people.people_active().filter(manager=user).count()
    return render(request, "core/home.html", context)


@login_not_required
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Load-balancer probe: the app answers and the database accepts a query."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


@login_not_required
def favicon(request: HttpRequest) -> HttpResponseRedirect:
    """Browsers ask for /favicon.ico on their own; point them at the static icon."""
    return HttpResponseRedirect(static("peerpath/img/favicon.svg"))


def calibration(request: AuthedRequest) -> HttpResponse:
    """Benchmark yardstick: one primary-key query and a trivial template on the same stack."""
    if not settings.PEERPATH_CALIBRATION_VIEW:
        raise Http404
    person = people.person_by_public_id(request.user.public_id)
    # Rendered without the request: no context processors, so no navigation queries.
    return HttpResponse(loader.get_template("core/calibration.html").render({"person": person}))


def error_400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    too_large = isinstance(exception, RequestDataTooBig | TooManyFieldsSent)
    limit_mb = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / (1024 * 1024)
    return render(
        request, "errors/400.html", {"too_large": too_large, "limit_mb": limit_mb}, status=400
    )


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = str(exception) if exception and str(exception) else ""
    return render(request, "errors/403.html", {"message": message}, status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    # No context processors that touch the database: the fault may be the database.
    return HttpResponse(loader.get_template("errors/500.html").render({}), status=500)


def media(request: AuthedRequest, path: str) -> HttpResponseBase:
    """Uploaded files (avatars and the like), to signed-in colleagues only.

    Module assets have a view of their own, which knows each file's type from its row.
    """
    if not isinstance(default_storage, FileSystemStorage):
        guessed, _ = mimetypes.guess_type(path)
        if guessed not in {"image/png", "image/jpeg", "image/gif", "image/webp"}:
            raise Http404("No such file.")
        return stored_file_response(path, content_type=guessed, inline=True)
    response = serve(request, path, document_root=str(settings.MEDIA_ROOT))
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response
