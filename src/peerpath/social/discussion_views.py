"""Discussion pages: the panel on module and path pages (loaded with htmx), a thread's
own page, posting, replying, editing with history, reactions, accepting an answer,
reporting, hiding and locking, and the mention autocomplete."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from peerpath.content import selectors as content
from peerpath.core import permissions
from peerpath.core.forms import add_service_errors
from peerpath.core.http import AuthedRequest
from peerpath.social import discussion_selectors as selectors
from peerpath.social import discussions, moderation
from peerpath.social.discussion_forms import PostForm, ReportForm, ThreadForm
from peerpath.social.discussion_selectors import Standing, Subject

if TYPE_CHECKING:
    from peerpath.social.models import Comment


def _module_subject(request: AuthedRequest, public_id: str) -> Subject:
    return Subject(module=content.get_module_for_user(request.user, public_id))


def _path_subject(request: AuthedRequest, public_id: str) -> Subject:
    return Subject(path=content.get_path_for_user(request.user, public_id))


def _in_panel(request: AuthedRequest) -> bool:
    return bool(request.htmx) and request.POST.get("in_panel") == "1"


def _discussion(
    request: AuthedRequest, subject: Subject, *, form: ThreadForm | None = None
) -> HttpResponse:
    standing = selectors.standing_in(request.user, subject)
    page, threads = selectors.threads_page(standing, page_number=request.GET.get("page"))
    context: dict[str, Any] = {
        "subject": subject,
        "standing": standing,
        "page": page,
        "threads": threads,
        "form": form or ThreadForm(),
        "in_panel": bool(request.htmx),
    }
    if request.htmx and request.GET.get("page"):
        return render(request, "social/discussion_threads.html", context)
    if request.htmx:
        return render(request, "social/discussion_panel.html", context)
    return render(request, "social/discussion_page.html", context)


@require_GET
def module_discussion(request: AuthedRequest, public_id: str) -> HttpResponse:
    return _discussion(request, _module_subject(request, public_id))


@require_GET
def path_discussion(request: AuthedRequest, public_id: str) -> HttpResponse:
    return _discussion(request, _path_subject(request, public_id))


def _start(request: AuthedRequest, subject: Subject) -> HttpResponse:
    permissions.require(
        permissions.can_take_part_in_discussion(
            request.user, module=subject.module, path=subject.path
        )
    )
    form = ThreadForm(request.POST)
    if form.is_valid():
        try:
            discussions.thread_start(
                author=request.user,
                subject=subject,
                body=form.cleaned_data["body"],
                is_question=form.cleaned_data["is_question"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if request.htmx:
                return _discussion(request, subject)
            messages.success(request, "Posted.")
            return redirect(subject.discussion_url)
    return _discussion(request, subject, form=form)


@require_POST
def module_thread_start(request: AuthedRequest, public_id: str) -> HttpResponse:
    return _start(request, _module_subject(request, public_id))


@require_POST
def path_thread_start(request: AuthedRequest, public_id: str) -> HttpResponse:
    return _start(request, _path_subject(request, public_id))


def _standing_for(request: AuthedRequest, comment: Comment) -> Standing:
    return selectors.standing_in(request.user, selectors.subject_of(comment))


def _thread_fragment(request: AuthedRequest, root: Comment, **extra: Any) -> HttpResponse:
    standing = _standing_for(request, root)
    return render(
        request,
        "social/discussion_thread.html",
        {
            "thread": selectors.thread_preview(standing, root),
            "standing": standing,
            "subject": standing.subject,
            "in_panel": True,
            **extra,
        },
    )


def _post_fragment(request: AuthedRequest, comment: Comment, **extra: Any) -> HttpResponse:
    comment = selectors.comment_by_public_id(comment.public_id) or comment
    standing = _standing_for(request, comment)
    return render(
        request,
        "social/discussion_post.html",
        {
            "post": selectors.post_view(standing, comment),
            "standing": standing,
            "in_panel": _in_panel(request) or request.GET.get("in_panel") == "1",
            **extra,
        },
    )


def _back(comment: Comment) -> HttpResponseRedirect:
    return HttpResponseRedirect(selectors.thread_url(comment))


def _root_of(comment: Comment) -> Comment:
    return comment.root if comment.root is not None else comment


@require_GET
def thread(request: AuthedRequest, public_id: str) -> HttpResponse:
    root = selectors.thread_root(public_id)
    if root is None:
        raise Http404("No such thread.")
    subject = selectors.subject_of(root)
    permissions.require(subject.visible_to(request.user))
    standing = selectors.standing_in(request.user, subject)
    page_number: Any = request.GET.get("page")
    if page_number is None and request.GET.get("c"):
        page_number = selectors.reply_page_number(root, request.GET["c"])
    view = selectors.thread_view(standing, root, page_number=page_number or 1)
    return render(
        request,
        "social/discussion_thread_page.html",
        {
            "thread": view,
            "standing": standing,
            "subject": subject,
            "page": view.page,
            "form": PostForm(),
            "in_panel": False,
        },
    )


@require_GET
def post(request: AuthedRequest, public_id: str) -> HttpResponse:
    comment = selectors.get_comment_for_user(request.user, public_id)
    if not request.htmx:
        return _back(comment)
    return _post_fragment(request, comment)


@require_POST
def reply(request: AuthedRequest, public_id: str) -> HttpResponse:
    parent = selectors.get_comment_for_user(request.user, public_id)
    form = PostForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            created = discussions.reply_post(
                author=request.user, parent=parent, body=form.cleaned_data["body"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if _in_panel(request):
                return _thread_fragment(request, _root_of(parent))
            return _back(created)
    error = " ".join(str(e) for errors in form.errors.values() for e in errors)
    if _in_panel(request):
        return _thread_fragment(
            request,
            _root_of(parent),
            reply_error=error,
            reply_to=parent.public_id,
            reply_text=request.POST.get("body", ""),
        )
    messages.error(request, error)
    return _back(parent)


def edit(request: AuthedRequest, public_id: str) -> HttpResponse:
    comment = selectors.get_comment_for_user(request.user, public_id)
    standing = _standing_for(request, comment)
    form = PostForm(request.POST or None, initial={"body": comment.body_markdown})
    if request.method == "POST":
        if form.is_valid():
            try:
                discussions.comment_edit(
                    editor=request.user, comment=comment, body=form.cleaned_data["body"]
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                if request.htmx:
                    return _post_fragment(request, comment)
                messages.success(request, "Your post was updated.")
                return _back(comment)
    else:
        locked = _root_of(comment).locked_at is not None
        permissions.require(standing.can_edit(comment, locked=locked), "You cannot edit this post.")
    template = "social/discussion_edit.html" if request.htmx else "social/discussion_edit_page.html"
    in_panel = request.GET.get("in_panel") == "1" or request.POST.get("in_panel") == "1"
    return render(
        request,
        template,
        {"comment": comment, "form": form, "subject": standing.subject, "in_panel": in_panel},
    )


@require_GET
def history(request: AuthedRequest, public_id: str) -> HttpResponse:
    comment = selectors.get_comment_for_user(request.user, public_id)
    standing = _standing_for(request, comment)
    permissions.require(standing.can_see_body(comment), "A moderator hid this post.")
    page = selectors.revisions_page(comment, page_number=request.GET.get("page"))
    revisions = [(r, selectors.render_revision(r)) for r in page.object_list]
    return render(
        request,
        "social/discussion_history.html",
        {
            "comment": comment,
            "subject": standing.subject,
            "page": page,
            "revisions": revisions,
            "thread_url": selectors.thread_url(comment),
        },
    )


@require_POST
def react(request: AuthedRequest, public_id: str) -> HttpResponse:
    comment = selectors.get_comment_for_user(request.user, public_id)
    try:
        discussions.reaction_toggle(
            person=request.user, comment=comment, reaction=request.POST.get("reaction", "")
        )
    except ValidationError as exc:
        if not request.htmx:
            messages.error(request, " ".join(exc.messages))
    if request.htmx:
        return _post_fragment(request, comment)
    return _back(comment)


@require_POST
def accept(request: AuthedRequest, public_id: str) -> HttpResponse:
    answer = selectors.get_comment_for_user(request.user, public_id)
    try:
        if request.POST.get("undo") == "1":
            discussions.answer_unaccept(actor=request.user, question=_root_of(answer))
        else:
            discussions.answer_accept(actor=request.user, answer=answer)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    if _in_panel(request):
        return _thread_fragment(request, _root_of(answer))
    return _back(answer)


@require_POST
def report(request: AuthedRequest, public_id: str) -> HttpResponse:
    comment = selectors.get_comment_for_user(request.user, public_id)
    form = ReportForm(request.POST)
    notice, error = "", ""
    if form.is_valid():
        try:
            moderation.report_create(
                reporter=request.user, comment=comment, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            notice = "Thanks: moderators will look at your report."
    else:
        error = " ".join(str(e) for errors in form.errors.values() for e in errors)
    if request.htmx:
        return _post_fragment(request, comment, notice=notice, report_error=error)
    if notice:
        messages.success(request, notice)
    else:
        messages.error(request, error)
    return _back(comment)


@require_POST
def hide(request: AuthedRequest, public_id: str) -> HttpResponse:
    comment = selectors.get_comment_for_user(request.user, public_id)
    if request.POST.get("undo") == "1":
        moderation.comment_unhide(actor=request.user, comment=comment)
    else:
        moderation.comment_hide(actor=request.user, comment=comment)
    if request.htmx:
        return _post_fragment(request, comment)
    return _back(comment)


@require_POST
def lock(request: AuthedRequest, public_id: str) -> HttpResponse:
    root = selectors.get_comment_for_user(request.user, public_id)
    try:
        if request.POST.get("undo") == "1":
            discussions.thread_unlock(actor=request.user, root=root)
        else:
            discussions.thread_lock(actor=request.user, root=root)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    if _in_panel(request):
        return _thread_fragment(request, root)
    return _back(root)


@require_GET
def mention_people(request: AuthedRequest) -> JsonResponse:
    """Suggestions for an @mention: at most a handful of active colleagues."""
    suggestions = selectors.mention_suggestions(request.GET.get("q", ""))
    return JsonResponse(
        {"people": [{"name": s.name, "title": s.title, "insert": s.insert} for s in suggestions]}
    )
