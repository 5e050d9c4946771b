from django.urls import path

from peerpath.skills import views

app_name = "skills"
urlpatterns = [
    path("admin/skills/", views.admin_skills, name="admin"),
    path("admin/skills/<slug:slug>/", views.admin_skill_edit, name="edit"),
]
