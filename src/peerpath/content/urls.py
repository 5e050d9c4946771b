from django.urls import path

from peerpath.content import views

app_name = "content"
urlpatterns = [
    path("", views.my_modules, name="mine"),
    path("new/", views.module_new, name="new"),
    path("preview/", views.module_preview, name="preview"),
    path("assets/upload/", views.asset_upload, name="asset_upload"),
    path("<uuid:public_id>/document/", views.module_document, name="document"),
    path("<uuid:public_id>/edit/", views.module_edit, name="edit"),
    path("<uuid:public_id>/publish/", views.module_publish, name="publish"),
    path("<uuid:public_id>/unpublish/", views.module_unpublish, name="unpublish"),
    path("<uuid:public_id>/autosave/", views.module_autosave, name="autosave"),
    path("<uuid:public_id>/discard/", views.module_discard, name="discard"),
    path("<uuid:public_id>/history/", views.module_history, name="history"),
    path("<uuid:public_id>/package/", views.module_package, name="package"),
    path("<uuid:public_id>/history/<int:number>/restore/", views.module_restore, name="restore"),
]
