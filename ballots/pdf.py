"""The code slips: an A4 PDF of cut-out slips, one code each, with how to vote, the address and a QR code."""

from __future__ import annotations

import segno
from django.template.loader import render_to_string

from ballots.models import RaterGroup
from ballots.selectors import grade_names
from departments.models import Department, Organisation

SLIPS_PER_PAGE = 6


def slips_pdf(*, group: RaterGroup, department: Department | None, codes: list[str], ballot_url: str) -> bytes:
    from weasyprint import HTML  # noqa: PLC0415 — slow to import: only when a sheet is printed

    # The QR code holds only the page's address, never a code: a code in a URL would end up in access logs.
    qr = segno.make(ballot_url, error="m").svg_data_uri(scale=4, border=1)
    pages = [codes[i : i + SLIPS_PER_PAGE] for i in range(0, len(codes), SLIPS_PER_PAGE)]
    html = render_to_string(
        "ballots/slips_pdf.html",
        {
            "round": group.round,
            "group": group,
            "department": department,
            "pages": pages,
            "count": len(codes),
            "ballot_url": ballot_url,
            "qr": qr,
            "organisation": Organisation.current(),
            "grades": grade_names(group.round.year.grade_points),
        },
    )
    return HTML(string=html).write_pdf()
