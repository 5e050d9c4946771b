from django.apps import AppConfig


class SkillsConfig(AppConfig):
    name = "peerpath.skills"
    label = "skills"
