from django.apps import AppConfig


class ScheduleConfig(AppConfig):
    name = "peerpath.schedule"
    label = "schedule"
    verbose_name = "Learning time"
