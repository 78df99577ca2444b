"""The review group's written year-end account (九.2：年终以书面形式提供相关考核情况): its narrative, per year.

The review lead writes it in the browser while the year is open; once the year is approved (审定) it is frozen with
the year. What the account reports besides the narrative (the ledger's summary, objections, tie orders) is read
from the data when its PDF is built (reports.account).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

import access
from scoring.models import AssessmentYear
from workflow.models import ReviewAccount

NARRATIVE_MAX_LENGTH = 20000
FROZEN_MESSAGE = "本年度已审定，考核小组年终考核情况说明不能再修改。"


def review_account_of(year: AssessmentYear) -> ReviewAccount | None:
    return ReviewAccount.objects.filter(year=year).select_related("updated_by").first()


@transaction.atomic
def review_account_save(year: AssessmentYear, narrative: str, by) -> ReviewAccount:
    """The review lead writes (or rewrites) the year's narrative; refused once the year is approved."""
    if not access.may_write_review_account(by):
        raise PermissionDenied("只有考核小组组长可以填写年终考核情况。")
    locked = AssessmentYear.objects.select_for_update().get(pk=year.pk)
    if locked.is_frozen:
        raise ValidationError(FROZEN_MESSAGE)
    narrative = narrative.replace("\r\n", "\n").strip()  # a browser sends CRLF line ends
    if len(narrative) > NARRATIVE_MAX_LENGTH:
        raise ValidationError({"narrative": f"考核情况说明最多 {NARRATIVE_MAX_LENGTH} 字。"})
    account, _ = ReviewAccount.objects.update_or_create(
        year=locked, defaults={"narrative": narrative, "updated_by": by, "updated_at": timezone.now()}
    )
    return account
