"""Social learning's pages. Each area keeps its routes together under its heading."""

from django.urls import URLPattern, URLResolver, path

from peerpath.social import feed_views

app_name = "social"

urlpatterns: list[URLPattern | URLResolver] = [
    # --- Feed ----------------------------------------------------------------------------
    path("feed/more/", feed_views.feed_more, name="feed_more"),
    path("feed/items/<uuid:public_id>/like/", feed_views.like, name="feed_like"),
    path("feed/items/<uuid:public_id>/comments/", feed_views.comments, name="feed_comments"),
    path("feed/modules/<uuid:public_id>/save/", feed_views.save, name="feed_save"),
    path("feed/approvals/<uuid:public_id>/approve/", feed_views.approve, name="feed_approve"),
    path("feed/approvals/<uuid:public_id>/decline/", feed_views.decline, name="feed_decline"),
    # --- Profiles, follows, shares and notes -------------------------------------------
    # --- Summaries and endorsements ------------------------------------------------------
    # --- Discussions and moderation ------------------------------------------------------
]
