"""ASGI entry point for Peerpath."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peerpath.settings")
application = get_asgi_application()
