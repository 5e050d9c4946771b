from django.contrib.auth.decorators import login_not_required
from django.templatetags.static import static
from django.urls import path
from django.views.generic import RedirectView

from peerpath.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path(
        "favicon.ico",
        login_not_required(RedirectView.as_view(url=static("peerpath/img/favicon.svg"))),
    ),
    path("_calibration/", views.calibration, name="calibration"),
]
