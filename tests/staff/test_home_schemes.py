"""The home page and the navigation of the review group on a scheme of another 机关: the card and link of suggested
records name the scheme's plan shortfall rule, and are not offered when the scheme has none."""

import pytest
from django.urls import reverse

from departments.models import Department, Role
from tests.factories import UserFactory, YearFactory
from tests.schemes import small_scheme
from tests.workplans.conftest import submitted_report

pytestmark = pytest.mark.django_db


def _home(client, **scheme) -> dict[str, str]:
    """The home pages of the 办公室 reviewer and of the lead, in 2023 on the small scheme, with one suggestion."""
    year = YearFactory(year=2023, scheme=small_scheme(**scheme), departments=["办公室", "组织部"])
    office, zzb = Department.objects.get(name="办公室"), Department.objects.get(name="组织部")
    users = {
        "reviewer": UserFactory(username="reviewer", role=Role.REVIEWER, role__department=office),
        "lead": UserFactory(username="lead", role=Role.REVIEW_LEAD),
    }
    submitted_report(year, zzb, UserFactory(username="head", role=Role.DEPARTMENT_HEAD, role__department=zzb))
    pages = {}
    for who, user in users.items():
        client.force_login(user)
        response = client.get(reverse("home"))
        assert response.status_code == 200, who
        pages[who] = " ".join(response.content.decode().split())
    return pages


@pytest.mark.parametrize("who", ["reviewer", "lead"])
def test_home_of_the_review_group_on_a_scheme_without_plan_shortfall_rule(client, who):
    page = _home(client)[who]

    assert '<h2 class="h5 card-title">考核结果与对照</h2> <p>各部室得分随台帐实时计算。</p>' in page
    assert "扣分建议" not in page and "建议</a>" not in page and "/2023/t4/" not in page


@pytest.mark.parametrize("who", ["reviewer", "lead"])
def test_home_of_the_review_group_names_the_schemes_plan_shortfall_rule(client, who):
    page = _home(client, plan_shortfall_rule="J1")[who]

    assert (
        '<h2 class="h5 card-title">J1 扣分建议</h2> <p>待处理：<strong>1</strong> 项（计划事项因自身原因未完成）</p>'
        in page
    )
    assert '<a class="btn btn-danger btn-sm" href="/2023/t4/">处理 J1 建议</a>' in page
    assert '<a class="nav-link" href="/2023/t4/">J1 建议</a>' in page
    assert "T4" not in page
