from __future__ import annotations

import pytest
from django.urls import reverse

from peerpath.curation.models import Flag, FlagStatus, Rating
from peerpath.learning import services as learning
from tests.factories import ModuleFactory

pytestmark = pytest.mark.django_db


def test_panel_and_forms_need_sign_in(client, module):
    for name in ("curation:panel", "curation:rate", "curation:flag"):
        response = client.post(reverse(name, args=[module.public_id]))
        assert response.status_code == 302
    assert client.get(reverse("curation:queue")).status_code == 302


def test_rating_through_the_panel(org, client_for, module):
    client = client_for(org.member)
    client.get(reverse("learning:module", args=[module.public_id, module.slug]))
    response = client.post(
        reverse("curation:rate", args=[module.public_id]),
        {"stars": "4", "comment": "Clear, thanks"},
        HTTP_HX_REQUEST="true",
    )
    assert "rating was saved" in response.content.decode()
    assert Rating.objects.get().stars == 4


def test_rating_form_errors_rerender_in_place(org, client_for, module):
    response = client_for(org.member).post(
        reverse("curation:rate", args=[module.public_id]), {"stars": "9"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Rating.objects.exists()


def test_owner_sees_notes_others_do_not(org, client_for, module):
    learning.progress_open(user=org.member, module=module)
    client_for(org.member).post(
        reverse("curation:rate", args=[module.public_id]), {"stars": "3", "comment": "Add a case"}
    )
    owner_view = client_for(module.owner).get(reverse("curation:panel", args=[module.public_id]))
    assert "Add a case" in owner_view.content.decode()
    other_view = client_for(org.outsider).get(reverse("curation:panel", args=[module.public_id]))
    assert "Add a case" not in other_view.content.decode()


def test_drafts_have_no_panel(org, client_for):
    draft = ModuleFactory(author=org.lead, publish=False)
    assert (
        client_for(org.lead).get(reverse("curation:panel", args=[draft.public_id])).status_code
        == 404
    )
    assert (
        client_for(org.member).get(reverse("curation:panel", args=[draft.public_id])).status_code
        == 403
    )


def test_queue_is_for_moderators_only(org, client_for):
    assert client_for(org.member).get(reverse("curation:queue")).status_code == 403
    assert client_for(org.admin).get(reverse("curation:queue")).status_code == 200


def test_closing_a_flag_is_for_moderators_only(org, client_for, module):
    client_for(org.member).post(
        reverse("curation:flag", args=[module.public_id]),
        {"reason": "outdated", "details": "The refund window is now 30 days."},
    )
    flag = Flag.objects.get()
    url = reverse("curation:close", args=[flag.public_id])
    assert client_for(org.member).post(url, {"outcome": "resolved"}).status_code == 403
    flag.refresh_from_db()
    assert flag.status == FlagStatus.OPEN
    client_for(org.admin).post(url, {"outcome": "dismissed", "note": "Still 14 days"})
    flag.refresh_from_db()
    assert flag.status == FlagStatus.DISMISSED
    assert flag.closing_note == "Still 14 days"


def test_review_link_only_for_moderators(org, client_for):
    assert ">Review<" not in client_for(org.member).get("/").content.decode()
    assert ">Review<" in client_for(org.admin).get("/").content.decode()


def test_review_pages_deny_outsiders_and_need_sign_in(org, client_for, client):
    from peerpath.curation import services

    module = ModuleFactory(author=org.member)
    review = services.module_nominate(user=org.member, module=module)
    url = reverse("curation:review", args=[review.public_id])
    assert client.get(url).status_code == 302
    assert client_for(org.deep).get(url).status_code == 403
    decide = reverse("curation:decide", args=[review.public_id])
    assert client_for(org.deep).post(decide, {"decision": "approve"}).status_code == 403
    assert client_for(org.member).get(url).status_code == 200
    # The author may talk but not decide on their own module.
    assert client_for(org.member).post(decide, {"decision": "approve"}).status_code == 403
    module.refresh_from_db()
    assert not module.is_curated
    assert client_for(org.member).get(reverse("curation:reviews")).status_code == 403


def test_admin_approves_through_the_page(org, client_for):
    from peerpath.curation import services

    module = ModuleFactory(author=org.member)
    review = services.module_nominate(user=org.deep, module=module)
    response = client_for(org.admin).post(
        reverse("curation:decide", args=[review.public_id]), {"decision": "approve"}
    )
    assert response.status_code == 302
    module.refresh_from_db()
    assert module.is_curated
    catalog = client_for(org.deep).get(reverse("learning:catalog")).content.decode()
    assert "Curated" in catalog
