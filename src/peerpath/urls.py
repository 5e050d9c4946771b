from django.contrib import admin
from django.urls import include, path

from peerpath.content.views import asset_file
from peerpath.core.views import media
from peerpath.lrs.views import my_record

urlpatterns = [
    path("", include("peerpath.core.urls")),
    path("learn/mine/record.json", my_record, name="my_record"),
    path("", include("peerpath.learning.urls")),
    path("", include("peerpath.people.urls")),
    path("", include("peerpath.skills.urls")),
    path("", include("peerpath.curation.urls")),
    path("create/", include("peerpath.content.urls")),
    path("time/", include("peerpath.schedule.urls")),
    path("", include("peerpath.recognition.urls")),
    path("", include("peerpath.social.urls")),
    path("notifications/", include("peerpath.notifications.urls")),
    path("xapi/", include("peerpath.lrs.urls")),
    path("", include("peerpath.lrs.admin_urls")),
    path("accounts/", include("allauth.urls")),
    path("django-admin/", admin.site.urls),
    path("media/assets/<uuid:public_id>/<path:name>", asset_file, name="asset_file"),
    path("media/<path:path>", media, name="media"),
]

handler400 = "peerpath.core.views.error_400"
handler403 = "peerpath.core.views.error_403"
handler404 = "peerpath.core.views.error_404"
handler500 = "peerpath.core.views.error_500"
