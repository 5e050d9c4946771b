"""Learner pages: the catalog, a module, completion, my learning, paths and my team."""

from __future__ import annotations

import json
import mimetypes
import posixpath
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseBase,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from peerpath.content import quizzes
from peerpath.content import selectors as content
from peerpath.core import permissions
from peerpath.core.http import AuthedRequest, choice_param
from peerpath.core.pagination import paginate
from peerpath.learning import assignment_selectors, kinds, player, selectors, services
from peerpath.learning.forms import PaceGoalForm, PathGoalForm
from peerpath.people import selectors as people
from peerpath.skills import selectors as skills

if TYPE_CHECKING:
    from peerpath.content.models import Module
    from peerpath.learning.models import QuizAttempt


def catalog(request: AuthedRequest) -> HttpResponse:
    skill_slug = request.GET.get("skill", "")
    skill = skills.skill_by_slug(skill_slug) if skill_slug else None
    if skill_slug and skill is None:
        raise Http404("No such skill.")
    query = request.GET.get("q", "")[:100]
    page = paginate(request, content.modules_for_catalog(skill=skill, query=query), per_page=18)
    progress = selectors.progress_by_module(request.user, (m.pk for m in page.object_list))
    cards = [(m, progress.get(m.pk)) for m in page.object_list]
    template = "learning/_catalog_results.html" if request.htmx else "learning/catalog.html"
    return render(
        request,
        template,
        {
            "page": page,
            "cards": cards,
            "skill": skill,
            "query": query,
            "skills": skills.skills_top_level(),
            "paths": content.paths_published()[:6]
            if not (skill or query or page.number > 1)
            else [],
        },
    )


def module_detail(request: AuthedRequest, public_id: str, slug: str = "") -> HttpResponse:
    module = content.get_module_for_user(request.user, public_id)
    if slug != module.slug:
        return redirect("learning:module", public_id=module.public_id, slug=module.slug)
    progress = (
        services.progress_open(user=request.user, module=module) if module.is_published else None
    )
    can_edit = permissions.can_edit_module(request.user, module)
    return render(
        request,
        "learning/module_detail.html",
        {
            **kinds.context_for(request, module, progress, can_edit=can_edit),
            "time_url": reverse("learning:time", kwargs={"public_id": module.public_id})
            if progress is not None and module.kind in services.TIMED_KINDS
            else "",
            **_quiz_context(request, module),
            "module": module,
            "progress": progress,
            "can_edit": can_edit,
            "has_draft": can_edit and content.has_unpublished_changes(module),
            "completions": selectors.module_completion_count(module.pk),
            "saved": module.is_published and selectors.is_saved(request.user, module.pk),
        },
    )


def _quiz_context(
    request: AuthedRequest, module: Module, *, attempt: QuizAttempt | None = None
) -> dict[str, object]:
    state = selectors.quiz_state(request.user, module)
    if state is None:
        return {}
    shown = attempt if attempt is not None else None
    return {
        "quiz": state,
        "quiz_start": services.quiz_start_token(user=request.user, module=module)
        if module.is_published
        else "",
        "attempt": shown,
        "review": selectors.quiz_review(state, shown) if shown is not None else [],
        "retake": request.GET.get("retake") == "1",
    }


@require_POST
def quiz_submit(request: AuthedRequest, public_id: str) -> HttpResponse:
    module = content.get_module_for_user(request.user, public_id)
    questions = module.quiz.get("questions", [])
    # Take only what the quiz asks for, and no more of it than a question could hold.
    answers = {
        q["id"]: [a[: quizzes.MAX_SHORT_ANSWER] for a in request.POST.getlist(q["id"])][
            : len(q.get("options", ())) or 1
        ]
        for q in questions
    }
    error = ""
    attempt = None
    try:
        attempt = services.quiz_submit(
            user=request.user,
            module=module,
            answers=answers,
            start_token=request.POST.get("started", "")[:500],
        )
    except ValidationError as exc:
        error = " ".join(exc.messages)
    context = {
        "module": module,
        "quiz_error": error,
        **_quiz_context(request, module, attempt=attempt),
    }
    if request.htmx:
        progress = selectors.progress_by_module(request.user, [module.pk]).get(module.pk)
        return render(request, "learning/_quiz_response.html", {**context, "progress": progress})
    if error:
        messages.error(request, error)
    elif attempt is not None:
        verdict = "passed" if attempt.passed else "did not pass"
        messages.info(request, f"You scored {attempt.score:.0f}% and {verdict}.")
    return redirect(reverse("learning:module", args=[module.public_id, module.slug]) + "#quiz")


