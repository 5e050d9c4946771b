from django.urls import path

from peerpath.schedule import team_views, views

app_name = "schedule"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("request/", views.request_new, name="request"),
    path("requests/<uuid:public_id>/", views.request_detail, name="request_detail"),
    path("requests/<uuid:public_id>/cancel/", views.request_cancel, name="request_cancel"),
    path("requests/<uuid:public_id>/move/", views.request_move, name="request_move"),
    path("series/<uuid:public_id>/", views.series_detail, name="series_detail"),
    path("series/<uuid:public_id>/cancel/", views.series_cancel, name="series_cancel"),
    path("calendar/new/", views.calendar_create, name="calendar_create"),
    path("calendar/revoke/", views.calendar_revoke, name="calendar_revoke"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("teams/", team_views.teams, name="teams"),
    path("approvals/", views.approvals, name="approvals"),
    path("approvals/approve/", views.approve_bulk, name="approve_bulk"),
    path("approvals/<uuid:public_id>/approve/", views.approve, name="approve"),
    path("approvals/<uuid:public_id>/decline/", views.decline, name="decline"),
    path("decide/<str:token>/", views.decide_link, name="decide_link"),
    path("delegation/", views.delegation, name="delegation"),
    path("delegation/<int:pk>/end/", views.delegation_end, name="delegation_end"),
    path("teams/<slug:slug>/", team_views.team_week, name="team_week"),
    path("teams/<slug:slug>/settings/", team_views.team_settings, name="team_settings"),
    path("teams/<slug:slug>/blackouts/", team_views.blackout_add, name="blackout_add"),
    path(
        "teams/<slug:slug>/blackouts/<int:pk>/remove/",
        team_views.blackout_remove,
        name="blackout_remove",
    ),
    path("teams/<slug:slug>/coverage/", team_views.coverage_add, name="coverage_add"),
    path(
        "teams/<slug:slug>/coverage/<int:pk>/remove/",
        team_views.coverage_remove,
        name="coverage_remove",
    ),
    path("teams/<slug:slug>/shifts/", team_views.shift_import, name="shift_import"),
]
