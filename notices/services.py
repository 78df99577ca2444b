"""Notices from the worklist (notices.worklist): a notice for each new item, a reminder shortly before each
item's deadline, and one e-mail per user with what has not been mailed yet (Django's mail settings,
kaohe/settings.py). `send_reminders` runs it all for every user; running it twice sends nothing new (the
unique constraints of `Notice`, and `emailed_at`)."""

from __future__ import annotations

import dataclasses
import datetime
import logging
import smtplib

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils import timezone

from notices.models import Notice
from notices.worklist import Item, worklist
from scoring.models import AssessmentYear

logger = logging.getLogger(__name__)


def _reminder_due(item: Item, today: datetime.date) -> bool:
    if item.deadline is None:
        return False
    return 0 <= (item.deadline - today).days <= settings.KAOHE_REMINDER_DAYS


def notices_sync(
    user, year: AssessmentYear, items: list[Item] | None = None, today: datetime.date | None = None
) -> int:
    """Create the notices of the user's new items in `year` and the reminders now due; mark read the unread
    notices whose item is gone (done). Returns how many notices were created."""
    today = today or timezone.localdate()
    items = worklist(user, year, today) if items is None else items
    existing = set(Notice.objects.filter(user=user, year=year).values_list("kind", "key", "deadline"))
    new = []
    for item in reversed(items):  # oldest first, so that the list (newest first) keeps the worklist's order
        wanted = [Notice.Kind.ITEM] + ([Notice.Kind.REMINDER] if _reminder_due(item, today) else [])
        for kind in wanted:
            if (kind, item.key, item.deadline) in existing:
                continue
            title = item.title if kind == Notice.Kind.ITEM else f"即将到期：{item.title}"
            new.append(
                Notice(
                    user=user,
                    year=year,
                    kind=kind,
                    key=item.key,
                    deadline=item.deadline,
                    title=title[:300],
                    url=item.url,
                )
            )
    if new:  # writes only when there is something new: a home page that shows nothing new takes no write lock
        Notice.objects.bulk_create(new, ignore_conflicts=True)  # a concurrent run created the same: one stays
    keys = {item.key for item in items}
    gone = [
        pk
        for pk, key in Notice.objects.filter(user=user, year=year, read_at__isnull=True).values_list("pk", "key")
        if key not in keys
    ]
    if gone:
        Notice.objects.filter(pk__in=gone).update(read_at=timezone.now())
    return len(new)


def notices_of(user):
    """The user's own notices, newest first (nobody sees another's)."""
    return Notice.objects.filter(user=user)


def unread_count(user) -> int:
    if not user.is_authenticated:
        return 0
    return Notice.objects.filter(user=user, read_at__isnull=True).count()


def years_with_unread(user) -> list[AssessmentYear]:
    """Every year, newest first, each with `unread`: the user's unread notices of that year (one query, for the
    menu's year switcher and its count)."""
    unread = (
        Notice.objects.filter(user=user, year=OuterRef("pk"), read_at__isnull=True)
        .order_by()
        .values("year")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return list(
        AssessmentYear.objects.select_related("scheme")
        .annotate(unread=Coalesce(Subquery(unread, output_field=IntegerField()), 0))
        .order_by("-year")
    )


def notices_mark_read(user, notices=None) -> int:
    """Mark the user's notices read (all unread ones if `notices` is None)."""
    rows = Notice.objects.filter(user=user, read_at__isnull=True)
    if notices is not None:
        rows = rows.filter(pk__in=[n.pk for n in notices])
    return rows.update(read_at=timezone.now())


def _mail_unsent(user) -> bool:
    """One e-mail with the user's notices not yet mailed; False if there are none or the user has no address."""
    unsent = list(
        Notice.objects.filter(user=user, emailed_at__isnull=True).select_related("year").order_by("created_at", "id")
    )
    if not unsent or not user.email:
        return False
    body = render_to_string(
        "notices/email.txt", {"user": user, "notices": unsent, "site_url": settings.KAOHE_SITE_URL.rstrip("/")}
    )
    send_mail(f"考核待办提醒（{len(unsent)} 项）", body, None, [user.email])
    Notice.objects.filter(pk__in=[n.pk for n in unsent]).update(emailed_at=timezone.now())
    return True


@dataclasses.dataclass
class Run:
    notices: int = 0
    emails: int = 0
    failed: int = 0  # e-mails the server refused: their notices stay unsent, and the next run tries again


def reminders_send(today: datetime.date | None = None) -> Run:
    """For every active user and every year not yet archived: sync the notices, then mail what is new."""
    today = today or timezone.localdate()
    run = Run()
    years = list(AssessmentYear.objects.exclude(phase=AssessmentYear.Phase.ARCHIVED).select_related("scheme"))
    for user in get_user_model().objects.filter(is_active=True).order_by("pk"):
        for year in years:
            run.notices += notices_sync(user, year, today=today)
        try:
            sent = _mail_unsent(user)
        except (OSError, smtplib.SMTPException):
            logger.exception("e-mail to %s failed", user.email)
            run.failed += 1
            continue
        run.emails += int(sent)
    return run
