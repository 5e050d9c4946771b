"""The one place that answers "may this user do this to that?".

Views, the API and the command line all ask here; nothing else decides access.
Functions take the acting user first and return a bool; ``require`` turns a
refusal into the 403 page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied

from peerpath.people import selectors as people

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from peerpath.content.models import LearningPath, Module
    from peerpath.learning.models import Assignment, LearningGoal
    from peerpath.people.models import Team, User
    from peerpath.recognition.models import Certification, CertificationAward, IssuedCredential
    from peerpath.social.models import Activity, Summary

    Actor = User | AnonymousUser


def _active(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def require(allowed: bool, message: str = "You do not have permission to do that.") -> None:
    if not allowed:
        raise PermissionDenied(message)


# --- Roles -----------------------------------------------------------------------------


def is_system_admin(user: Actor) -> bool:
    return _active(user) and bool(user.is_superuser)


def is_learning_admin(user: Actor) -> bool:
    return _active(user) and bool(getattr(user, "is_learning_admin", False) or user.is_superuser)


def is_manager(user: Actor) -> bool:
    return _active(user) and people.has_reports(user)  # type: ignore[arg-type]


def navigation(user: Actor) -> dict[str, bool]:
    """Which role-specific links the page shell shows (roles cached briefly; pages re-check)."""
    if not _active(user):
        return {"manager": False, "admin": False, "moderator": False, "assign": False}
    has_reports, is_reviewer = people.nav_roles(user)  # type: ignore[arg-type]
    admin = is_learning_admin(user)
    return {
        "manager": has_reports,
        "admin": admin,
        "moderator": admin or is_reviewer,
        "assign": admin or has_reports,
    }


# --- Admin area ----------------------------------------------------------------------


def can_access_admin(user: Actor) -> bool:
    return is_learning_admin(user)


def can_manage_people(user: Actor) -> bool:
    """Import, export, edit and deactivate people; manage teams and job roles."""
    return is_learning_admin(user)


def can_manage_skills(user: Actor) -> bool:
    return is_learning_admin(user)


def can_grant_roles(user: Actor) -> bool:
    """Make people learning admins or expert reviewers."""
    return is_learning_admin(user)


def can_use_django_admin(user: Actor) -> bool:
    return is_system_admin(user)


def can_export_learning_records(user: Actor) -> bool:
    """Everyone's statements from the learning record store: learning and system admins."""
    return is_learning_admin(user)


def can_manage_lrs_keys(user: Actor) -> bool:
    """Credentials for the xAPI endpoint: learning and system admins."""
    return is_learning_admin(user)


# --- People --------------------------------------------------------------------------


def can_view_profile(user: Actor, person: User) -> bool:
    """Every colleague's profile is visible inside the organisation, while they are active."""
    return _active(user) and (person.is_active or is_learning_admin(user))


def can_edit_profile(user: Actor, person: User) -> bool:
    return _active(user) and (user.pk == person.pk or can_manage_people(user))


def can_view_my_team(user: Actor) -> bool:
    return is_manager(user)


def can_view_learning_of(user: Actor, person: User) -> bool:
    """A person's own record, their managers up the line, and learning admins."""
    if not _active(user):
        return False
    return (
        user.pk == person.pk
        or people.is_above_in_line(user, person)  # type: ignore[arg-type]
        or is_learning_admin(user)
    )


# --- Content -------------------------------------------------------------------------


def can_create_module(user: Actor) -> bool:
    """Everyone creates: any active employee may author."""
    return _active(user)


def can_edit_module(user: Actor, module: Module) -> bool:
    """The owner, co-authors and learning admins."""
    if not _active(user):
        return False
    if module.owner_id == user.pk or is_learning_admin(user):
        return True
    return any(person.pk == user.pk for person in module.co_authors.all())


def can_import_package(user: Actor) -> bool:
    """Any author may import a SCORM package: it plays in a sandbox, cut off from Peerpath."""
    return can_create_module(user)


