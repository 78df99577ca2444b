"""The ASGI application, as a deployment serves it: it refuses insecure settings (kaohe/deploy.py)."""

import os

from django.core.asgi import get_asgi_application

from kaohe.deploy import served_settings_check

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kaohe.settings")
application = get_asgi_application()
served_settings_check()
