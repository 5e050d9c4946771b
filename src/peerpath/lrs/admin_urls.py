from django.urls import path

from peerpath.lrs import admin_views

app_name = "lrs_admin"

urlpatterns = [
    path("admin/learning-record/", admin_views.record_export, name="export"),
    path(
        "admin/learning-record/statements.<str:fmt>",
        admin_views.record_export_download,
        name="download",
    ),
    path("admin/lrs-keys/", admin_views.keys, name="keys"),
    path("admin/lrs-keys/<str:key>/revoke/", admin_views.key_revoke, name="revoke"),
]