def can_manage_co_authors(user: Actor, module: Module) -> bool:
    """Only the owner (or a learning admin) decides who writes with them."""
    return _active(user) and (module.owner_id == user.pk or is_learning_admin(user))


def can_unpublish_module(user: Actor, module: Module) -> bool:
    """Taking a module away from learners is the owner's (or an admin's) call."""
    return can_manage_co_authors(user, module)


def can_view_module(user: Actor, module: Module) -> bool:
    if not _active(user):
        return False
    return module.is_published or can_edit_module(user, module)


def can_view_asset(user: Actor) -> bool:
    """Uploaded files are for signed-in colleagues; the pages that link them decide the rest.

    Asset addresses hold a random id, so only people shown a module's page learn them.
    """
    return _active(user)


def can_create_path(user: Actor) -> bool:
    """Anyone who may author modules may arrange them into a path."""
    return can_create_module(user)


def can_edit_path(user: Actor, path: LearningPath) -> bool:
    """The owner, the path's editors and learning admins."""
    if not _active(user):
        return False
    if path.owner_id == user.pk or is_learning_admin(user):
        return True
    return any(person.pk == user.pk for person in path.editors.all())


def can_manage_path_editors(user: Actor, path: LearningPath) -> bool:
    """Only the owner (or a learning admin) decides who edits a path with them."""
    return _active(user) and (path.owner_id == user.pk or is_learning_admin(user))


def can_unpublish_path(user: Actor, path: LearningPath) -> bool:
    """Taking a path away from learners is the owner's (or an admin's) call."""
    return can_manage_path_editors(user, path)


def can_view_path(user: Actor, path: LearningPath) -> bool:
    if not _active(user):
        return False
    return path.status == "published" or can_edit_path(user, path)


def can_review_skill(user: Actor, skill_id: int) -> bool:
    """Expert reviewers of a skill area (granted per area, covering its sub-skills)."""
    return _active(user) and skill_id in people.reviewer_skill_ids(user)  # type: ignore[arg-type]


# --- Learning ------------------------------------------------------------------------


def can_record_progress(user: Actor, module: Module) -> bool:
    return can_view_module(user, module) and module.is_published


def can_save_module(user: Actor, module: Module) -> bool:
    """Learners save what they could learn now: published modules they can see."""
    return can_record_progress(user, module)


def can_manage_goal(user: Actor, goal: LearningGoal) -> bool:
    """Goals are personal: only the learner who set one changes it."""
    return _active(user) and goal.user_id == user.pk


def can_assign_learning(user: Actor) -> bool:
    """Learning admins assign to anyone; managers to the people in their reporting line."""
    return is_learning_admin(user) or is_manager(user)


def can_assign_to_person(user: Actor, person: User) -> bool:
    if not _active(user):
        return False
    return is_learning_admin(user) or people.is_above_in_line(user, person)  # type: ignore[arg-type]


def can_manage_assignment(user: Actor, assignment: Assignment) -> bool:
    """See who has an assignment and withdraw it: whoever made it, and learning admins."""
    return _active(user) and (assignment.created_by_id == user.pk or is_learning_admin(user))


# --- Curation ------------------------------------------------------------------------


def can_rate_module(user: Actor, module: Module) -> bool:
    """Learners rate published modules; authors do not rate their own."""
    return can_view_module(user, module) and module.is_published and module.owner_id != user.pk


def can_flag_module(user: Actor, module: Module) -> bool:
    return can_view_module(user, module) and module.is_published


def can_moderate_module(user: Actor, module: Module) -> bool:
    """Learning admins, and expert reviewers of any of the module's skills."""
    if is_learning_admin(user):
        return True
    return _active(user) and any(can_review_skill(user, s.pk) for s in module.skills.all())


def can_nominate_module(user: Actor, module: Module) -> bool:
    """Anyone may put a published module forward for Curated status."""
    return can_view_module(user, module) and module.is_published


