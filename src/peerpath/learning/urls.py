from django.urls import path

from peerpath.learning import views

app_name = "learning"
urlpatterns = [
    path("learn/", views.catalog, name="catalog"),
    path("learn/mine/", views.my_learning, name="mine"),
    path("learn/complete/<uuid:public_id>/", views.module_complete, name="complete"),
    path("learn/position/<uuid:public_id>/", views.module_position, name="position"),
    path("learn/m/<uuid:public_id>/", views.module_detail, name="module_short"),
    path("learn/m/<uuid:public_id>/<slug:slug>/", views.module_detail, name="module"),
    path("learn/paths/<uuid:public_id>/<slug:slug>/", views.path_detail, name="path"),
    path("team/", views.my_team, name="team"),
    path("team/<uuid:public_id>/", views.person_learning, name="person"),
]
