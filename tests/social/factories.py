"""Factories for social learning, one section per area, built through the services."""

from __future__ import annotations

from peerpath.people.models import ExpertReviewer, User
from peerpath.skills.models import Skill
from peerpath.social import discussion_selectors as selectors
from peerpath.social import discussions
from peerpath.social.models import Comment

# --- Discussions and moderation ------------------------------------------------------------


def make_expert(person: User, skill: Skill) -> User:
    """Make ``person`` an expert reviewer of ``skill`` (and the skills beneath it)."""
    ExpertReviewer.objects.create(user=person, skill=skill)
    if hasattr(person, "_peerpath_reviewer_skills"):
        del person._peerpath_reviewer_skills
    return person


def thread_on(
    subject_item, *, author: User, body: str = "How do I start?", question: bool = False
) -> Comment:
    """Start a thread on a module or path as ``author``."""
    subject = (
        selectors.Subject(path=subject_item)
        if subject_item.__class__.__name__ == "LearningPath"
        else selectors.Subject(module=subject_item)
    )
    return discussions.thread_start(author=author, subject=subject, body=body, is_question=question)


def reply_to(parent: Comment, *, author: User, body: str = "Like this.") -> Comment:
    return discussions.reply_post(author=author, parent=parent, body=body)
