"""Recognition's pages. Each area keeps its routes together under its heading."""

from django.urls import URLPattern, URLResolver

app_name = "recognition"

urlpatterns: list[URLPattern | URLResolver] = [
    # --- Certifications and certificates -------------------------------------------
    # --- Verifiable credentials ----------------------------------------------------
    # --- Points, levels, streaks and badges ----------------------------------------
    # --- Leaderboards and kudos ------------------------------------------------------
]