def quiz_panel(request: AuthedRequest, public_id: str) -> HttpResponse:
    """The quiz, fresh: after a learner chooses to try again."""
    module = content.get_module_for_user(request.user, public_id)
    context = _quiz_context(request, module)
    if not context:
        raise Http404("This module has no quiz.")
    return render(request, "learning/_quiz.html", {"module": module, **context})


@require_POST
def module_complete(request: AuthedRequest, public_id: str) -> HttpResponse:
    module = content.get_module_for_user(request.user, public_id)
    try:
        progress = services.progress_complete(user=request.user, module=module)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("learning:module", public_id=module.public_id, slug=module.slug)
    if request.htmx:
        return render(
            request, "learning/_completion.html", {"module": module, "progress": progress}
        )
    messages.success(request, f"Nice work — “{module.title}” is complete.")
    return redirect("learning:module", public_id=module.public_id, slug=module.slug)


@require_POST
def module_position(request: AuthedRequest, public_id: str) -> HttpResponse:
    """A deck reports the slide a learner reached; the server works out the percentage."""
    module = content.get_module_for_user(request.user, public_id)
    if module.kind != "deck":
        return HttpResponseBadRequest("Only slide decks report a position.")
    total = content.deck_slide_count(module)
    try:
        slide = int(request.POST.get("slide", ""))
    except ValueError:
        slide = 0
    if not 1 <= slide <= total:
        return HttpResponseBadRequest("No such slide.")
    try:
        progress = services.progress_record_position(
            user=request.user, module=module, percent=slide * 100 // total, resume_at=str(slide)
        )
    except ValidationError as exc:
        return HttpResponseBadRequest(" ".join(exc.messages))
    return JsonResponse({"percent": progress.percent, "resume_at": progress.resume_at})


@require_POST
def module_time(request: AuthedRequest, public_id: str) -> HttpResponse:
    """The module page reports active reading time (heartbeats and a beacon on leaving)."""
    module = content.get_module_for_user(request.user, public_id)
    try:
        seconds = int(request.POST.get("seconds", ""))
    except ValueError:
        return HttpResponseBadRequest("Report the seconds as a whole number.")
    try:
        progress = services.progress_heartbeat(user=request.user, module=module, seconds=seconds)
    except ValidationError as exc:
        return HttpResponseBadRequest(" ".join(exc.messages))
    return JsonResponse({"time_spent_seconds": progress.time_spent_seconds})


def _path_choices() -> list[tuple[str, str]]:
    return [(str(p.public_id), p.title) for p in content.paths_published()[:200]]


def my_learning(
    request: AuthedRequest,
    *,
    pace_form: PaceGoalForm | None = None,
    path_form: PathGoalForm | None = None,
    status: int = 200,
) -> HttpResponse:
    permissions.require(permissions.can_view_learning_of(request.user, request.user))
    completed = paginate(request, selectors.progress_completed(request.user), per_page=20)
    paths = _path_choices()
    return render(
        request,
        "learning/my_learning.html",
        {
            "in_progress": selectors.progress_in_progress(request.user)[:50],
            "completed": completed,
            "counts": selectors.learning_counts(request.user),
            "saved": selectors.saved_modules(request.user)[:50],
            "path_progress": selectors.paths_progress(request.user),
            "standings": selectors.goal_standings(request.user),
            "pace_form": pace_form or PaceGoalForm(),
            "path_form": path_form or PathGoalForm(paths=paths),
            "can_add_goal": True,
            "show_personal": True,
            "assigned": assignment_selectors.assigned_to(request.user),
        },
        status=status,
    )


