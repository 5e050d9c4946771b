from django.urls import path

from peerpath.content import views

app_name = "content"
urlpatterns = [
    path("", views.my_modules, name="mine"),
    path("new/", views.module_new, name="new"),
    path("<uuid:public_id>/edit/", views.module_edit, name="edit"),
    path("<uuid:public_id>/publish/", views.module_publish, name="publish"),
    path("<uuid:public_id>/unpublish/", views.module_unpublish, name="unpublish"),
]
