from django.apps import AppConfig


class CurationConfig(AppConfig):
    name = "peerpath.curation"
    label = "curation"
