"""Playing SCORM packages: tokens, sandboxed files, commits and progress."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
import time_machine
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from peerpath.content import services as content_services
from peerpath.content.models import ModuleKind
from peerpath.learning import cmi, player, services
from peerpath.learning.models import ModuleProgress, ScormSession
from peerpath.lrs.models import Statement
from tests.content import scorm_fixtures as fx
from tests.factories import ModuleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def package_module(author, data: bytes | None = None, *, publish: bool = True):
    module = ModuleFactory(
        author=author,
        title="Phone etiquette",
        kind=ModuleKind.PACKAGE,
        body_markdown="",
        publish=False,
    )
    content_services.module_attach_package(
        actor=author, module=module, upload=fx.upload(data or fx.scorm12_zip())
    )
    module.refresh_from_db()
    if publish:
        content_services.module_publish(actor=author, module=module)
        module.refresh_from_db()
    return module


def token_for(user, module) -> str:
    return player.play_token(user=user, module=module, package=module.package)


def file_url(token: str, path: str) -> str:
    return reverse("learning:scorm_file", kwargs={"token": token, "path": path})


def commit_url(token: str) -> str:
    return reverse("learning:scorm_commit", kwargs={"token": token})


def post_commit(token: str, data) -> object:
    # The run-time posts from an opaque origin with no cookies: an anonymous client.
    return Client().post(commit_url(token), json.dumps(data), content_type="text/plain")


# --- Mapping the run-time's data ------------------------------------------------------------


def test_scorm_12_passed_with_a_raw_score_is_completed_and_passed():
    result = cmi.outcome(
        "scorm12",
        {
            "cmi.core.lesson_status": "passed",
            "cmi.core.score.raw": "17",
            "cmi.core.score.min": "0",
            "cmi.core.score.max": "20",
            "cmi.core.lesson_location": "page-3",
        },
    )
    assert result == cmi.Outcome(
        completed=True, success="passed", score=Decimal("85.00"), percent=100, location="page-3"
    )


def test_scorm_12_failed_is_a_result_not_a_completion_and_incomplete_is_neither():
    # The learner may try again until they pass: a fail does not complete the module.
    assert cmi.outcome("scorm12", {"cmi.core.lesson_status": "failed"}).completed is False
    assert cmi.outcome("scorm12", {"cmi.core.lesson_status": "failed"}).success == "failed"
    incomplete = cmi.outcome("scorm12", {"cmi.core.lesson_status": "incomplete"})
    assert (incomplete.completed, incomplete.success, incomplete.score) == (False, "", None)


def test_scorm_2004_maps_completion_success_scaled_score_and_progress_measure():
    result = cmi.outcome(
        "scorm2004",
        {
            "cmi.completion_status": "incomplete",
            "cmi.success_status": "unknown",
            "cmi.score.scaled": "0.625",
            "cmi.progress_measure": "0.4",
            "cmi.location": "chapter-2",
        },
    )
    assert result == cmi.Outcome(
        completed=False, success="", score=Decimal("62.50"), percent=40, location="chapter-2"
    )
    done = cmi.outcome(
        "scorm2004",
        {
            "cmi.completion_status": "completed",
            "cmi.success_status": "passed",
            "cmi.score.raw": "45",
            "cmi.score.max": "50",
        },
    )
    assert (done.completed, done.success, done.score, done.percent) == (
        True,
        "passed",
        Decimal("90.00"),
        100,
    )


def test_resume_data_drops_session_only_elements_and_sets_entry():
    saved = {
        "cmi.core.lesson_location": "page-3",
        "cmi.core.exit": "suspend",
        "cmi.core.session_time": "00:01:00",
        "cmi.core._children": "a,b",
        "cmi.comments": "",
    }
    assert cmi.for_resume(saved) == {"cmi.core.lesson_location": "page-3"}
    assert cmi.entry_for(saved, "scorm12") == "resume"
    assert cmi.entry_for({}, "scorm12") == "ab-initio"
    assert cmi.entry_for({"cmi.completion_status": "completed"}, "scorm2004") == ""


@given(
    st.dictionaries(
        st.text(max_size=30),
        st.one_of(st.text(max_size=20), st.integers(), st.floats(), st.none(), st.booleans()),
    )
)
def test_any_committed_object_is_cleaned_or_refused_and_maps_to_a_bounded_score(raw):
    try:
        data = cmi.clean(raw)
    except ValidationError:
        return
    for standard in ("scorm12", "scorm2004"):
        result = cmi.outcome(standard, data)
        assert result.score is None or Decimal(0) <= result.score <= Decimal(100)
        assert result.percent is None or 0 <= result.percent <= 100


@given(
    st.sampled_from(["cmi.core.score.raw", "cmi.score.scaled", "cmi.progress_measure"]),
    st.text(max_size=12),
)
def test_odd_numbers_never_break_the_mapping(key, value):
    data = cmi.clean({key: value, "cmi.core.score.max": "1e400", "cmi.score.raw": "NaN"})
    for standard in ("scorm12", "scorm2004"):
        cmi.outcome(standard, data)


# --- Committing ---------------------------------------------------------------------------


def test_commits_store_the_data_and_carry_results_onto_progress(org):
    module = package_module(org.lead)
    package = module.package
    services.scorm_commit(
        user=org.member,
        module=module,
        package=package,
        data={"cmi.core.lesson_status": "incomplete", "cmi.core.lesson_location": "intro"},
    )
    progress = ModuleProgress.objects.get(user=org.member, module=module)
    assert (progress.status, progress.resume_at, progress.score) == ("in_progress", "intro", None)

    services.scorm_commit(
        user=org.member,
        module=module,
        package=package,
        data={
            "cmi.core.lesson_status": "passed",
            "cmi.core.score.raw": "85",
            "cmi.core.lesson_location": "page-3",
            "cmi.interactions": {},
        },
    )
    progress.refresh_from_db()
    assert progress.status == "completed"
    assert progress.success_status == "passed"
    assert progress.score == Decimal("85.00")
    assert progress.percent == 100
    assert progress.resume_at == "page-3"
    first_completed = progress.completed_at

    session = ScormSession.objects.get(user=org.member, module=module)
    assert session.commit_count == 2
    assert session.cmi["cmi.core.lesson_location"] == "page-3"
    assert "cmi.interactions" not in session.cmi

    # A later, worse attempt keeps completion, its date, the pass and the best score.
    services.scorm_commit(
        user=org.member,
        module=module,
        package=package,
        data={"cmi.core.lesson_status": "failed", "cmi.core.score.raw": "40"},
    )
    progress.refresh_from_db()
    assert progress.status == "completed"
    assert progress.completed_at == first_completed
    assert progress.success_status == "passed"
    assert progress.score == Decimal("85.00")
    # The learning record gets each change of outcome once, not every commit.
    verbs = [
        d["verb"]["display"]["en-US"] for d in Statement.objects.values_list("data", flat=True)
    ]
    assert sorted(verbs) == ["completed", "passed"]


def test_commits_to_an_unpublished_module_are_refused(org):
    module = package_module(org.lead, publish=False)
    with pytest.raises(PermissionDenied):
        services.scorm_commit(user=org.lead, module=module, package=module.package, data={})
    assert not ScormSession.objects.exists()


# --- Serving files ------------------------------------------------------------------------


def test_the_launch_file_is_served_sandboxed_with_the_runtime_and_saved_data(org):
    module = package_module(org.lead)
    token = token_for(org.member, module)
    services.scorm_commit(
        user=org.member,
        module=module,
        package=module.package,
        data={"cmi.core.lesson_location": "page-</script>-3", "cmi.core.exit": "suspend"},
    )
    response = Client().get(file_url(token, "index.html"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert response["Content-Security-Policy"] == (
        "sandbox allow-scripts allow-forms allow-popups allow-modals"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "no-referrer"
    assert "X-Frame-Options" not in response
    body = response.content.decode()
    head = body.split("<head>", 1)[1]
    assert head.startswith("<script>window.PeerpathScorm=")
    assert "scorm-again-3.4.3/scorm12.min.js" in head
    assert "page-\\u003c/script\\u003e-3" in head  # saved data, escaped for a script element
    assert "</script>-3" not in body
    config = json.loads(head.split("window.PeerpathScorm=", 1)[1].split(";</script>", 1)[0])
    assert config["data"]["cmi.core.entry"] == "resume"
    assert config["data"]["cmi.core.student_name"] == org.member.display_name
    assert config["data"]["cmi.student_data.mastery_score"] == "80"
    assert config["commitUrl"] == commit_url(token)
    assert "LMSInitialize" in body


def test_other_files_are_streamed_with_their_type(org):
    module = package_module(org.lead)
    response = Client().get(file_url(token_for(org.member, module), "css/style.css"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    assert b"font-family" in b"".join(response.streaming_content)
    assert response["Content-Security-Policy"].startswith("sandbox ")


def test_a_preview_of_an_unpublished_module_plays_without_recording(org):
    module = package_module(org.lead, publish=False)
    body = Client().get(file_url(token_for(org.lead, module), "index.html")).content.decode()
    assert '"commitUrl":null' in body


@pytest.mark.parametrize("path", ["nothing.html", "../imsmanifest.xml", "css/../../x", "css"])
def test_missing_or_escaping_paths_are_not_found(org, path):
    module = package_module(org.lead)
    response = Client().get(file_url(token_for(org.member, module), path))
    assert response.status_code == 404


def test_a_tampered_token_is_refused(org):
    module = package_module(org.lead)
    token = token_for(org.member, module)
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert Client().get(file_url(forged, "index.html")).status_code == 403
    assert post_commit(forged, {"cmi.core.lesson_status": "passed"}).status_code == 403
    assert not ScormSession.objects.exists()


def test_an_expired_token_is_refused(org, settings):
    settings.PEERPATH_SCORM_PLAY_HOURS = 2
    module = package_module(org.lead)
    token = token_for(org.member, module)
    with time_machine.travel(timezone.now() + timezone.timedelta(hours=3)):
        assert Client().get(file_url(token, "index.html")).status_code == 403
        assert post_commit(token, {"cmi.core.lesson_status": "passed"}).status_code == 403
    assert not ScormSession.objects.exists()


def test_a_token_cannot_be_rewritten_to_name_another_learner(org):
    module = package_module(org.lead)
    token = token_for(org.member, module)
    rest = token.split(":", 1)[1]
    value = signing.loads(token, salt="peerpath.learning.scorm-play")
    value[0] = org.outsider.public_id.hex
    other_payload = signing.dumps(value, salt="peerpath.learning.scorm-play").split(":", 1)[0]
    forged = f"{other_payload}:{rest}"
    assert post_commit(forged, {"cmi.core.lesson_status": "passed"}).status_code == 403
    assert not ModuleProgress.objects.filter(user=org.outsider).exists()


def test_a_learners_token_writes_only_their_own_data_whoever_sends_it(org, client_for):
    module = package_module(org.lead)
    token = token_for(org.member, module)
    # Even from another learner's signed-in browser, the token names the member.
    response = client_for(org.outsider).post(
        commit_url(token),
        json.dumps({"cmi.core.lesson_status": "passed"}),
        content_type="text/plain",
    )
    assert response.status_code == 200
    assert ModuleProgress.objects.get(user=org.member).status == "completed"
    assert not ModuleProgress.objects.filter(user=org.outsider).exists()


def test_a_replaced_package_ends_old_tokens(org):
    module = package_module(org.lead)
    token = token_for(org.member, module)
    content_services.module_attach_package(
        actor=org.lead, module=module, upload=fx.upload(fx.scorm2004_zip())
    )
    content_services.module_publish(actor=org.lead, module=module)
    assert Client().get(file_url(token, "index.html")).status_code == 403


# --- The commit endpoint --------------------------------------------------------------------


def test_commit_answers_the_runtime_and_allows_the_sandboxed_origin(org):
    module = package_module(org.lead)
    response = post_commit(
        token_for(org.member, module),
        {"cmi.core.lesson_status": "completed", "cmi.core.score.raw": "70"},
    )
    assert response.status_code == 200
    assert response.json() == {"result": "true", "errorCode": 0}
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response
    progress = ModuleProgress.objects.get(user=org.member)
    assert (progress.status, progress.score) == ("completed", Decimal("70.00"))


def test_commit_preflight_is_answered(org):
    module = package_module(org.lead)
    response = Client().options(commit_url(token_for(org.member, module)))
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "POST" in response["Access-Control-Allow-Methods"]


@pytest.mark.parametrize(
    "body",
    ["not json", "[1, 2]", json.dumps({"evil.key": "x"}), json.dumps({"cmi.x": {"a": 1}})],
)
def test_malformed_commits_are_refused_and_store_nothing(org, body):
    module = package_module(org.lead)
    response = Client().post(
        commit_url(token_for(org.member, module)), body, content_type="text/plain"
    )
    assert response.status_code == 400
    assert response.json()["result"] == "false"
    assert not ScormSession.objects.exists()


def test_oversized_commits_are_refused(org, settings):
    settings.PEERPATH_SCORM_MAX_COMMIT_BYTES = 1000
    module = package_module(org.lead)
    response = post_commit(token_for(org.member, module), {"cmi.suspend_data": "x" * 2000})
    assert response.status_code == 413
    assert not ScormSession.objects.exists()


# --- The module page ------------------------------------------------------------------------


def test_module_page_embeds_a_sandboxed_titled_player(org, client_for):
    module = package_module(org.lead)
    page = (
        client_for(org.member)
        .get(reverse("learning:module", args=[module.public_id, module.slug]))
        .content.decode()
    )
    assert '<iframe class="player__frame" title="Phone etiquette (SCORM package)"' in page
    assert 'sandbox="allow-scripts allow-forms allow-popups allow-modals"' in page
    assert "allow-same-origin" not in page
    assert "/scorm/play/" in page
    assert "/index.html" in page
    assert "Open full screen" in page
    assert "Mark as complete" not in page


def test_status_line_follows_progress(org, client_for):
    module = package_module(org.lead)
    services.scorm_commit(
        user=org.member,
        module=module,
        package=module.package,
        data={"cmi.core.lesson_status": "passed", "cmi.core.score.raw": "85"},
    )
    response = client_for(org.member).get(
        reverse("learning:package_status", args=[module.public_id])
    )
    body = response.content.decode()
    assert "Completed" in body
    assert "Passed" in body
    assert "Score 85%" in body
    assert 'hx-swap-oob="true"' in body


def test_an_editor_sees_an_upload_link_when_no_package_is_attached(org, client_for):
    module = ModuleFactory(
        author=org.lead, kind=ModuleKind.PACKAGE, body_markdown="", publish=False
    )
    page = (
        client_for(org.lead)
        .get(reverse("learning:module", args=[module.public_id, module.slug]))
        .content.decode()
    )
    assert reverse("content:package", args=[module.public_id]) in page
