from django.apps import AppConfig


class RecognitionConfig(AppConfig):
    name = "peerpath.recognition"
    label = "recognition"
    verbose_name = "Recognition"

    def ready(self) -> None:
        # Reactions to learning, content and curation events (points, badges, streaks,
        # certifications, credentials) subscribe to the event bus here.
        from peerpath.recognition import handlers

        handlers.subscribe_all()
