"""Recognition's pages. Each area keeps its routes together under its heading."""

from django.urls import URLPattern, URLResolver, path

from peerpath.recognition import kudos_views, leaderboard_views

app_name = "recognition"

urlpatterns: list[URLPattern | URLResolver] = [
    # --- Certifications and certificates -------------------------------------------
    # --- Verifiable credentials ----------------------------------------------------
    # --- Points, levels, streaks and badges ----------------------------------------
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
