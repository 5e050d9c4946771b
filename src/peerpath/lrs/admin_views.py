"""Admin pages of the learning record store: exporting statements and managing LRS keys."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from peerpath.core import permissions
from peerpath.core.zones import zone_named
from peerpath.lrs import export, selectors, services, validation
from peerpath.lrs.forms import VERB_CHOICES, ExportFilterForm, KeyCreateForm
from peerpath.lrs.identity import learner_agent
from peerpath.lrs.recording import PEERPATH_KEY
from peerpath.people import selectors as people

if TYPE_CHECKING:
    from peerpath.core.http import AuthedRequest


def _midnight(day: date, zone: zoneinfo.ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)


def _export_filter(request: AuthedRequest, form: ExportFilterForm) -> selectors.ExportFilter | None:
    """The form's filters for the selectors, or None (with a form error) when they cannot match."""
    data = form.cleaned_data
    agent_keys: tuple[str, ...] = ()
    if data["email"]:
        person = people.person_by_email(data["email"])
        if person is None:
            form.add_error("email", "Nobody in Peerpath has that email address.")
            return None
        # Peerpath names learners by account; external content may name them by email.
        account = validation.agent_key(learner_agent(str(person.public_id)))
        agent_keys = (
            account or "",
            f"mbox:mailto:{person.email.lower()}",
            f"mbox:mailto:{person.email}",
        )
    zone = zone_named(request.user.time_zone)
    return selectors.ExportFilter(
        agent_keys=tuple(dict.fromkeys(agent_keys)),
        verb=data["verb"] or None,
        activity=data["activity"] or None,
        since=_midnight(data["since"], zone) if data["since"] else None,
        until=_midnight(data["until"] + timedelta(days=1), zone) if data["until"] else None,
    )


@require_GET
def record_export(request: AuthedRequest) -> HttpResponse:
    """Filter the learning record, preview what matches, and download it."""
    permissions.require(permissions.can_export_learning_records(request.user))
    form = ExportFilterForm(request.GET or None)
    preview = None
    status = 200
    if form.is_bound:
        query = _export_filter(request, form) if form.is_valid() else None
        if query is None:
            status = 400
        else:
            preview = selectors.export_preview(query)
    else:
        preview = selectors.export_preview(selectors.ExportFilter())
    rows = [
        {
            "statement": s,
            "actor": s["actor"].get("name") or export.actor_ifi(s["actor"]),
            "verb": (s["verb"].get("display") or {}).get("en-US") or s["verb"]["id"],
            "object": export.object_name(s["object"]) or s["object"].get("id", ""),
            "stored": datetime.fromisoformat(s["stored"].replace("Z", "+00:00")),
        }
        for s in (preview.rows if preview else [])
    ]
    return render(
        request,
        "lrs/record_export.html",
        {
            "form": form,
            "preview": preview,
            "rows": rows,
            "query_string": request.GET.urlencode(),
            "verbs": VERB_CHOICES[1:],
            "admin_tab": "record",
        },
        status=status,
    )


@require_GET
def record_export_download(
    request: AuthedRequest, fmt: str
) -> HttpResponse | StreamingHttpResponse:
    """The matching statements as a JSON array or a CSV file, streamed as they are read."""
    permissions.require(permissions.can_export_learning_records(request.user))
    if fmt not in ("json", "csv"):
        raise Http404("Exports are JSON or CSV.")
    form = ExportFilterForm(request.GET)
    query = _export_filter(request, form) if form.is_valid() else None
    if query is None:
        problems = "; ".join(
            f"{name}: {' '.join(str(e) for e in errors)}" for name, errors in form.errors.items()
        )
        return HttpResponse(f"The filters are not valid: {problems}", status=400)
    statements = selectors.export_statements(query)
    if fmt == "json":
        response = StreamingHttpResponse(
            export.json_chunks(statements), content_type="application/json"
        )
    else:
        response = StreamingHttpResponse(
            export.csv_chunks(statements), content_type="text/csv; charset=utf-8"
        )
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="peerpath-statements-{stamp}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response


_ACCESS = {"read_write": (True, True), "read": (True, False), "write": (False, True)}


@require_http_methods(["GET", "POST"])
def keys(request: AuthedRequest) -> HttpResponse:
    """The LRS keys, and a form to issue one; a new key's secret is shown on this answer only."""
    permissions.require(permissions.can_manage_lrs_keys(request.user))
    form = KeyCreateForm(request.POST or None)
    issued = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            can_read, can_write = _ACCESS[form.cleaned_data["access"]]
            issued = services.lrs_key_create(
                name=form.cleaned_data["name"],
                can_read=can_read,
                can_write=can_write,
                own_only=form.cleaned_data["own_only"],
                created_by_id=request.user.pk,
            )
            form = KeyCreateForm()
        else:
            status = 400
    response = render(
        request,
        "lrs/keys.html",
        {
            "keys": selectors.lrs_keys(),
            "form": form,
            "issued": issued,
            "builtin_key": PEERPATH_KEY,
            "xapi_url": f"{settings.BASE_URL}/xapi/",
            "admin_tab": "keys",
        },
        status=status,
    )
    # The page may carry a secret: never keep it in a cache or the browser's history.
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
def key_revoke(request: AuthedRequest, key: str) -> HttpResponse:
    """Ask to confirm, then deactivate the key; Peerpath's own key is not revoked."""
    permissions.require(permissions.can_manage_lrs_keys(request.user))
    found = selectors.lrs_key_by_key(key)
    if found is None or found.key == PEERPATH_KEY:
        raise Http404("No such LRS key.")
    if request.method == "POST":
        if services.lrs_key_revoke(key=found.key):
            messages.success(request, f"Revoked “{found.name}”. Clients using it are refused now.")
        else:
            messages.info(request, f"“{found.name}” was already revoked.")
        return redirect("lrs_admin:keys")
    return render(request, "lrs/key_revoke.html", {"key": found, "admin_tab": "keys"})
