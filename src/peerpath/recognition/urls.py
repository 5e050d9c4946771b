"""Recognition's pages. Each area keeps its routes together under its heading."""

from django.urls import URLPattern, URLResolver, path

from peerpath.recognition import credential_views, points_views

app_name = "recognition"

urlpatterns: list[URLPattern | URLResolver] = [
    # --- Certifications and certificates -------------------------------------------
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
]
