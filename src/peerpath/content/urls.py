from django.urls import path

from peerpath.content import path_views, views

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
    # Learning paths
    path("paths/", path_views.my_paths, name="paths"),
    path("paths/new/", path_views.path_new, name="path_new"),
    path("paths/<uuid:public_id>/", path_views.path_edit, name="path_edit"),
    path("paths/<uuid:public_id>/editors/", path_views.path_editors, name="path_editors"),
    path("paths/<uuid:public_id>/cover/", path_views.path_cover, name="path_cover"),
    path("paths/<uuid:public_id>/publish/", path_views.path_publish, name="path_publish"),
    path("paths/<uuid:public_id>/unpublish/", path_views.path_unpublish, name="path_unpublish"),
    path("paths/<uuid:public_id>/delete/", path_views.path_delete, name="path_delete"),
    path("paths/<uuid:public_id>/sections/", path_views.section_add, name="path_section_add"),
    path(
        "paths/<uuid:public_id>/sections/<int:section_id>/rename/",
        path_views.section_rename,
        name="path_section_rename",
    ),
    path(
        "paths/<uuid:public_id>/sections/<int:section_id>/move/",
        path_views.section_move,
        name="path_section_move",
    ),
    path(
        "paths/<uuid:public_id>/sections/<int:section_id>/remove/",
        path_views.section_remove,
        name="path_section_remove",
    ),
    path(
        "paths/<uuid:public_id>/sections/<int:section_id>/search/",
        path_views.module_search,
        name="path_module_search",
    ),
    path(
        "paths/<uuid:public_id>/sections/<int:section_id>/add/",
        path_views.step_add,
        name="path_step_add",
    ),
    path(
        "paths/<uuid:public_id>/steps/<int:step_id>/move/",
        path_views.step_move,
        name="path_step_move",
    ),
    path(
        "paths/<uuid:public_id>/steps/<int:step_id>/remove/",
        path_views.step_remove,
        name="path_step_remove",
    ),
    path(
        "paths/<uuid:public_id>/steps/<int:step_id>/prerequisites/",
        path_views.step_prerequisites,
        name="path_step_prerequisites",
    ),
]
