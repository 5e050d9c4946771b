from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "peerpath.content"
    label = "content"
