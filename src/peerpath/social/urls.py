"""Social learning's pages. Each area keeps its routes together under its heading."""

from django.urls import URLPattern, URLResolver

app_name = "social"

urlpatterns: list[URLPattern | URLResolver] = [
    # --- Feed ----------------------------------------------------------------------------
    # --- Profiles, follows, shares and notes -------------------------------------------
    # --- Summaries and endorsements ------------------------------------------------------
    # --- Discussions and moderation ------------------------------------------------------
]
