from django.apps import AppConfig


class CurationConfig(AppConfig):
    name = "peerpath.curation"
    label = "curation"

    def ready(self) -> None:
        from peerpath.core import events
        from peerpath.curation import services

        events.subscribe(events.ModulePublished, services.on_module_published)
