"""Social learning's pages. Each area keeps its routes together under its heading."""

from django.urls import URLPattern, URLResolver, path

from peerpath.social import summary_views

app_name = "social"

urlpatterns: list[URLPattern | URLResolver] = [
    # --- Feed ----------------------------------------------------------------------------
    # --- Profiles, follows, shares and notes -------------------------------------------
    # --- Summaries and endorsements ------------------------------------------------------
    path(
        "summaries/module/<uuid:public_id>/",
        summary_views.module_summaries,
        name="summaries",
    ),
    path(
        "summaries/module/<uuid:public_id>/more/",
        summary_views.module_summaries_more,
        name="summaries_more",
    ),
    path(
        "summaries/module/<uuid:public_id>/top/",
        summary_views.module_summary_top,
        name="summary_top",
    ),
    path(
        "summaries/module/<uuid:public_id>/write/",
        summary_views.summary_write,
        name="summary_write",
    ),
    path("summaries/promoted/", summary_views.promoted, name="summaries_promoted"),
    path("summaries/<uuid:public_id>/vote/", summary_views.summary_vote, name="summary_vote"),
    path("summaries/<uuid:public_id>/edit/", summary_views.summary_edit, name="summary_edit"),
    path("summaries/<uuid:public_id>/report/", summary_views.summary_report, name="summary_report"),
    path(
        "summaries/<uuid:public_id>/audience/",
        summary_views.summary_audience,
        name="summary_audience",
    ),
    # --- Discussions and moderation ------------------------------------------------------
]
