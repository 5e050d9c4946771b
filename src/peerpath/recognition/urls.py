"""Recognition's pages. Each area keeps its routes together under its heading."""

from django.urls import URLPattern, URLResolver, path

from peerpath.recognition import certification_views as certs

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
    # --- Points, levels, streaks and badges ----------------------------------------
    # --- Leaderboards and kudos ------------------------------------------------------
]
