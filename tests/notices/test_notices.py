"""Notices of the worklist: in-app (the menu's unread count, the list page marking them read), e-mail, and
`manage.py send_reminders` with its reminders before deadlines, idempotent."""

import datetime
import smtplib

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from departments.models import Department
from notices.models import Notice
from notices.services import notices_sync, reminders_send
from scoring.models import AssessmentYear
from tests.conftest import year_in_phase

Phase = AssessmentYear.Phase
END_OF_MAY = datetime.date(2023, 5, 29)  # May's report is due on the 31st: within the 3 days of a reminder


@pytest.fixture
def running_year(demo_year, cast):
    year_in_phase(demo_year, Phase.RUNNING)
    cast["head_bgs"].email = "bgs@example.org"
    cast["head_bgs"].save(update_fields=["email"])
    return demo_year


def test_send_reminders_notifies_reminds_and_mails_once(running_year, cast, mailoutbox):
    run = reminders_send(today=END_OF_MAY)

    rows = Notice.objects.filter(user=cast["head_bgs"]).order_by("kind", "-key")
    assert [(n.kind, n.title, n.deadline) for n in rows] == [
        ("item", "5月计划和小结待提交", datetime.date(2023, 5, 31)),
        ("item", "4月计划和小结逾期未提交", datetime.date(2023, 4, 30)),
        ("item", "3月计划和小结逾期未提交", datetime.date(2023, 3, 31)),
        ("item", "2月计划和小结逾期未提交", datetime.date(2023, 2, 28)),
        ("item", "1月计划和小结逾期未提交", datetime.date(2023, 1, 31)),
        ("reminder", "即将到期：5月计划和小结待提交", datetime.date(2023, 5, 31)),
    ]
    # 7 heads × (5 reports + 1 reminder), the lead's and the admin's and leadership's next step.
    assert run.notices == 7 * 6 + 3
    assert run.emails == 1  # only head_bgs has an address
    [mail] = mailoutbox
    assert mail.to == ["bgs@example.org"]
    assert mail.subject == "考核待办提醒（6 项）"
    office = Department.objects.get(name="办公室")
    assert f"http://127.0.0.1:8000/2023/dept/{office.pk}/reports/5/" in mail.body
    assert "即将到期：5月计划和小结待提交（截止 2023年5月31日）" in mail.body

    again = reminders_send(today=END_OF_MAY)
    assert (again.notices, again.emails, len(mailoutbox)) == (0, 0, 1)


class RefusingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPRecipientsRefused({"bgs@example.org": (550, b"no such user")})


def test_refused_mail_is_sent_again_by_the_next_run(running_year, cast, settings, mailoutbox):
    settings.EMAIL_BACKEND = "tests.notices.test_notices.RefusingBackend"
    run = reminders_send(today=END_OF_MAY)
    assert (run.emails, run.failed) == (0, 1)
    assert Notice.objects.filter(user=cast["head_bgs"], emailed_at__isnull=True).count() == 6
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    again = reminders_send(today=END_OF_MAY)
    assert (again.notices, again.emails, again.failed) == (0, 1, 0)
    assert mailoutbox[-1].subject == "考核待办提醒（6 项）"


def test_command_prints_what_it_did(running_year, cast, mailoutbox, capsys):
    call_command("send_reminders")
    first = capsys.readouterr().out
    call_command("send_reminders")
    assert capsys.readouterr().out == "新通知 0 条，发送邮件 0 封。\n"
    assert first.startswith("新通知 ") and first != "新通知 0 条，发送邮件 0 封。\n"


def test_reminder_before_the_publicity_deadline(approvable_year, cast):
    notices_sync(cast["head_bgs"], approvable_year, today=datetime.date(2024, 1, 12))
    rows = Notice.objects.filter(user=cast["head_bgs"]).order_by("kind")
    assert list(rows.values_list("kind", "title", "deadline")) == [
        ("item", "考核结果已公示，如有异议请于2024年1月14日前提出", datetime.date(2024, 1, 14)),
        ("reminder", "即将到期：考核结果已公示，如有异议请于2024年1月14日前提出", datetime.date(2024, 1, 14)),
    ]


def test_one_reminder_per_user_item_and_deadline_is_a_constraint(demo_year, cast):
    fields = {
        "user": cast["lead"],
        "year": demo_year,
        "kind": "reminder",
        "key": "report:1:5",
        "title": "x",
        "url": "/",
    }
    Notice.objects.create(deadline=datetime.date(2023, 5, 31), **fields)
    Notice.objects.create(deadline=datetime.date(2023, 6, 30), **fields)  # another deadline: another reminder
    with pytest.raises(IntegrityError), transaction.atomic():
        Notice.objects.create(deadline=datetime.date(2023, 5, 31), **fields)
    Notice.objects.create(deadline=None, **{**fields, "kind": "item"})
    with pytest.raises(IntegrityError), transaction.atomic():
        Notice.objects.create(deadline=None, **{**fields, "kind": "item"})


def test_done_item_marks_its_notice_read(running_year, cast):
    office = Department.objects.get(name="办公室")
    notices_sync(cast["head_bgs"], running_year, today=END_OF_MAY)
    year_in_phase(running_year, Phase.DEMOCRATIC)  # monthly reports are closed: every report item is gone
    notices_sync(cast["head_bgs"], running_year, today=END_OF_MAY)
    assert Notice.objects.filter(user=cast["head_bgs"], read_at__isnull=True).count() == 0
    assert Notice.objects.filter(user=cast["head_bgs"], key=f"report:{office.pk}:5").count() == 2


def test_menu_counts_unread_and_the_list_marks_them_read(demo_year, cast):
    client = Client()
    client.force_login(cast["head_bgs"])
    home = client.get(reverse("home")).content.decode()  # the home page makes the notices of its items
    assert (
        '通知 <span class="badge rounded-pill text-bg-warning">12<span class="visually-hidden"> 条未读</span>' in home
    )
    listing = client.get(reverse("notices:list"))
    assert listing.context["unread"] == 12
    assert [n.title for n in listing.context["page"].object_list] == [
        f"{m}月计划和小结逾期未提交" for m in range(12, 0, -1)
    ]
    first = Notice.objects.filter(user=cast["head_bgs"]).first()
    opened = client.get(reverse("notices:open", args=[first.pk]))
    assert (opened.status_code, opened.url) == (302, first.url)
    assert Notice.objects.filter(user=cast["head_bgs"], read_at__isnull=True).count() == 11
    done = client.post(reverse("notices:read_all"), follow=True)
    assert "已将 11 条通知标为已读。" in done.content.decode()
    assert Notice.objects.filter(user=cast["head_bgs"], read_at__isnull=True).count() == 0
    assert 'text-bg-warning">' not in client.get(reverse("notices:list")).content.decode().split("</nav>")[0]


@pytest.mark.parametrize("who", ["lead", "reviewer_bgs", "head_zzb", "vice_li", "leader_wang", "outsider"])
def test_a_notice_opens_only_for_its_user(demo_year, cast, who):
    client = Client()
    client.force_login(cast["head_bgs"])
    client.get(reverse("home"))
    notice = Notice.objects.filter(user=cast["head_bgs"]).first()
    other = Client()
    other.force_login(cast[who])
    assert other.get(reverse("notices:open", args=[notice.pk])).status_code == 404
    assert list(other.get(reverse("notices:list")).context["page"].object_list) == []
    notice.refresh_from_db()
    assert notice.read_at is None


def test_notice_pages_need_login(client):
    assert client.get(reverse("notices:list")).status_code == 302
    assert client.post(reverse("notices:read_all")).status_code == 302
