"""The WSGI application, as a deployment serves it: it refuses insecure settings (kaohe/deploy.py)."""

import os

from django.core.wsgi import get_wsgi_application

from kaohe.deploy import served_settings_check

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kaohe.settings")
application = get_wsgi_application()
served_settings_check()
