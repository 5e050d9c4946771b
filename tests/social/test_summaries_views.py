"""Summary pages: the module page's slots, the panel, votes in place, curators' list."""

from __future__ import annotations

import pytest
from django.urls import reverse

from peerpath.learning import services as learning
from peerpath.social import summaries
from peerpath.social.models import Audience, ContentReport, Summary, SummaryVote
from tests.factories import ModuleFactory, TeamFactory, UserFactory
from tests.social.factories import SummaryFactory

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def course(org):
    return ModuleFactory(author=org.outsider, title="Warm transfers")


def _url(name, obj):
    return reverse(f"social:{name}", kwargs={"public_id": obj.public_id})


def test_the_module_page_loads_the_top_summary_and_the_ranked_list(org, course, client_for):
    page = client_for(org.member).get(
        reverse("learning:module", kwargs={"public_id": course.public_id, "slug": course.slug})
    )
    html = page.content.decode()
    assert _url("summary_top", course) in html
    assert _url("summaries", course) in html


def test_the_panel_offers_the_form_only_after_completion(org, course, client_for):
    client = client_for(org.member)
    before = client.get(_url("summaries", course), **HTMX).content.decode()
    assert "Complete this module to write" in before
    assert "Write a summary or endorsement" not in before

    learning.progress_complete(user=org.member, module=course)
    after = client.get(_url("summaries", course), **HTMX).content.decode()
    assert "Write a summary or endorsement" in after

    # The author of the module is not offered the form at all.
    own = client_for(org.outsider).get(_url("summaries", course), **HTMX).content.decode()
    assert "Write a summary" not in own
    assert "Complete this module" not in own


def test_writing_in_place_shows_it_and_asks_the_top_to_refresh(org, course, client_for):
    learning.progress_complete(user=org.member, module=course)
    response = client_for(org.member).post(
        _url("summary_write", course),
        {"kind": "summary", "body": "Say <b>who</b> you are.\nThen listen."},
        **HTMX,
    )
    html = response.content.decode()
    assert response["HX-Trigger"] == "summaries-changed"
    assert "Say &lt;b&gt;who&lt;/b&gt; you are.<br>Then listen." in html
    assert "your summary is on the module page" in html
    assert Summary.objects.get().author == org.member


def test_a_too_long_summary_is_shown_back_with_the_reason(org, course, client_for):
    learning.progress_complete(user=org.member, module=course)
    response = client_for(org.member).post(
        _url("summary_write", course), {"kind": "summary", "body": "x" * 520}, **HTMX
    )
    assert "Keep it to 500 characters (this is 520)" in response.content.decode()
    assert not Summary.objects.exists()


