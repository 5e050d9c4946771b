from django.apps import AppConfig


class LrsConfig(AppConfig):
    name = "peerpath.lrs"
    label = "lrs"
    verbose_name = "Learning Record Store"

    def ready(self) -> None:
        from peerpath.core import events
        from peerpath.lrs import recording

        events.subscribe(events.LearningRecorded, recording.on_learning_recorded)
