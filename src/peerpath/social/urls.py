"""Social learning's pages. Each area keeps its routes together under its heading."""

from django.urls import URLPattern, URLResolver, path

from peerpath.social import note_views, profile_views, share_views

app_name = "social"

urlpatterns: list[URLPattern | URLResolver] = [
    # --- Feed ----------------------------------------------------------------------------
    # --- Profiles, follows, shares and notes -------------------------------------------
    path("people/<uuid:public_id>/follow/", profile_views.follow, name="follow"),
    path("people/<uuid:public_id>/followers/", profile_views.followers, name="followers"),
    path("people/<uuid:public_id>/following/", profile_views.following, name="following"),
    path("people/<uuid:public_id>/notes/", profile_views.person_notes, name="person_notes"),
    path("profile/social/", profile_views.profile_settings, name="profile_settings"),
    path("skills/<slug:slug>/follow/", profile_views.skill_follow, name="skill_follow"),
    path("share/module/<uuid:public_id>/", share_views.share_module, name="share_module"),
    path("share/path/<uuid:public_id>/", share_views.share_path, name="share_path"),
    path("share/options/", share_views.share_options, name="share_options"),
    path(
        "recommended/module/<uuid:public_id>/",
        share_views.module_recommended,
        name="module_recommended",
    ),
    path(
        "recommended/path/<uuid:public_id>/",
        share_views.path_recommended,
        name="path_recommended",
    ),
    path("notes/", note_views.my_notes, name="my_notes"),
    path("notes/export.md", note_views.export_markdown, name="notes_export_md"),
    path("notes/export.csv", note_views.export_csv, name="notes_export_csv"),
    path("notes/module/<uuid:public_id>/", note_views.module_notes, name="module_notes"),
    path(
        "notes/module/<uuid:public_id>/public/",
        note_views.module_public_notes,
        name="module_public_notes",
    ),
    path("notes/<uuid:public_id>/", note_views.note_row, name="note_row"),
    path("notes/<uuid:public_id>/edit/", note_views.note_edit, name="note_edit"),
    path("notes/<uuid:public_id>/publish/", note_views.note_publish, name="note_publish"),
    path("notes/<uuid:public_id>/delete/", note_views.note_delete, name="note_delete"),
    # --- Summaries and endorsements ------------------------------------------------------
    # --- Discussions and moderation ------------------------------------------------------
]
