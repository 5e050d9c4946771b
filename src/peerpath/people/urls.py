from django.urls import path

from peerpath.people import views

app_name = "people"
urlpatterns = [
    path("profile/", views.my_profile, name="me"),
    path("profile/edit/", views.profile_edit, name="edit"),
    path("people/<uuid:public_id>/", views.profile, name="profile"),
    path("admin/", views.admin_home, name="admin_home"),
    path("admin/people/", views.admin_people, name="admin_people"),
    path("admin/people/import/", views.admin_import, name="admin_import"),
    path("admin/people/export.csv", views.admin_export, name="admin_export"),
    path("admin/people/<uuid:public_id>/", views.admin_person_edit, name="admin_person_edit"),
    path(
        "admin/people/<uuid:public_id>/active/",
        views.admin_person_active,
        name="admin_person_active",
    ),
    path("admin/job-roles/", views.admin_job_roles, name="admin_job_roles"),
    path("admin/teams/", views.admin_teams, name="admin_teams"),
]
