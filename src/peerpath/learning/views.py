"""Learner pages: the catalog, a module, completion, my learning, paths and my team."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from peerpath.content import selectors as content
from peerpath.core import permissions
from peerpath.core.http import AuthedRequest, choice_param
from peerpath.core.pagination import paginate
from peerpath.learning import kinds, selectors, services
from peerpath.people import selectors as people
from peerpath.skills import selectors as skills


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
            "module": module,
            "progress": progress,
            "can_edit": can_edit,
            "has_draft": can_edit and content.has_unpublished_changes(module),
            "completions": selectors.module_completion_count(module.pk),
        },
    )


@require_POST
def module_complete(request: AuthedRequest, public_id: str) -> HttpResponse:
    module = content.get_module_for_user(request.user, public_id)
    progress = services.progress_complete(user=request.user, module=module)
    if request.htmx:
        return render(
            request, "learning/_completion.html", {"module": module, "progress": progress}
        )
    messages.success(request, f"Nice work — “{module.title}” is complete.")
    return redirect("learning:module", public_id=module.public_id, slug=module.slug)


def my_learning(request: AuthedRequest) -> HttpResponse:
    permissions.require(permissions.can_view_learning_of(request.user, request.user))
    completed = paginate(request, selectors.progress_completed(request.user), per_page=20)
    return render(
        request,
        "learning/my_learning.html",
        {
            "in_progress": selectors.progress_in_progress(request.user)[:50],
            "completed": completed,
            "counts": selectors.learning_counts(request.user),
        },
    )


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
        },
    )
