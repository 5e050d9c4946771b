from django.apps import AppConfig


class SocialConfig(AppConfig):
    name = "peerpath.social"
    label = "social"
    verbose_name = "Social learning"

    def ready(self) -> None:
        # Activity for feeds is captured from other contexts' events, here only.
        from peerpath.social import handlers

        handlers.subscribe_all()
