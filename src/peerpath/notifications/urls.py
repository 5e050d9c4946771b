"""Notification pages: the list, the bell, preferences and one-click unsubscribe."""

from django.urls import URLPattern, URLResolver

app_name = "notifications"

urlpatterns: list[URLPattern | URLResolver] = []
