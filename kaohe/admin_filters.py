"""Admin list filters for province-scale choice lists: past PICKER_LINKS_MAX choices (thousands of departments)
a filter is one drop-down instead of a link, and a query string built through the template engine, per choice."""

from __future__ import annotations

from html import escape

from django.contrib import admin
from django.utils.safestring import mark_safe

PICKER_LINKS_MAX = 30
SELECT_TEMPLATE = "admin/select_filter.html"


def options_html(pairs, selected) -> str:
    """`<option>`s of (value, label) pairs, built in one pass with the standard library's escape: thousands
    of them cost a few milliseconds here and a tenth of a second through a template loop or format_html.
    `selected`: one value, a list of values, or None."""
    if selected is None:
        chosen = set()
    elif isinstance(selected, list | tuple | set | frozenset):
        chosen = {str(value) for value in selected}
    else:
        chosen = {str(selected)}
    return mark_safe(
        "".join(
            f'<option value="{escape(str(value))}"{" selected" if str(value) in chosen else ""}>'
            f"{escape(str(label))}</option>"
            for value, label in pairs
        )
    )


def select_choice(changelist, parameter: str, options: str, *dropped: str) -> dict:
    """The one "choice" SELECT_TEMPLATE renders: the drop-down's options, and everything else the list is
    showing (other filters, search, ordering; not the page, not `dropped`) as hidden fields."""
    hidden = [
        (name, value)
        for name, values in changelist.filter_params.items()
        if name != parameter and name not in dropped
        for value in values
    ]
    return {"parameter": parameter, "options": options, "hidden": hidden}


class ManyChoicesRelatedFilter(admin.RelatedFieldListFilter):
    """Django's filter of a foreign key (`list_filter = [("department", ManyChoicesRelatedFilter)]`), a
    drop-down past PICKER_LINKS_MAX choices. The drop-down has no "(None)" choice for a nullable key."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        self.as_select = len(self.lookup_choices) > PICKER_LINKS_MAX
        if self.as_select:
            self.template = SELECT_TEMPLATE

    def choices(self, changelist):
        if not self.as_select:
            yield from super().choices(changelist)
            return
        selected = self.lookup_val[-1] if self.lookup_val else None
        options = options_html(self.lookup_choices, selected)
        yield select_choice(changelist, self.lookup_kwarg, options, self.lookup_kwarg_isnull)
