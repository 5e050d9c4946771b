from django.urls import path

from peerpath.lrs import views

app_name = "lrs"

urlpatterns = [
    path("statements", views.statements, name="statements"),
    path("about", views.about, name="about"),
]
