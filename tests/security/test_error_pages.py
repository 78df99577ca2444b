"""Refusals and errors are shown in Chinese, with the view's reason, never Django's English pages."""

from django.template.loader import render_to_string
from django.test import Client


def test_forbidden_page_is_chinese_with_reason(demo_year, cast):
    client = Client()
    client.force_login(cast["outsider"])

    response = client.get("/2023/results/")

    assert response.status_code == 403
    text = response.content.decode()
    assert "无权访问（403）" in text
    assert "Forbidden" not in text


def test_not_found_page_is_chinese(demo_year, cast):
    client = Client()
    client.force_login(cast["lead"])

    response = client.get("/ledger/evidence/999999/")

    assert response.status_code == 404
    assert "页面不存在（404）" in response.content.decode()


def test_server_error_page_is_chinese_without_context():
    # Django renders 500.html with no context; it must not need the request or the database.
    assert "系统出错了（500）" in render_to_string("500.html")
