from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "peerpath.learning"
    label = "learning"
