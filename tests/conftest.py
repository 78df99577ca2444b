"""Shared fixtures: the demo year and the fixed cast of users (one per role) for permission tests."""

import os

import pytest
from django.contrib.auth import get_user_model

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright + live_server


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo_year(db):
    """The demo year 2023 (fixtures/demo/2023.json) with its users; returns the AssessmentYear."""
    from departments.demo import demo_load
    from scoring.models import AssessmentYear

    demo_load()
    return AssessmentYear.objects.select_related("scheme").get(year=2023)


@pytest.fixture
def cast(demo_year):
    """Users by key: the demo accounts (see departments.demo.DEMO_USERS) plus "outsider" with no role."""
    from departments.demo import DEMO_USERS

    User = get_user_model()
    users = {u.username: u for u in User.objects.filter(username__in=[row[0] for row in DEMO_USERS])}
    users["outsider"], _ = User.objects.get_or_create(username="outsider", defaults={"first_name": "无角色用户"})
    return users