def can_discuss_review(user: Actor, module: Module) -> bool:
    """Authors and the experts who review the module talk in its review."""
    return can_edit_module(user, module) or can_moderate_module(user, module)


def can_see_moderation_queue(user: Actor) -> bool:
    return is_learning_admin(user) or (
        _active(user) and bool(people.reviewer_skill_ids(user))  # type: ignore[arg-type]
    )


def can_read_rating_notes(user: Actor, module: Module) -> bool:
    """Notes with a rating are written to the author."""
    return can_edit_module(user, module)


# --- Learning time -------------------------------------------------------------------


def can_request_learning_time(user: Actor) -> bool:
    """Every active employee may ask for learning blocks in their schedule."""
    return _active(user)


def can_manage_team_schedule(user: Actor, team: Team) -> bool:
    """A team's learning-time policy, coverage minimums and shifts: learning admins and
    the managers of the team's people."""
    if is_learning_admin(user):
        return True
    return _active(user) and people.manages_team(user, team)  # type: ignore[arg-type]


# Learning time knows who delegated their approvals to whom; core may not import it, so it
# hands over its lookup when the app loads (``ScheduleConfig.ready``).
_delegation: dict[str, Callable[[User], Iterable[User]]] = {}


def use_delegation_lookup(lookup: Callable[[User], Iterable[User]]) -> None:
    """Set how to find the managers whose learning-time decisions a user holds today."""
    _delegation["managers"] = lookup


def can_decide_learning_time(user: Actor, person: User) -> bool:
    """Approve or decline a person's learning time: their managers up the line, learning
    admins, and colleagues those managers delegated to while away; never oneself."""
    if not _active(user) or user.pk == person.pk:
        return False
    if is_learning_admin(user) or people.is_above_in_line(user, person):  # type: ignore[arg-type]
        return True
    lookup = _delegation.get("managers")
    if lookup is None:
        return False
    return any(
        manager.is_active and people.is_above_in_line(manager, person)
        for manager in lookup(user)  # type: ignore[arg-type]
    )


def can_delegate_approvals(user: Actor) -> bool:
    """Managers hand their learning-time decisions to a colleague while away."""
    return is_manager(user)


# --- Recognition -----------------------------------------------------------------------


def can_manage_certifications(user: Actor) -> bool:
    """Define, retire, award by hand and revoke certifications: learning admins."""
    return is_learning_admin(user)


def can_sign_off_certification(user: Actor, candidate: User, certification: Certification) -> bool:
    """Sign off a certification's practical part: for a manager sign-off, the
    candidate's managers up the line; for an observed assessment, expert reviewers of one
    of its skills; learning admins for either. Never one's own."""
    if not _active(user) or user.pk == candidate.pk:
        return False
    if is_learning_admin(user):
        return True
    if certification.sign_off == "manager":
        return people.is_above_in_line(user, candidate)  # type: ignore[arg-type]
    if certification.sign_off == "expert":
        skill_ids = set(certification.skills.values_list("pk", flat=True))
        return bool(skill_ids & people.reviewer_skill_ids(user))  # type: ignore[arg-type]
    return False


def can_view_award(user: Actor, award: CertificationAward) -> bool:
    """The full certificate (and its PDF): the holder, their managers up the line and
    learning admins. Anyone may check a certificate on its public verification page."""
    if not _active(user):
        return False
    return (
        user.pk == award.holder_id
        or is_learning_admin(user)
        or people.is_above_in_line(user, award.holder)  # type: ignore[arg-type]
    )


def can_download_credential(user: Actor, credential: IssuedCredential) -> bool:
    """An Open Badges credential file: its holder and learning admins. Anyone may check
    a credential they were given on the public verification page."""
    return _active(user) and (user.pk == credential.holder_id or is_learning_admin(user))


def can_revoke_credential(user: Actor) -> bool:
    """Revoke an issued credential with a reason: learning admins."""
    return is_learning_admin(user)