@require_POST
def module_save(request: AuthedRequest, public_id: str) -> HttpResponse:
    """Save a module for later, or take it off the list (``save=0``)."""
    module = content.get_module_for_user(request.user, public_id)
    wanted = request.POST.get("save") != "0"
    if wanted:
        services.saved_module_add(user=request.user, module=module)
    else:
        services.saved_module_remove(user=request.user, module=module)
    if request.htmx:
        return render(request, "learning/_save_toggle.html", {"module": module, "saved": wanted})
    messages.success(
        request, f"Saved “{module.title}” for later." if wanted else "Removed from saved."
    )
    back = request.POST.get("next", "")
    if back == "mine":
        return redirect("learning:mine")
    return redirect("learning:module", public_id=module.public_id, slug=module.slug)


@require_POST
def goal_create(request: AuthedRequest) -> HttpResponse:
    kind = request.POST.get("kind", "")
    pace_form: PaceGoalForm | None = None
    path_form: PathGoalForm | None = None
    try:
        if kind == "finish_path":
            path_form = PathGoalForm(request.POST, paths=_path_choices())
            if not path_form.is_valid():
                return my_learning(request, path_form=path_form, status=400)
            services.goal_create(
                user=request.user,
                kind=kind,
                path=content.path_by_public_id(path_form.cleaned_data["path"]),
                due_on=path_form.cleaned_data["due_on"],
            )
        else:
            pace_form = PaceGoalForm(request.POST)
            if not pace_form.is_valid():
                return my_learning(request, pace_form=pace_form, status=400)
            services.goal_create(
                user=request.user,
                kind=pace_form.cleaned_data["kind"],
                target=pace_form.cleaned_data["target"],
            )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(reverse("learning:mine") + "#goals-h")
    messages.success(request, "Goal set. You can see how you stand below.")
    return redirect(reverse("learning:mine") + "#goals-h")


@require_POST
def goal_archive(request: AuthedRequest, public_id: str) -> HttpResponse:
    goal = selectors.get_goal_for_user(request.user, public_id)
    services.goal_archive(user=request.user, goal=goal)
    messages.success(request, "Goal archived.")
    return redirect(reverse("learning:mine") + "#goals-h")


def path_detail(request: AuthedRequest, public_id: str, slug: str = "") -> HttpResponse:
    path = content.get_path_for_user(request.user, public_id)
    if slug != path.slug:
        return redirect("learning:path", public_id=path.public_id, slug=path.slug)
    outline = content.path_outline(path, published_only=True)
    return render(
        request,
        "learning/path_detail.html",
        {
            "path": path,
            "outline": outline,
            "position": selectors.path_position(request.user, outline),
            "description_html": content.path_description_html(path),
            "can_edit": permissions.can_edit_path(request.user, path),
        },
    )


def my_team(request: AuthedRequest) -> HttpResponse:
    permissions.require(permissions.can_view_my_team(request.user), "My team is for managers.")
    scope = choice_param(request, "scope", ("direct", "all"), "direct")
    subtree = people.reports_subtree(request.user)
    reports = subtree if scope == "all" else subtree.filter(manager=request.user)
    page = paginate(
        request, reports.select_related("team", "job_role").order_by("display_name"), per_page=25
    )
    page.object_list = selectors.team_learning(page.object_list)
    subtree_size = page.paginator.count if scope == "all" else subtree.count()
    return render(
        request,
        "learning/my_team.html",
        {"page": page, "scope": scope, "subtree_size": subtree_size},
    )


def person_learning(request: AuthedRequest, public_id: str) -> HttpResponse:
    person = people.person_by_public_id(public_id)
    if person is None:
        raise Http404("No such person.")
    permissions.require(permissions.can_view_learning_of(request.user, person))
    completed = paginate(request, selectors.progress_completed(person), per_page=20)
    return render(
        request,
        "learning/person_learning.html",
        {
            "person": person,
            "in_progress": selectors.progress_in_progress(person)[:50],
            "completed": completed,
            "counts": selectors.learning_counts(person),
            "assigned": assignment_selectors.assigned_to(person),
        },
    )