def test_writing_without_htmx_redirects_back_to_the_module(org, course, client_for):
    learning.progress_complete(user=org.member, module=course)
    response = client_for(org.member).post(
        _url("summary_write", course), {"kind": "endorsement", "body": "It helped me."}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(f"/learn/m/{course.public_id}/warm-transfers/")


def test_a_vote_in_place_returns_the_item_with_the_vote_pressed(org, course, client_for):
    summary = SummaryFactory(author=org.member, module=course)
    response = client_for(org.lead).post(_url("summary_vote", summary), {"vote": "helpful"}, **HTMX)
    html = response.content.decode()
    assert response["HX-Trigger"] == "summaries-changed"
    assert 'aria-pressed="true"' in html
    assert 'value="withdraw"' in html
    assert SummaryVote.objects.get().voter == org.lead


def test_a_nonsense_vote_is_refused_with_a_message(org, course, client_for):
    summary = SummaryFactory(author=org.member, module=course)
    response = client_for(org.lead).post(_url("summary_vote", summary), {"vote": "love"}, **HTMX)
    assert "Choose helpful, not helpful" in response.content.decode()
    assert not SummaryVote.objects.exists()


def test_the_author_sees_no_vote_buttons_and_cannot_post_one(org, course, client_for):
    summary = SummaryFactory(author=org.member, module=course)
    client = client_for(org.member)
    html = client.get(_url("summaries", course), **HTMX).content.decode()
    assert 'name="vote"' not in html
    assert client.post(_url("summary_vote", summary), {"vote": "helpful"}).status_code == 403
    assert not SummaryVote.objects.exists()


def test_a_summary_of_a_draft_is_hidden_from_those_who_cannot_see_it(org, client_for):
    course = ModuleFactory(author=org.outsider)
    summary = SummaryFactory(author=org.member, module=course)
    from peerpath.content import services as content

    content.module_unpublish(actor=org.outsider, module=course)
    client = client_for(org.lead)
    assert client.post(_url("summary_vote", summary), {"vote": "helpful"}).status_code == 404
    assert client.get(_url("summaries", course)).status_code in (403, 404)
    assert not SummaryVote.objects.exists()


def test_only_the_author_edits(org, course, client_for):
    summary = SummaryFactory(author=org.member, module=course, body="Before")
    assert (
        client_for(org.lead).post(_url("summary_edit", summary), {"body": "Hijacked"}).status_code
        == 403
    )
    response = client_for(org.member).post(_url("summary_edit", summary), {"body": "After"}, **HTMX)
    assert "After" in response.content.decode()
    summary.refresh_from_db()
    assert summary.body == "After"


def test_reporting_in_place_thanks_the_reporter(org, course, client_for):
    summary = SummaryFactory(author=org.member, module=course)
    response = client_for(org.lead).post(
        _url("summary_report", summary), {"reason": "Wrong advice"}, **HTMX
    )
    assert "moderators will look at your report" in response.content.decode()
    assert ContentReport.objects.get().summary == summary


def test_only_curators_set_the_audience(org, course, client_for):
    summary = SummaryFactory(author=org.member, module=course)
    denied = client_for(org.lead).post(
        _url("summary_audience", summary), {"audience": "organisation"}
    )
    assert denied.status_code == 403
    summary.refresh_from_db()
    assert summary.audience == Audience.TEAM

    response = client_for(org.admin).post(
        _url("summary_audience", summary), {"audience": "organisation"}, **HTMX
    )
    assert "It now reaches the whole organisation" in response.content.decode()
    summary.refresh_from_db()
    assert summary.audience == Audience.ORGANISATION


def test_the_top_summary_fragment(org, course, client_for):
    summary = SummaryFactory(author=org.member, module=course, body="The gist")
    client = client_for(org.lead)
    assert "Top summary" not in client.get(_url("summary_top", course), **HTMX).content.decode()
    summaries.summary_vote(voter=org.deep, summary=summary, helpful=True)
    html = client.get(_url("summary_top", course), **HTMX).content.decode()
    assert "Top summary" in html
    assert "The gist" in html


def _fill(course, n):
    team = TeamFactory()
    for _ in range(n):
        SummaryFactory(author=UserFactory(team=team), module=course)


@pytest.mark.parametrize("n", [3, 25])
def test_the_panel_costs_the_same_queries_at_any_size(
    org, course, client_for, django_assert_max_num_queries, n
):
    _fill(course, n)
    client = client_for(org.lead)
    with django_assert_max_num_queries(14):
        response = client.get(_url("summaries", course), **HTMX)
    assert response.status_code == 200
    assert response.content.decode().count('<article class="summary') == min(n, 10)


def test_show_more_brings_the_next_page(org, course, client_for):
    _fill(course, 12)
    html = client_for(org.lead).get(_url("summaries_more", course) + "?page=2", **HTMX)
    assert html.content.decode().count('<article class="summary') == 2


def test_the_promoted_list_is_for_curators(org, course, client_for):
    summary = SummaryFactory(author=org.member, module=course, body="Org-wide gist")
    summaries.summary_audience_set(actor=org.admin, summary=summary, audience="organisation")
    assert client_for(org.member).get(reverse("social:summaries_promoted")).status_code == 403

    html = client_for(org.admin).get(reverse("social:summaries_promoted")).content.decode()
    assert "Org-wide gist" in html
    assert "set by Ada Admin" in html
    team_page = client_for(org.admin).get(reverse("social:summaries_promoted") + "?audience=team")
    assert "Org-wide gist" not in team_page.content.decode()


@pytest.mark.parametrize("n", [2, 20])
def test_the_promoted_list_costs_the_same_queries_at_any_size(
    org, client_for, django_assert_max_num_queries, n
):
    for _ in range(n):
        course = ModuleFactory(author=org.outsider)
        summary = SummaryFactory(author=UserFactory(team=org.member.team), module=course)
        summaries.summary_audience_set(actor=org.admin, summary=summary, audience="department")
    client = client_for(org.admin)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("social:summaries_promoted") + "?audience=department")
    assert response.content.decode().count('class="card stack summary-row"') == n


def test_the_non_htmx_panel_is_a_full_page(org, course, client_for):
    response = client_for(org.lead).get(_url("summaries", course))
    assert "Back to the module" in response.content.decode()
