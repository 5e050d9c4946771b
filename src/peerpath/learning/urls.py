from django.urls import path

from peerpath.learning import assignment_views, views

app_name = "learning"
urlpatterns = [
    path("learn/", views.catalog, name="catalog"),
    path("learn/mine/", views.my_learning, name="mine"),
    path("learn/goals/", views.goal_create, name="goal_create"),
    path("learn/goals/<uuid:public_id>/archive/", views.goal_archive, name="goal_archive"),
    path("learn/save/<uuid:public_id>/", views.module_save, name="save"),
    path("learn/complete/<uuid:public_id>/", views.module_complete, name="complete"),
    path("learn/quiz/<uuid:public_id>/", views.quiz_panel, name="quiz"),
    path("learn/quiz/<uuid:public_id>/submit/", views.quiz_submit, name="quiz_submit"),
    path("learn/m/<uuid:public_id>/player-status/", views.package_status, name="package_status"),
    path("learn/position/<uuid:public_id>/", views.module_position, name="position"),
    path("learn/time/<uuid:public_id>/", views.module_time, name="time"),
    path("learn/m/<uuid:public_id>/", views.module_detail, name="module_short"),
    path("learn/m/<uuid:public_id>/<slug:slug>/", views.module_detail, name="module"),
    path("learn/paths/<uuid:public_id>/<slug:slug>/", views.path_detail, name="path"),
    path("scorm/play/<str:token>/<path:path>", views.scorm_file, name="scorm_file"),
    path("scorm/commit/<str:token>", views.scorm_commit, name="scorm_commit"),
    path("learn/assignments/", assignment_views.assignments, name="assignments"),
    path("learn/assignments/new/", assignment_views.assignment_new, name="assignment_new"),
    path(
        "learn/assignments/<uuid:public_id>/",
        assignment_views.assignment_detail,
        name="assignment",
    ),
    path(
        "learn/assignments/<uuid:public_id>/dates/",
        assignment_views.assignment_change_due,
        name="assignment_change_due",
    ),
    path(
        "learn/assignments/<uuid:public_id>/withdraw/",
        assignment_views.assignment_withdraw,
        name="assignment_withdraw",
    ),
    path("team/", views.my_team, name="team"),
    path("team/<uuid:public_id>/", views.person_learning, name="person"),
]
