"""WSGI entry point for Peerpath's app servers."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peerpath.settings")
application = get_wsgi_application()
