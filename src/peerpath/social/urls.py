"""Social learning's pages. Each area keeps its routes together under its heading."""

from django.urls import URLPattern, URLResolver, path

from peerpath.social import (
    discussion_views,
    feed_views,
    moderation_views,
    note_views,
    profile_views,
    share_views,
    summary_views,
)

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
    path("people/<uuid:public_id>/follow/", profile_views.follow, name="follow"),
    path("people/<uuid:public_id>/followers/", profile_views.followers, name="followers"),
    path("people/<uuid:public_id>/following/", profile_views.following, name="following"),
    path("people/<uuid:public_id>/notes/", profile_views.person_notes, name="person_notes"),
    path("profile/social/", profile_views.profile_settings, name="profile_settings"),
    path("skills/<slug:slug>/follow/", profile_views.skill_follow, name="skill_follow"),
    path("share/module/<uuid:public_id>/", share_views.share_module, name="share_module"),
    path("share/path/<uuid:public_id>/", share_views.share_path, name="share_path"),
    path("share/options/", share_views.share_options, name="share_options"),
    path(
        "recommended/module/<uuid:public_id>/",
        share_views.module_recommended,
        name="module_recommended",
    ),
    path(
        "recommended/path/<uuid:public_id>/",
        share_views.path_recommended,
        name="path_recommended",
    ),
    path("notes/", note_views.my_notes, name="my_notes"),
    path("notes/export.md", note_views.export_markdown, name="notes_export_md"),
    path("notes/export.csv", note_views.export_csv, name="notes_export_csv"),
    path("notes/module/<uuid:public_id>/", note_views.module_notes, name="module_notes"),
    path(
        "notes/module/<uuid:public_id>/public/",
        note_views.module_public_notes,
        name="module_public_notes",
    ),
    path("notes/<uuid:public_id>/", note_views.note_row, name="note_row"),
    path("notes/<uuid:public_id>/edit/", note_views.note_edit, name="note_edit"),
    path("notes/<uuid:public_id>/publish/", note_views.note_publish, name="note_publish"),
    path("notes/<uuid:public_id>/delete/", note_views.note_delete, name="note_delete"),
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
    path(
        "discussions/module/<uuid:public_id>/",
        discussion_views.module_discussion,
        name="module_discussion",
    ),
    path(
        "discussions/module/<uuid:public_id>/post/",
        discussion_views.module_thread_start,
        name="module_thread_start",
    ),
    path(
        "discussions/path/<uuid:public_id>/",
        discussion_views.path_discussion,
        name="path_discussion",
    ),
    path(
        "discussions/path/<uuid:public_id>/post/",
        discussion_views.path_thread_start,
        name="path_thread_start",
    ),
    path("discussions/people/", discussion_views.mention_people, name="mention_people"),
    path("discussions/t/<uuid:public_id>/", discussion_views.thread, name="thread"),
    path("discussions/t/<uuid:public_id>/lock/", discussion_views.lock, name="thread_lock"),
    path("discussions/c/<uuid:public_id>/", discussion_views.post, name="post"),
    path("discussions/c/<uuid:public_id>/reply/", discussion_views.reply, name="reply"),
    path("discussions/c/<uuid:public_id>/edit/", discussion_views.edit, name="edit"),
    path("discussions/c/<uuid:public_id>/history/", discussion_views.history, name="history"),
    path("discussions/c/<uuid:public_id>/react/", discussion_views.react, name="react"),
    path("discussions/c/<uuid:public_id>/accept/", discussion_views.accept, name="accept"),
    path("discussions/c/<uuid:public_id>/report/", discussion_views.report, name="report"),
    path("discussions/c/<uuid:public_id>/hide/", discussion_views.hide, name="hide"),
    path("moderation/", moderation_views.queue, name="moderation"),
    path("moderation/<uuid:public_id>/", moderation_views.decide, name="moderation_decide"),
    path(
        "moderation/report/summary/<uuid:public_id>/",
        moderation_views.report_summary,
        name="report_summary",
    ),
    path(
        "moderation/report/note/<uuid:public_id>/",
        moderation_views.report_note,
        name="report_note",
    ),
]
