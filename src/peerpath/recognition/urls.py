"""Recognition's pages. Each area keeps its routes together under its heading."""

from django.urls import URLPattern, URLResolver, path

from peerpath.recognition import certification_views as certs
from peerpath.recognition import credential_views, kudos_views, leaderboard_views, points_views

app_name = "recognition"

urlpatterns: list[URLPattern | URLResolver] = [
    # --- Certifications and certificates -------------------------------------------
    path("certifications/", certs.catalog, name="certifications"),
    path("certifications/new/", certs.define, name="certification_new"),
    path("certifications/mine/", certs.mine, name="my_certifications"),
    path("certifications/sign-offs/", certs.sign_offs, name="sign_offs"),
    path(
        "certifications/sign-offs/<uuid:public_id>/approve/",
        certs.sign_off_decide,
        {"decision": "approve"},
        name="sign_off_approve",
    ),
    path(
        "certifications/sign-offs/<uuid:public_id>/decline/",
        certs.sign_off_decide,
        {"decision": "decline"},
        name="sign_off_decline",
    ),
    path("certifications/id/<uuid:public_id>/", certs.by_id, name="certification_by_id"),
    path("certifications/<slug:slug>/", certs.detail, name="certification"),
    path("certifications/<slug:slug>/edit/", certs.edit, name="certification_edit"),
    path("certifications/<slug:slug>/retire/", certs.retire, name="certification_retire"),
    path("certifications/<slug:slug>/holders/", certs.holders, name="certification_holders"),
    path("certifications/<slug:slug>/award/", certs.award, name="certification_award"),
    path("certifications/<slug:slug>/sign-off/", certs.sign_off_ask, name="sign_off_ask"),
    path("certificates/<uuid:public_id>/", certs.certificate, name="certificate"),
    path(
        "certificates/<uuid:public_id>/certificate.pdf",
        certs.certificate_pdf,
        name="certificate_pdf",
    ),
    path(
        "certificates/<uuid:public_id>/verify/", certs.certificate_verify, name="certificate_verify"
    ),
    path(
        "certificates/<uuid:public_id>/revoke/", certs.certificate_revoke, name="certificate_revoke"
    ),
    # --- Verifiable credentials ----------------------------------------------------
    path(".well-known/jwks.json", credential_views.jwks, name="jwks"),
    path("credentials/", credential_views.mine, name="credentials_mine"),
    path("credentials/issuer", credential_views.issuer, name="credential_issuer"),
    path("credentials/keys/<str:kid>", credential_views.key, name="credential_key"),
    path(
        "credentials/achievements/<str:kind>/<uuid:public_id>",
        credential_views.achievement,
        name="credential_achievement",
    ),
    path(
        "credentials/status/<int:list_number>",
        credential_views.status_list,
        name="credential_status_list",
    ),
    path("credentials/verify/", credential_views.verify_page, name="credential_verify"),
    path("credentials/verify.json", credential_views.verify_api, name="credential_verify_api"),
    path("credentials/manage/", credential_views.manage, name="credentials_manage"),
    path("credentials/signing-keys/", credential_views.signing_keys, name="signing_keys"),
    path(
        "credentials/<uuid:public_id>.jwt",
        credential_views.download,
        name="credential_download",
    ),
    path(
        "credentials/<uuid:public_id>.json",
        credential_views.credential_json,
        name="credential_json",
    ),
    path(
        "credentials/<uuid:public_id>/revoke/",
        credential_views.revoke,
        name="credential_revoke",
    ),
    # --- Points, levels, streaks and badges ----------------------------------------
    path("recognition/", points_views.mine, name="mine"),
    path("recognition/people/", points_views.people_list, name="people"),
    path(
        "recognition/people/<uuid:public_id>/",
        points_views.person_ledger,
        name="person_ledger",
    ),
    path(
        "recognition/people/<uuid:public_id>/recompute/",
        points_views.person_recompute,
        name="person_recompute",
    ),
    path(
        "recognition/people/<uuid:public_id>/away/",
        points_views.person_away,
        name="person_away",
    ),
    path("recognition/entries/<int:pk>/reverse/", points_views.entry_reverse, name="reverse"),
    path("recognition/away/", points_views.my_away, name="my_away"),
    path("recognition/away/<int:pk>/remove/", points_views.away_remove, name="away_remove"),
    path("badges/", points_views.gallery, name="badges"),
    path("badges/manage/", points_views.badge_admin, name="badge_admin"),
    path("badges/manage/new/", points_views.badge_new, name="badge_new"),
    path("badges/manage/<slug:slug>/edit/", points_views.badge_edit, name="badge_edit"),
    path("badges/manage/<slug:slug>/retire/", points_views.badge_retire, name="badge_retire"),
    path("badges/<slug:slug>.svg", points_views.badge_image, name="badge_image"),
    # --- Leaderboards and kudos ------------------------------------------------------
    path("leaderboards/", leaderboard_views.board, name="leaderboards"),
    path(
        "leaderboards/preference/",
        leaderboard_views.preference,
        name="leaderboard_preference",
    ),
    path("leaderboards/teams/", leaderboard_views.teams, name="leaderboard_teams"),
    path(
        "leaderboards/teams/<slug:slug>/switch/",
        leaderboard_views.team_switch,
        name="leaderboard_team_switch",
    ),
    path("kudos/people/<uuid:public_id>/", kudos_views.received, name="kudos_received"),
    path("kudos/people/<uuid:public_id>/give/", kudos_views.give, name="kudos_give"),
    path("kudos/<uuid:public_id>/hide/", kudos_views.hide, name="kudos_hide"),
]
