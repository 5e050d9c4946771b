from django.urls import path

from peerpath.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon),
    path("_calibration/", views.calibration, name="calibration"),
]