def can_manage_signing_keys(user: Actor) -> bool:
    """Rotate the keys credentials are signed with: system admins."""
    return is_system_admin(user)


def can_give_kudos(user: Actor, recipient: User) -> bool:
    """Any active colleague may thank another active colleague; not themselves."""
    return _active(user) and recipient.is_active and user.pk != recipient.pk


def can_hide_kudos(user: Actor) -> bool:
    return is_learning_admin(user)


def can_manage_badges(user: Actor) -> bool:
    return is_learning_admin(user)


def can_reverse_points(user: Actor) -> bool:
    """Reverse points with a reason (gaming, mistakes): learning admins."""
    return is_learning_admin(user)


def can_view_points_of(user: Actor, person: User) -> bool:
    """The points ledger of a person: themselves, their managers and learning admins.
    Totals, levels and badges show on profiles to whoever may see the profile."""
    if not _active(user):
        return False
    return (
        user.pk == person.pk or is_learning_admin(user) or people.is_above_in_line(user, person)  # type: ignore[arg-type]
    )


def can_record_away(user: Actor, person: User) -> bool:
    """Time away that pauses a streak: the person, their managers and learning admins."""
    return can_view_points_of(user, person)


def can_switch_team_leaderboard(user: Actor, team: Team) -> bool:
    """Managers of a team's people, and learning admins, switch its leaderboards off."""
    if is_learning_admin(user):
        return True
    return _active(user) and people.manages_team(user, team)  # type: ignore[arg-type]


def can_view_leaderboards(user: Actor) -> bool:
    """Every active person sees the boards, even after opting out of being ranked."""
    return _active(user)


# --- Social: discussions -----------------------------------------------------------------


def discussion_skill_ids(
    *, module: Module | None = None, path: LearningPath | None = None
) -> set[int]:
    """The skills a discussion is about: the module's, or those of a path's published modules."""
    if module is not None:
        return {skill.pk for skill in module.skills.all()}
    if path is not None:
        found = path.steps.filter(module__status="published").values_list(
            "module__skills", flat=True
        )
        return {pk for pk in found if pk is not None}
    return set()


def can_view_discussion(
    user: Actor, *, module: Module | None = None, path: LearningPath | None = None
) -> bool:
    """A discussion is open to whoever may see its module or path (drafts: their editors)."""
    if module is not None:
        return can_view_module(user, module)
    if path is not None:
        return can_view_path(user, path)
    return False


def can_take_part_in_discussion(
    user: Actor, *, module: Module | None = None, path: LearningPath | None = None
) -> bool:
    """Start threads, reply, react and report: everyone who may see the subject."""
    return can_view_discussion(user, module=module, path=path)


def is_discussion_expert(user: Actor, skill_ids: Iterable[int]) -> bool:
    """An expert reviewer of one of the subject's skills (accepts answers, moderates)."""
    ids = set(skill_ids)
    return _active(user) and bool(ids & people.reviewer_skill_ids(user))  # type: ignore[arg-type]


def can_moderate_discussion(user: Actor, skill_ids: Iterable[int]) -> bool:
    """Hide and unhide posts, lock threads: learning admins and the subject's experts."""
    return is_learning_admin(user) or is_discussion_expert(user, skill_ids)


def can_accept_answer(user: Actor, question_author_id: int, *, expert: bool) -> bool:
    """The asker, or an expert reviewer of the subject's skills, accepts an answer."""
    return _active(user) and (user.pk == question_author_id or expert)


def can_report_content(user: Actor, author_id: int) -> bool:
    """Anyone active may report what someone else wrote."""
    return _active(user) and user.pk != author_id


def can_see_content_reports(user: Actor) -> bool:
    """The queue of reported posts, summaries and notes: learning admins and reviewers."""
    return can_see_moderation_queue(user)


# --- Social: summaries ---------------------------------------------------------------


