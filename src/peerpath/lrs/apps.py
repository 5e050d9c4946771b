from django.apps import AppConfig


class LrsConfig(AppConfig):
    name = "peerpath.lrs"
    label = "lrs"
    verbose_name = "Learning Record Store"
