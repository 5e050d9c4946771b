from django.urls import path

from peerpath.curation import views

app_name = "curation"
urlpatterns = [
    path("learn/quality/<uuid:public_id>/", views.panel, name="panel"),
    path("learn/quality/<uuid:public_id>/rate/", views.rate, name="rate"),
    path("learn/quality/<uuid:public_id>/flag/", views.flag, name="flag"),
    path("learn/quality/<uuid:public_id>/nominate/", views.nominate, name="nominate"),
    path("learn/quality/<uuid:public_id>/confirm/", views.confirm, name="confirm"),
    path("review/", views.review_queue, name="reviews"),
    path("review/mine/", views.my_standing, name="mine"),
    path("review/<uuid:public_id>/", views.review_detail, name="review"),
    path("review/<uuid:public_id>/comment/", views.review_comment, name="comment"),
    path("review/<uuid:public_id>/decide/", views.review_decide, name="decide"),
    path("review/reports/", views.queue, name="queue"),
    path("review/reports/<uuid:public_id>/close/", views.close_flag, name="close"),
]