def can_write_summary(user: Actor, module: Module) -> bool:
    """Learners summarise or endorse published modules they can see, not their own (the
    summary service also asks that they completed it)."""
    return can_view_module(user, module) and module.is_published and module.owner_id != user.pk


def can_edit_summary(user: Actor, summary: Summary) -> bool:
    """A summary is its author's words: only they change them."""
    return _active(user) and summary.author_id == user.pk


def can_vote_summary(user: Actor, summary: Summary, module: Module) -> bool:
    """Colleagues who can see the module vote on its summaries; never on their own."""
    return can_view_module(user, module) and summary.author_id != user.pk


def can_report_summary(user: Actor, summary: Summary, module: Module) -> bool:
    return can_vote_summary(user, summary, module)


def can_curate_summaries(user: Actor, module: Module) -> bool:
    """Promote or demote a module's summaries by hand: its curators (expert reviewers of
    its skills) and learning admins."""
    return can_moderate_module(user, module)


def can_see_promoted_summaries(user: Actor) -> bool:
    """The list of promoted summaries is a curators' page."""
    return can_see_moderation_queue(user)


# --- Notifications ---------------------------------------------------------------------


def can_read_notifications(user: Actor) -> bool:
    """Each active person reads, marks and tunes their own notifications (and only theirs:
    the notifications' selectors look them up by recipient)."""
    return _active(user)


def can_receive_report_notices(user: Actor) -> bool:
    """Reports waiting for moderation are news only to those who moderate."""
    return can_see_moderation_queue(user)


# --- Social: profiles and shares -------------------------------------------------------


def can_follow_person(user: Actor, person: User) -> bool:
    """Any active colleague may follow another active colleague's learning; not themselves."""
    return _active(user) and person.is_active and user.pk != person.pk


def can_follow_skills(user: Actor) -> bool:
    return _active(user)


def can_edit_social_settings(user: Actor, person: User) -> bool:
    """Who sees one's activity, the skills one declares and follows: the person alone."""
    return _active(user) and user.pk == person.pk


def can_share_module(user: Actor, module: Module) -> bool:
    """Recommend a published module one can see to colleagues."""
    return can_view_module(user, module) and module.is_published


def can_share_path(user: Actor, path: LearningPath) -> bool:
    return can_view_path(user, path) and path.status == "published"


def can_take_notes(user: Actor, module: Module) -> bool:
    """Learners keep notes on the published modules they can open."""
    return can_view_module(user, module) and module.is_published


def can_manage_note(user: Actor, note: Any) -> bool:
    """Edit, publish, unpublish and delete a note: its author only."""
    return _active(user) and note.author_id == user.pk


def can_read_note(user: Actor, note: Any) -> bool:
    """A private note is its author's alone; a published one is for whoever may see its
    module, unless a moderator hid it."""
    if can_manage_note(user, note):
        return True
    return bool(note.is_public and note.hidden_at is None and can_view_module(user, note.module))


# --- Social: feed ----------------------------------------------------------------------


def can_see_activity(user: Actor, activity: Activity) -> bool:
    """A feed item is seen by its actor always; by others as the actor's setting says
    (everyone, their team, only them), and only while its module or path is published."""
    if not _active(user):
        return False
    if activity.module is not None and not activity.module.is_published:
        return False
    if activity.path is not None and activity.path.status != "published":
        return False
    if activity.actor_id == user.pk:
        return True
    if activity.visibility == "everyone":
        return True
    viewer_team_id = getattr(user, "team_id", None)
    return (
        activity.visibility == "team"
        and viewer_team_id is not None
        and activity.team_id == viewer_team_id
    )


def can_react_to_activity(user: Actor, activity: Activity) -> bool:
    """Liking and commenting on a feed item: anyone who may see it."""
    return can_see_activity(user, activity)


def can_set_activity_visibility(user: Actor, person: User) -> bool:
    """Only the person decides who sees their learning activity."""
    return _active(user) and user.pk == person.pk