# --- SCORM player -----------------------------------------------------------------------------

_HTML_TYPES = {"text/html", "application/xhtml+xml"}
_EXTRA_TYPES = {
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".vtt": "text/vtt",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
    ".xml": "application/xml",
    ".xsd": "application/xml",
}


def _package_headers(response: HttpResponseBase) -> HttpResponseBase:
    """Package content stays sandboxed even when its address is opened on its own."""
    response["Content-Security-Policy"] = f"sandbox {player.SANDBOX}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _refused_play() -> HttpResponse:
    response = HttpResponse(
        "<!DOCTYPE html><meta charset=utf-8><title>Link expired</title>"
        "<p style='font-family:sans-serif'>This player link has expired or is not yours. "
        "Reopen the module in Peerpath to carry on.</p>",
        status=403,
    )
    _package_headers(response)
    return response


@login_not_required
@xframe_options_exempt
@require_GET
def scorm_file(request: HttpRequest, token: str, path: str) -> HttpResponseBase:
    """A file of a SCORM package, to the learner the token names; HTML gets the run-time."""
    play = player.resolve(token)
    if play is None:
        return _refused_play()
    opened = content.package_file(play.package, path)
    if opened is None:
        raise Http404("No such file in this package.")
    extension = posixpath.splitext(path)[1].lower()
    content_type = _EXTRA_TYPES.get(extension) or (
        mimetypes.guess_type(path)[0] or "application/octet-stream"
    )
    if content_type in _HTML_TYPES:
        with opened:
            document = opened.read()
        charset = player.declared_charset(document)
        body = player.inject_runtime(document, player.runtime_snippet(play, token))
        response: HttpResponseBase = HttpResponse(
            body, content_type=f"{content_type}; charset={charset}" if charset else content_type
        )
        # The document carries the learner's saved data: never keep it in a shared cache.
        response["Cache-Control"] = "private, no-store"
    else:
        response = FileResponse(opened, content_type=content_type)
        response["Cache-Control"] = "private, max-age=3600"
    return _package_headers(response)


def _commit_answer(result: bool, status: int = 200, error: int = 0) -> JsonResponse:
    """The answer scorm-again expects; any origin may read it (the token is the credential)."""
    response = JsonResponse(
        {"result": "true" if result else "false", "errorCode": error}, status=status
    )
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Allow-Methods"] = "POST, OPTIONS"
    response["Access-Control-Allow-Headers"] = "Content-Type"
    response["Access-Control-Max-Age"] = "3600"
    response["Cache-Control"] = "no-store"
    return response


@login_not_required
@csrf_exempt
@require_http_methods(["POST", "OPTIONS"])
def scorm_commit(request: HttpRequest, token: str) -> JsonResponse:
    """The run-time's commits from inside the sandboxed frame (origin ``null``, no cookies)."""
    if request.method == "OPTIONS":
        return _commit_answer(True, status=204)
    play = player.resolve(token)
    if play is None:
        return _commit_answer(False, status=403, error=101)
    limit = settings.PEERPATH_SCORM_MAX_COMMIT_BYTES
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    try:
        body = request.body if declared <= limit else b""
    except RequestDataTooBig:
        body = b""
    if declared > limit or len(body) > limit:
        return _commit_answer(False, status=413, error=101)
    try:
        data = json.loads(body)
        services.scorm_commit(user=play.user, module=play.module, package=play.package, data=data)
    except (ValueError, ValidationError):
        return _commit_answer(False, status=400, error=101)
    except PermissionDenied:
        return _commit_answer(False, status=403, error=101)
    return _commit_answer(True)


def package_status(request: AuthedRequest, public_id: str) -> HttpResponse:
    """The player's status line, refreshed on the module page after each commit."""
    module = content.get_module_for_user(request.user, public_id)
    progress = selectors.progress_by_module(request.user, [module.pk]).get(module.pk)
    return render(
        request,
        "learning/_package_status.html",
        {
            "module": module,
            "progress": progress,
            "recording": permissions.can_record_progress(request.user, module),
            "oob": True,
        },
    )
