"""What the tests of a scored line's markup share (templates/includes/scored_line.html)."""

import datetime

from reviews.selectors import RecordRow


def record_row(**values) -> RecordRow:
    """A confirmed record of 1 March 2023, quantity 1, with no texts, author or evidence, unless `values` say."""
    fields = {
        "pk": 7,
        "date": datetime.date(2023, 3, 1),
        "rule": None,
        "quantity": 1,
        "reason": "",
        "description": "",
        "status": "confirmed",
        "recorder": "",
        "evidence": (),
    } | values
    return RecordRow(**fields)
