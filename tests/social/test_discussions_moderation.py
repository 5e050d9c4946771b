from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from peerpath.notifications.models import Kind, Notification
from peerpath.social import moderation
from peerpath.social.models import ContentReport, Note, ReportStatus, Summary
from tests.factories import ModuleFactory, SkillFactory
from tests.social.factories import make_expert, reply_to, thread_on

pytestmark = pytest.mark.django_db


def test_a_report_reaches_the_moderators_once_per_reporter(org, module):
    post = thread_on(module, author=org.member, body="Buy my course!")

    moderation.report_create(reporter=org.lead, comment=post, reason="Spam")

    report = ContentReport.objects.get()
    assert (report.comment_id, report.status) == (post.pk, ReportStatus.OPEN)
    assert Notification.objects.filter(recipient=org.admin, kind=Kind.REPORT).exists()
    assert not Notification.objects.filter(recipient=org.member, kind=Kind.REPORT).exists()
    with pytest.raises(ValidationError, match="already reported"):
        moderation.report_create(reporter=org.lead, comment=post, reason="Still spam")
    with pytest.raises(ValidationError, match="yourself"):
        moderation.report_create(reporter=org.member, comment=post, reason="Oops")
    with pytest.raises(ValidationError, match="Say briefly"):
        moderation.report_create(reporter=org.deep, comment=post, reason="  ")
    assert ContentReport.objects.count() == 1


def test_hiding_closes_every_open_report_and_tells_the_author(org, module):
    post = thread_on(module, author=org.member)
    moderation.report_create(reporter=org.lead, comment=post, reason="Rude")
    moderation.report_create(reporter=org.deep, comment=post, reason="Rude too")

    moderation.comment_hide(actor=org.admin, comment=post)

    post.refresh_from_db()
    assert post.hidden_at is not None
    assert post.hidden_by_id == org.admin.pk
    assert set(ContentReport.objects.values_list("status", flat=True)) == {ReportStatus.HIDDEN}
    [notice] = Notification.objects.filter(recipient=org.member, kind=Kind.MODERATION)
    assert notice.title == f"A moderator hid your discussion post on “{module.title}”"

    moderation.comment_unhide(actor=org.admin, comment=post)
    post.refresh_from_db()
    assert post.hidden_at is None
    assert Notification.objects.filter(recipient=org.member, kind=Kind.MODERATION).count() == 2


def test_only_moderators_of_the_subject_hide(org):
    calls, sales = SkillFactory(name="Calls"), SkillFactory(name="Sales")
    module = ModuleFactory(author=org.lead, skills=[calls])
    post = thread_on(module, author=org.member)
    make_expert(org.outsider, sales)

    with pytest.raises(PermissionDenied):
        moderation.comment_hide(actor=org.outsider, comment=post)
    post.refresh_from_db()
    assert post.hidden_at is None

    moderation.comment_hide(actor=make_expert(org.manager, calls), comment=post)
    post.refresh_from_db()
    assert post.hidden_at is not None


def test_summaries_and_public_notes_are_reported_and_hidden_through_the_same_queue(org, module):
    summary = Summary.objects.create(
        author=org.member, module=module, kind="summary", body="Stay calm."
    )
    note = Note.objects.create(author=org.deep, module=module, body="Rude words", is_public=True)
    moderation.report_create(reporter=org.lead, summary=summary, reason="Wrong")
    moderation.report_create(reporter=org.lead, note=note, reason="Rude")

    queue = list(moderation.reports_for_moderator(org.admin))
    assert [r.summary_id or r.note_id for r in queue] == [summary.pk, note.pk]

    moderation.content_hide(actor=org.admin, found=moderation.found_for_report(queue[1]))
    note.refresh_from_db()
    assert note.hidden_at is not None
    assert Notification.objects.filter(recipient=org.deep, kind=Kind.MODERATION).exists()


def test_a_private_note_cannot_be_reported_by_others(org, module):
    note = Note.objects.create(author=org.deep, module=module, body="Mine", is_public=False)
    with pytest.raises(PermissionDenied):
        moderation.report_create(reporter=org.lead, note=note, reason="Curious")
    assert not ContentReport.objects.exists()


def test_reviewers_see_the_reports_of_their_areas_and_admins_see_all(org):
    calls, sales = SkillFactory(name="Calls"), SkillFactory(name="Sales")
    in_area = thread_on(ModuleFactory(author=org.lead, skills=[calls]), author=org.member)
    elsewhere = thread_on(ModuleFactory(author=org.lead, skills=[sales]), author=org.member)
    for post in (in_area, elsewhere):
        moderation.report_create(reporter=org.deep, comment=post, reason="Off topic")
    reviewer = make_expert(org.manager, calls)

    assert [r.comment_id for r in moderation.reports_for_moderator(reviewer)] == [in_area.pk]
    assert len(moderation.reports_for_moderator(org.admin)) == 2


def test_the_queue_page_is_for_moderators_only(org, client_for, module):
    post = thread_on(module, author=org.member)
    moderation.report_create(reporter=org.lead, comment=post, reason="Spam")

    assert client_for(org.member).get(reverse("social:moderation")).status_code == 403
    page = client_for(org.admin).get(reverse("social:moderation"))
    assert page.status_code == 200
    assert b"Spam" in page.content


def test_the_queue_page_costs_the_same_queries_at_any_size(
    org, client_for, django_assert_max_num_queries
):
    client = client_for(org.admin)

    def report_posts(n: int) -> None:
        module = ModuleFactory(author=org.lead, skills=[SkillFactory()])
        for i in range(n):
            author = [org.member, org.deep, org.manager][i % 3]
            post = reply_to(thread_on(module, author=org.outsider, body=f"Q{i}"), author=author)
            moderation.report_create(reporter=org.lead, comment=post, reason="Spam")

    report_posts(2)
    client.get(reverse("social:moderation"))  # warm the session and navigation caches
    with django_assert_max_num_queries(10) as small:
        assert client.get(reverse("social:moderation")).status_code == 200
    report_posts(4)
    with django_assert_max_num_queries(10) as large:
        assert client.get(reverse("social:moderation")).status_code == 200
    assert len(small.captured_queries) == len(large.captured_queries)


def test_moderators_decide_from_the_queue(org, client_for, module):
    post = thread_on(module, author=org.member)
    report = moderation.report_create(reporter=org.lead, comment=post, reason="Spam")
    url = reverse("social:moderation_decide", args=[report.public_id])

    assert client_for(org.deep).post(url, {"outcome": "hide"}).status_code == 403
    post.refresh_from_db()
    assert post.hidden_at is None

    response = client_for(org.admin).post(url, {"outcome": "hide"})
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.hidden_at is not None


def test_summary_report_page(org, client_for, module):
    summary = Summary.objects.create(author=org.member, module=module, kind="summary", body="S")
    url = reverse("social:report_summary", args=[summary.public_id])
    client = client_for(org.lead)

    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": "Misleading"})
    assert response.status_code == 302
    assert ContentReport.objects.get().summary_id == summary.pk
