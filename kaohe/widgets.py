"""The browser's own date pickers. `<input type="date">` and `<input type="datetime-local">` take their value in
ISO form only (YYYY-MM-DD, YYYY-MM-DDTHH:MM) whatever the page's language; a value in the locale's format
("2023/03/20" in Chinese) is dropped by the browser, and the form then posts the field empty."""

from __future__ import annotations

from django import forms

DATE_FORMAT = "%Y-%m-%d"
DATETIME_LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format=DATE_FORMAT)


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format=DATETIME_LOCAL_FORMAT)
