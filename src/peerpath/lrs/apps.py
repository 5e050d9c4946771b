from django.apps import AppConfig


class LrsConfig(AppConfig):
    name = "peerpath.lrs"
    label = "lrs"
    verbose_name = "Learning Record Store"

    def ready(self) -> None:
        from peerpath.core import events
        from peerpath.lrs import recording

        events.subscribe(events.LearningRecorded, recording.on_learning_recorded)
        events.subscribe(events.QuestionAnswered, recording.on_question_answered)
        events.subscribe(events.PathCompleted, recording.on_path_completed)
        events.subscribe(events.CertificationEarned, recording.on_certification_earned)
