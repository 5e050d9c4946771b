"""Recognition's pages. Each area keeps its routes together under its heading."""

from django.urls import URLPattern, URLResolver, path

from peerpath.recognition import points_views

app_name = "recognition"

urlpatterns: list[URLPattern | URLResolver] = [
    # --- Certifications and certificates -------------------------------------------
    # --- Verifiable credentials ----------------------------------------------------
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
