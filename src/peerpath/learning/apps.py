from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "peerpath.learning"
    label = "learning"

    def ready(self) -> None:
        from peerpath.core import events
        from peerpath.learning import assignments

        events.subscribe(events.PeopleJoined, assignments.on_people_moved)
        events.subscribe(events.PeopleChanged, assignments.on_people_moved)
        events.subscribe(events.LearningRecorded, assignments.on_learning_recorded)
