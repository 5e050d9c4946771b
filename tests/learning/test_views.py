from __future__ import annotations

import pytest
from django.urls import reverse

from peerpath.learning.models import ModuleProgress, ProgressStatus
from tests.factories import ModuleFactory, SkillFactory

pytestmark = pytest.mark.django_db


def module_url(module):
    return reverse("learning:module", args=[module.public_id, module.slug])


def test_anonymous_visitors_are_sent_to_sign_in(client, module):
    for url in [
        reverse("learning:catalog"),
        module_url(module),
        reverse("learning:mine"),
        reverse("learning:team"),
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_catalog_lists_published_modules_with_skill_filter(org, client_for):
    calls = SkillFactory(name="Calls")
    ModuleFactory(author=org.lead, title="Warm transfers", skills=[calls])
    ModuleFactory(author=org.lead, title="Phishing drills")
    ModuleFactory(author=org.lead, title="Secret draft", publish=False)
    client = client_for(org.member)
    page = client.get(reverse("learning:catalog")).content.decode()
    assert "Warm transfers" in page
    assert "Phishing drills" in page
    assert "Secret draft" not in page
    filtered = client.get(reverse("learning:catalog"), {"skill": calls.slug}).content.decode()
    assert "Warm transfers" in filtered
    assert "Phishing drills" not in filtered


def test_unknown_skill_filter_is_404(org, client_for):
    assert (
        client_for(org.member).get(reverse("learning:catalog"), {"skill": "nope"}).status_code
        == 404
    )


def test_catalog_htmx_request_returns_only_results(org, client_for):
    ModuleFactory(author=org.lead, title="Warm transfers")
    response = client_for(org.member).get(
        reverse("learning:catalog"), {"q": "warm"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert "Warm transfers" in body
    assert "<html" not in body


def test_catalog_query_count_does_not_grow_with_data(
    org, client_for, django_assert_max_num_queries
):
    client = client_for(org.member)
    skill = SkillFactory(name="Calls")
    for _ in range(3):
        ModuleFactory(author=org.lead, skills=[skill])
    client.get(reverse("learning:catalog"))  # warm the shell's cached navigation roles
    with django_assert_max_num_queries(12) as small:
        client.get(reverse("learning:catalog"))
    for _ in range(30):
        ModuleFactory(author=org.outsider, skills=[skill])
    with django_assert_max_num_queries(12) as large:
        client.get(reverse("learning:catalog"))
    assert len(large.captured_queries) == len(small.captured_queries)


def test_opening_a_module_records_progress_and_renders_safe_html(org, client_for):
    module = ModuleFactory(author=org.lead, body_markdown="## Hi\n\n<script>bad()</script>")
    response = client_for(org.member).get(module_url(module))
    assert response.status_code == 200
    body = response.content.decode()
    assert "<h2>Hi</h2>" in body
    assert "bad()" not in body
    assert ModuleProgress.objects.get(user=org.member, module=module).status == "in_progress"


def test_wrong_slug_redirects_to_canonical_url(org, client_for, module):
    response = client_for(org.member).get(
        reverse("learning:module", args=[module.public_id, "old-title"])
    )
    assert response.status_code == 302
    assert response["Location"] == module_url(module)


def test_drafts_are_403_for_others_and_404_when_missing(org, client_for):
    draft = ModuleFactory(author=org.lead, publish=False)
    assert client_for(org.outsider).get(module_url(draft)).status_code == 403
    assert client_for(org.lead).get(module_url(draft)).status_code == 200
    missing = reverse("learning:module", args=["00000000-0000-0000-0000-000000000000", "x"])
    assert client_for(org.member).get(missing).status_code == 404


def test_marking_complete(org, client_for, module):
    client = client_for(org.member)
    response = client.post(reverse("learning:complete", args=[module.public_id]))
    assert response.status_code == 302
    progress = ModuleProgress.objects.get(user=org.member, module=module)
    assert progress.status == ProgressStatus.COMPLETED
    htmx = client.post(
        reverse("learning:complete", args=[module.public_id]), HTTP_HX_REQUEST="true"
    )
    assert "Completed" in htmx.content.decode()


def test_completion_requires_post_and_a_visible_module(org, client_for):
    draft = ModuleFactory(author=org.lead, publish=False)
    client = client_for(org.outsider)
    assert client.get(reverse("learning:complete", args=[draft.public_id])).status_code == 405
    assert client.post(reverse("learning:complete", args=[draft.public_id])).status_code == 403
    assert not ModuleProgress.objects.exists()


def test_my_learning_shows_both_lists(org, client_for, module):
    other = ModuleFactory(author=org.lead, title="Closing a call well")
    client = client_for(org.member)
    client.get(module_url(module))
    client.post(reverse("learning:complete", args=[other.public_id]))
    body = client.get(reverse("learning:mine")).content.decode()
    assert "De-escalating an angry caller" in body
    assert "Closing a call well" in body


def test_my_learning_query_count_is_bounded(org, client_for, django_assert_max_num_queries):
    from peerpath.learning import services

    client = client_for(org.member)
    for _ in range(3):
        services.progress_complete(user=org.member, module=ModuleFactory(author=org.lead))
    client.get(reverse("learning:mine"))  # warm the shell's cached navigation roles
    with django_assert_max_num_queries(12) as small:
        client.get(reverse("learning:mine"))
    for _ in range(25):
        services.progress_complete(user=org.member, module=ModuleFactory(author=org.lead))
        services.progress_open(user=org.member, module=ModuleFactory(author=org.lead))
    with django_assert_max_num_queries(12) as large:
        client.get(reverse("learning:mine"))
    assert len(large.captured_queries) == len(small.captured_queries)


def test_my_team_is_for_managers_only(org, client_for):
    assert client_for(org.member).get(reverse("learning:team")).status_code == 403
    body = client_for(org.manager).get(reverse("learning:team")).content.decode()
    assert "Leo Lead" in body
    assert "Mina Member" in body
    assert "Dara Deep" not in body
    everyone = client_for(org.manager).get(reverse("learning:team"), {"scope": "all"})
    assert "Dara Deep" in everyone.content.decode()
    assert "Otto Outsider" not in everyone.content.decode()


def test_manager_sees_a_reports_learning_but_not_an_outsiders(org, client_for):
    client = client_for(org.manager)
    assert client.get(reverse("learning:person", args=[org.deep.public_id])).status_code == 200
    assert client.get(reverse("learning:person", args=[org.outsider.public_id])).status_code == 403
    assert (
        client_for(org.member)
        .get(reverse("learning:person", args=[org.lead.public_id]))
        .status_code
        == 403
    )


def test_path_page_shows_position(org, client_for):
    from peerpath.content import paths as content
    from peerpath.learning import services

    a, b = (
        ModuleFactory(author=org.lead, title="Step one"),
        ModuleFactory(author=org.lead, title="Step two"),
    )
    path = content.path_create(
        author=org.lead, title="Basics", summary="S", sections=[("Start", [a, b])], publish=True
    )
    services.progress_complete(user=org.member, module=a)
    body = (
        client_for(org.member)
        .get(reverse("learning:path", args=[path.public_id, path.slug]))
        .content.decode()
    )
    assert "1 of 2" in body
    assert "Continue: Step two" in body
