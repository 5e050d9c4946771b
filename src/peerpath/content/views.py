"""Authoring pages: an author's modules, the editor, publish and unpublish."""

from __future__ import annotations

import uuid
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from peerpath.content import assets, quizzes, selectors, services
from peerpath.content.diffing import module_text, text_diff
from peerpath.content.forms import ModuleForm, PackageUploadForm, PreviewForm
from peerpath.content.models import AssetKind, ModuleKind
from peerpath.content.rendering import render_markdown
from peerpath.core import permissions
from peerpath.core.forms import add_service_errors
from peerpath.core.http import AuthedRequest, stored_file_response
from peerpath.core.middleware import accepts_large_uploads
from peerpath.core.pagination import paginate

if TYPE_CHECKING:
    from peerpath.content.models import Module

# What authors may put into an article or a deck from the editor's uploader.
EDITOR_ASSET_KINDS = frozenset(AssetKind.values)
DOCUMENT_KINDS = frozenset({AssetKind.PDF, AssetKind.DOCUMENT})


def my_modules(request: AuthedRequest) -> HttpResponse:
    permissions.require(permissions.can_create_module(request.user))
    page = paginate(request, selectors.modules_by_author(request.user), per_page=20)
    return render(request, "content/my_modules.html", {"page": page})


def module_new(request: AuthedRequest) -> HttpResponse:
    permissions.require(permissions.can_create_module(request.user))
    if request.method == "POST":
        kind = request.POST.get("kind") or ModuleKind.ARTICLE
    else:
        kind = request.GET.get("kind", "")
    if kind not in ModuleKind.values:
        return render(request, "content/module_kind.html", {"kinds": KIND_CARDS})
    form = ModuleForm(request.POST or None, kind=kind)
    if request.method == "POST" and form.is_valid():
        try:
            module = services.module_create(
                author=request.user,
                kind=form.cleaned_data["kind"],
                publish="publish" in request.POST,
                **form.content(),
            )
            services.module_set_co_authors(
                actor=request.user, module=module, people=form.cleaned_data["co_authors"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if module.kind == ModuleKind.FILE and module.document is None:
                messages.success(
                    request, f"“{module.title}” was saved as a draft. Now upload its document."
                )
                return redirect("content:edit", public_id=module.public_id)
            verb = "published" if module.is_published else "saved as a draft"
            messages.success(request, f"“{module.title}” was {verb}.")
            if module.kind == ModuleKind.PACKAGE:
                return redirect("content:package", public_id=module.public_id)
            return redirect("learning:module", public_id=module.public_id, slug=module.slug)
    return render(
        request,
        "content/module_form.html",
        {"form": form, "module": None, "kind": kind, "kind_label": ModuleKind(kind).label},
    )


# What each kind of module is for, as the "new module" page offers them.
KIND_CARDS = [
    (ModuleKind.ARTICLE, "Write up what you know: headings, images, video, code and tables."),
    (ModuleKind.DECK, "Slides to present or to click through, with speaker notes for you."),
    (ModuleKind.QUIZ, "Questions with feedback and a pass mark, to check understanding."),
    (ModuleKind.FILE, "Share a PDF or an office document colleagues read in the browser."),
    (ModuleKind.PACKAGE, "Import a SCORM 1.2 or 2004 package from an authoring tool."),
]


@require_POST
def module_preview(request: AuthedRequest) -> HttpResponse:
    """Render the editor's text as learners would see it, without saving it."""
    permissions.require(permissions.can_create_module(request.user))
    form = PreviewForm(request.POST)
    if not form.is_valid():
        return render(request, "content/_preview.html", {"error": "The text is too long."})
    questions: list[dict[str, object]] = []
    quiz_error = ""
    source = form.cleaned_data["quiz_source"]
    if source.strip():
        try:
            questions = quizzes.parse_quiz(source)
        except quizzes.QuizSyntaxError as exc:
            quiz_error = str(exc)
    return render(
        request,
        "content/_preview.html",
        {
            "body_html": render_markdown(form.cleaned_data["body_markdown"]),
            "questions": questions,
            "quiz_error": quiz_error,
        },
    )


def _initial(module: Module, copy: selectors.WorkingCopy) -> dict[str, object]:
    return {
        "title": copy.title,
        "summary": copy.summary,
        "body_markdown": copy.body_markdown,
        "estimated_minutes": copy.estimated_minutes,
        "skills": copy.skill_ids,
        "quiz_source": copy.quiz_source,
        "pass_mark": copy.quiz.get("pass_mark", 80),
        "shuffle": copy.quiz.get("shuffle", False),
        "max_attempts": copy.quiz.get("max_attempts"),
        "co_authors": ", ".join(p.email for p in module.co_authors.all()),
    }


def module_edit(request: AuthedRequest, public_id: str) -> HttpResponse:
    module = selectors.get_module_for_user(request.user, public_id, write=True)
    can_choose = permissions.can_manage_co_authors(request.user, module)
    copy = selectors.working_copy(module)
    form = ModuleForm(
        request.POST or None,
        kind=module.kind,
        initial=_initial(module, copy),
        can_choose_co_authors=can_choose,
        can_choose_kind=False,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.module_update(
                actor=request.user,
                module=module,
                **form.content(),
                # Uploads have pages of their own; the text editor keeps what is attached.
                package=copy.package,
                document=copy.document,
            )
            if can_choose:
                services.module_set_co_authors(
                    actor=request.user, module=module, people=form.cleaned_data["co_authors"]
                )
            if "publish" in request.POST:
                services.module_publish(actor=request.user, module=module)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if "publish" in request.POST:
                messages.success(request, f"“{module.title}” is published.")
            elif module.is_published:
                messages.success(
                    request,
                    "Your changes are saved as a draft. Learners see the published version "
                    "until you publish.",
                )
            else:
                messages.success(request, f"“{module.title}” was saved.")
            return redirect("learning:module", public_id=module.public_id, slug=module.slug)
    return render(
        request,
        "content/module_form.html",
        {
            "form": form,
            "module": module,
            "copy": copy,
            "kind": module.kind,
            "kind_label": ModuleKind(module.kind).label,
            "document_label": assets.type_label(copy.document) if copy.document else "",
        },
    )


@require_POST
def module_autosave(request: AuthedRequest, public_id: str) -> HttpResponse:
    """Save the editor's text every few seconds, without publishing anything."""
    module = selectors.get_module_for_user(request.user, public_id, write=True)
    form = ModuleForm(
        request.POST, kind=module.kind, can_choose_co_authors=False, can_choose_kind=False
    )
    if not form.is_valid():
        problems = "; ".join(
            f"{form.fields[f].label or f}: {' '.join(str(m) for m in e)}"
            for f, e in form.errors.items()
        )
        return render(request, "content/_autosave.html", {"error": problems})
    copy = selectors.working_copy(module)
    try:
        services.module_update(
            actor=request.user,
            module=module,
            **form.content(),
            # Uploads have pages of their own; the text editor keeps what is attached.
            package=copy.package,
            document=copy.document,
        )
    except ValidationError as exc:
        return render(request, "content/_autosave.html", {"error": " ".join(exc.messages)})
    return render(request, "content/_autosave.html", {"saved_at": timezone.now()})


def module_history(request: AuthedRequest, public_id: str) -> HttpResponse:
    module = selectors.get_module_for_user(request.user, public_id, write=True)
    versions = selectors.module_versions(module)
    copy = selectors.working_copy(module)
    shown = None
    try:
        wanted = int(request.GET.get("v", "0"))
    except ValueError:
        wanted = 0
    diff = []
    if wanted:
        shown = next((v for v in versions if v.number == wanted), None)
        if shown is None:
            raise Http404("No such version.")
        previous = next((v for v in versions if v.number == wanted - 1), None)
        diff = text_diff(module_text(previous), module_text(shown))
    elif copy.is_draft_of_published and versions:
        diff = text_diff(module_text(versions[0]), module_text(copy))
    return render(
        request,
        "content/module_history.html",
        {"module": module, "versions": versions, "shown": shown, "diff": diff, "copy": copy},
    )


@require_POST
def module_restore(request: AuthedRequest, public_id: str, number: int) -> HttpResponse:
    module = selectors.get_module_for_user(request.user, public_id, write=True)
    version = next((v for v in selectors.module_versions(module) if v.number == number), None)
    if version is None:
        raise Http404("No such version.")
    services.module_restore_version(actor=request.user, module=module, version=version)
    messages.success(
        request, f"Version {number} is back in the editor. Publish it when it is ready."
    )
    return redirect("content:edit", public_id=module.public_id)


@require_POST
def module_discard(request: AuthedRequest, public_id: str) -> HttpResponse:
    module = selectors.get_module_for_user(request.user, public_id, write=True)
    services.module_discard_draft(actor=request.user, module=module)
    messages.success(request, "Unpublished changes were discarded.")
    return redirect("learning:module", public_id=module.public_id, slug=module.slug)


@require_POST
def module_publish(request: AuthedRequest, public_id: str) -> HttpResponse:
    module = selectors.get_module_for_user(request.user, public_id, write=True)
    try:
        services.module_publish(actor=request.user, module=module)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"“{module.title}” is published in the catalog.")
    return redirect("learning:module", public_id=module.public_id, slug=module.slug)


@require_POST
def module_unpublish(request: AuthedRequest, public_id: str) -> HttpResponse:
    module = selectors.get_module_for_user(request.user, public_id, write=True)
    services.module_unpublish(actor=request.user, module=module)
    messages.success(request, f"“{module.title}” is back in draft; learners no longer see it.")
    return redirect("content:mine")


@accepts_large_uploads("PEERPATH_SCORM_MAX_UPLOAD_BYTES")
def module_package(request: AuthedRequest, public_id: str) -> HttpResponse:
    """Upload the SCORM zip a package module plays (or replace it)."""
    module = selectors.get_module_for_user(request.user, public_id, write=True)
    if module.kind != ModuleKind.PACKAGE:
        raise Http404("Only SCORM package modules play a package.")
    form = PackageUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            package = services.module_attach_package(
                actor=request.user, module=module, upload=form.cleaned_data["package"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if module.is_published:
                messages.success(
                    request,
                    f"“{package.title}” is ready. Learners keep the current package until "
                    "you publish your changes.",
                )
            else:
                messages.success(request, f"“{package.title}” is ready. Try it, then publish.")
            return redirect("learning:module", public_id=module.public_id, slug=module.slug)
    return render(
        request,
        "content/module_package.html",
        {
            "module": module,
            "copy": selectors.working_copy(module),
            "form": form,
            "limit_mb": settings.PEERPATH_SCORM_MAX_UPLOAD_BYTES // (1024 * 1024),
        },
    )


@require_POST
def asset_upload(request: AuthedRequest) -> HttpResponse:
    """The editor's uploader: keep a file and answer with the Markdown that shows it."""
    permissions.require(permissions.can_create_module(request.user))
    module_id = request.POST.get("module", "")
    if module_id:
        # Uploading "into" a module is for its authors only.
        selectors.get_module_for_user(request.user, module_id, write=True)
    upload = request.FILES.get("file")
    context: dict[str, Any] = {}
    if upload is None:
        context["error"] = "Choose a file to upload."
    else:
        try:
            asset = assets.asset_create(
                owner=request.user, upload=upload, allowed=EDITOR_ASSET_KINDS
            )
        except ValidationError as exc:
            context["error"] = " ".join(exc.messages)
        else:
            alt = request.POST.get("alt", "")[:200]
            context.update(asset=asset, snippet=assets.markdown_snippet(asset, alt=alt))
    if request.htmx:
        return render(request, "content/_asset_result.html", context)
    status = 400 if "error" in context else 201
    return render(request, "content/asset_uploaded.html", context, status=status)


@require_POST
def module_document(request: AuthedRequest, public_id: str) -> HttpResponse:
    """Upload the document a document module shows (a draft change until published)."""
    module = selectors.get_module_for_user(request.user, public_id, write=True)
    if module.kind != ModuleKind.FILE:
        raise Http404("Only document modules have a document.")
    upload = request.FILES.get("document")
    if upload is None:
        messages.error(request, "Choose a PDF or document to upload.")
        return redirect("content:edit", public_id=module.public_id)
    try:
        document = assets.asset_create(owner=request.user, upload=upload, allowed=DOCUMENT_KINDS)
        services.module_attach_document(actor=request.user, module=module, document=document)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if module.is_published:
            messages.success(
                request,
                f"“{document.original_name}” is uploaded. Learners see it once you publish.",
            )
        else:
            messages.success(request, f"“{document.original_name}” is uploaded.")
    return redirect("content:edit", public_id=module.public_id)


@require_GET
def asset_file(request: AuthedRequest, public_id: uuid.UUID, name: str) -> HttpResponseBase:
    """An uploaded file, served with the type its bytes were checked to be."""
    permissions.require(permissions.can_view_asset(request.user))
    asset = selectors.asset_by_public_id(public_id)
    if asset is None:
        raise Http404("No such file.")
    if name == PurePath(asset.file.name).name:
        stored, content_type = asset.file.name, asset.content_type
    elif asset.thumbnail and name == f"thumb/{PurePath(asset.thumbnail.name).name}":
        stored, content_type = asset.thumbnail.name, "image/webp"
    else:
        raise Http404("No such file.")
    inline = asset.kind in assets.INLINE_KINDS and "download" not in request.GET
    response = stored_file_response(
        stored, content_type=content_type, inline=inline, filename=asset.original_name
    )
    if asset.kind == AssetKind.PDF:
        # The module page shows PDFs in a frame; nothing else may frame them.
        response["X-Frame-Options"] = "SAMEORIGIN"
        response["Content-Security-Policy"] = "frame-ancestors 'self'"
    else:
        response["Content-Security-Policy"] = (
            "default-src 'none'; img-src 'self'; media-src 'self'; sandbox"
        )
    return response
