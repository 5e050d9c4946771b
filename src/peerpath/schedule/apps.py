from django.apps import AppConfig


class ScheduleConfig(AppConfig):
    name = "peerpath.schedule"
    label = "schedule"
    verbose_name = "Learning time"

    def ready(self) -> None:
        from peerpath.core import permissions
        from peerpath.schedule import selectors

        permissions.use_delegation_lookup(selectors.managers_delegating_to)
