from django.urls import path

from peerpath.curation import views

app_name = "curation"
urlpatterns = [
    path("learn/quality/<uuid:public_id>/", views.panel, name="panel"),
    path("learn/quality/<uuid:public_id>/rate/", views.rate, name="rate"),
    path("learn/quality/<uuid:public_id>/flag/", views.flag, name="flag"),
    path("review/reports/", views.queue, name="queue"),
    path("review/reports/<uuid:public_id>/close/", views.close_flag, name="close"),
]
