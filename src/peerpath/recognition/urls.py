"""Recognition's pages. Each area keeps its routes together under its heading."""

from django.urls import URLPattern, URLResolver, path

from peerpath.recognition import credential_views

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
    # --- Leaderboards and kudos ------------------------------------------------------
]
