"""Profile pages and controls: follow a colleague (htmx), followers and following, a
person's public notes, the skills-and-privacy settings, and following a skill."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from peerpath.core import permissions
from peerpath.core.forms import add_service_errors
from peerpath.core.http import AuthedRequest
from peerpath.core.pagination import paginate
from peerpath.people import selectors as people
from peerpath.skills import selectors as skills
from peerpath.social import follows, notes, profiles, selectors
from peerpath.social.models import Visibility

if TYPE_CHECKING:
    from peerpath.people.models import User
    from peerpath.skills.models import Skill

PEOPLE_PER_PAGE = 30
NOTES_PER_PAGE = 20


def get_person_for_user(user: User, public_id: str) -> User:
    """A colleague whose profile the user may see: 404 when absent, 403 when not allowed."""
    person = people.person_by_public_id(public_id)
    if person is None:
        raise Http404("No such person.")
    permissions.require(permissions.can_view_profile(user, person))
    return person


def get_skill(slug: str) -> Skill:
    skill = skills.skill_by_slug(slug)
    if skill is None:
        raise Http404("No such skill.")
    return skill


# --- Following people ---------------------------------------------------------------------


def _follow_button(request: AuthedRequest, person: User, *, notice: str = "") -> HttpResponse:
    followers, _ = selectors.follow_counts(person)
    return render(
        request,
        "social/_profile_follow.html",
        {
            "person": person,
            "social": {
                "can_follow": permissions.can_follow_person(request.user, person),
                "is_following": follows.is_following(request.user, person),
                "follower_count": followers,
            },
            "notice": notice,
        },
    )


@require_POST
def follow(request: AuthedRequest, public_id: str) -> HttpResponse:
    """Follow (``follow=1``) or unfollow (``follow=0``) a colleague."""
    person = get_person_for_user(request.user, public_id)
    notice = ""
    try:
        if request.POST.get("follow") == "1":
            permissions.require(permissions.can_follow_person(request.user, person))
            follows.follow_person(follower=request.user, followee=person)
            notice = f"You follow {person.get_short_name()}."
        else:
            follows.unfollow_person(follower=request.user, followee=person)
            notice = f"You no longer follow {person.get_short_name()}."
    except ValidationError as exc:
        notice = " ".join(exc.messages)
        if not request.htmx:
            messages.error(request, notice)
    else:
        if not request.htmx:
            messages.success(request, notice)
    if request.htmx:
        return _follow_button(request, person, notice=notice)
    return redirect("people:profile", public_id=person.public_id)


def _people_page(request: AuthedRequest, public_id: str, *, which: str) -> HttpResponse:
    person = get_person_for_user(request.user, public_id)
    rows = (
        selectors.followers_of(person) if which == "followers" else selectors.following_of(person)
    )
    page = paginate(request, rows, per_page=PEOPLE_PER_PAGE)
    listed = [f.follower if which == "followers" else f.followee for f in page.object_list]
    mine = selectors.followed_ids(request.user, [p.pk for p in listed])
    return render(
        request,
        "social/profiles_people.html",
        {
            "person": person,
            "which": which,
            "page": page,
            "rows": [(f, p, p.pk in mine) for f, p in zip(page.object_list, listed, strict=True)],
        },
    )


def followers(request: AuthedRequest, public_id: str) -> HttpResponse:
    return _people_page(request, public_id, which="followers")


def following(request: AuthedRequest, public_id: str) -> HttpResponse:
    return _people_page(request, public_id, which="following")


def person_notes(request: AuthedRequest, public_id: str) -> HttpResponse:
    """A person's published notes, newest first."""
    person = get_person_for_user(request.user, public_id)
    page = paginate(request, notes.public_notes_by(person), per_page=NOTES_PER_PAGE)
    return render(
        request,
        "social/profiles_notes.html",
        {
            "person": person,
            "page": page,
            "notes": [selectors.PublicNote(n, notes.rendered(n)) for n in page.object_list],
        },
    )


# --- Skills and privacy ------------------------------------------------------------------


class SocialSettingsForm(forms.Form):
    visibility = forms.ChoiceField(
        label="Who sees my learning activity",
        choices=Visibility.choices,
        widget=forms.RadioSelect,
        help_text="Completions, certifications and other activity on your profile and in "
        "colleagues' feeds. Notes you publish are always shown.",
    )
    declared_skills = forms.ModelMultipleChoiceField(
        queryset=skills.skills_all(),
        required=False,
        label="Skills I have",
        help_text="Shown on your profile beside the skills your completions and "
        "certifications show. Hold Ctrl (⌘ on a Mac) to choose several.",
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    followed_skills = forms.ModelMultipleChoiceField(
        queryset=skills.skills_all(),
        required=False,
        label="Skills I follow",
        help_text="Newly Curated modules in these skills reach your feed.",
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )


def _settings_initial(person: User) -> dict[str, Any]:
    return {
        "visibility": profiles.visibility_of(person),
        "declared_skills": selectors.declared_skill_ids(person),
        "followed_skills": selectors.followed_skill_ids(person),
    }


def profile_settings(request: AuthedRequest) -> HttpResponse:
    """Activity visibility, declared and followed skills: a panel on the profile edit page
    (htmx) and a page of its own without JavaScript."""
    person = request.user
    permissions.require(permissions.can_edit_social_settings(request.user, person))
    saved = False
    if request.method == "POST":
        form = SocialSettingsForm(request.POST)
        if form.is_valid():
            try:
                profiles.social_settings_set(
                    actor=request.user,
                    person=person,
                    visibility=form.cleaned_data["visibility"],
                    declared=form.cleaned_data["declared_skills"],
                    followed=form.cleaned_data["followed_skills"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                if not request.htmx:
                    messages.success(request, "Your skills and privacy settings were saved.")
                    return redirect("people:edit")
                saved = True
                form = SocialSettingsForm(initial=_settings_initial(person))
    else:
        form = SocialSettingsForm(initial=_settings_initial(person))
    template = "social/_profile_settings.html" if request.htmx else "social/profiles_settings.html"
    return render(request, template, {"form": form, "saved": saved})


# --- Following a skill -------------------------------------------------------------------


def skill_follow(request: AuthedRequest, slug: str) -> HttpResponse:
    """The follow button for a skill (GET), or follow / unfollow it (POST ``follow``)."""
    skill = get_skill(slug)
    permissions.require(permissions.can_follow_skills(request.user))
    error = ""
    if request.method == "POST":
        try:
            if request.POST.get("follow") == "1":
                profiles.skill_follow(person=request.user, skill=skill)
            else:
                profiles.skill_unfollow(person=request.user, skill=skill)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        if not request.htmx:
            if error:
                messages.error(request, error)
            return redirect(f"{reverse('learning:catalog')}?skill={skill.slug}")
    following_it = profiles.follows_skill(request.user, skill)
    return render(
        request,
        "social/_profile_skill_follow.html",
        {"skill": skill, "following": following_it, "error": error},
    )
