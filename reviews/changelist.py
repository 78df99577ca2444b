"""The ledger changelist's rows, rendered in one pass.

For every cell Django's `items_for_result` works out again which attribute its column reads, whether it links,
its CSS classes and, for a link, the record's URL with the list's filters (a `reverse()` and a URL parse): 15 ms
of CPU for a 50-row page of the ledger at province scale, a third of the page. `ledger_rows` does that work once
per column and once per page, then formats each cell with Django's own display functions. Its output is Django's
HTML, cell for cell (tests/admin/test_changelist_rows.py renders both); popups and editable lists, which the
ledger does not use, go through Django's code.
"""

from __future__ import annotations

import datetime
import html
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from django.contrib.admin.templatetags.admin_list import ResultList, results
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import display_for_field, display_for_value, lookup_field
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import EmptyResultSet, ObjectDoesNotExist
from django.core.paginator import Paginator
from django.db import models
from django.utils.functional import Promise, cached_property
from django.utils.safestring import mark_safe

from kaohe.links import pk_url
from reviews.models import RecordDepartment


@dataclass(frozen=True, slots=True)
class _Column:
    name: str
    field: models.Field | None
    read: Callable[[models.Model], object]  # the cell's value, as lookup_field gives it
    boolean: bool
    empty: str
    css: list[str]  # before the per-value "nowrap" of a callable returning a date
    tag: str | None  # "th"/"td" for a column that links to the record, None otherwise


def _columns(cl, sample) -> list[_Column]:
    model_admin = cl.model_admin
    default_empty = model_admin.get_empty_value_display()
    columns, first = [], True
    for index, name in enumerate(cl.list_display):
        if isinstance(name, str):
            css_name = name
        else:
            css_name = "lambda" + str(index) if name.__name__ == "<lambda>" else name.__name__
        field, attr, _ = lookup_field(name, sample, model_admin)
        links = cl.list_display_links is not None and (
            (first and not cl.list_display_links) or name in cl.list_display_links
        )
        tag = None
        if links:
            tag, first = ("th" if first else "td"), False
        if field is not None:
            read = _attribute(name)
            css = [f"field-{css_name}"]
            if isinstance(field, (models.DateField, models.TimeField, models.ForeignKey)):
                css.append("nowrap")
            columns.append(_Column(name, field, read, False, default_empty, css, tag))
            continue
        if callable(name):
            read = name
        elif hasattr(model_admin, name) and name != "__str__":
            read = getattr(model_admin, name)
        else:
            read = _looked_up(name, model_admin)
        boolean = getattr(attr, "boolean", False)
        if isinstance(attr, property) and hasattr(attr, "fget"):
            boolean = getattr(attr.fget, "boolean", False)
        css = ["action-checkbox"] if name == "action_checkbox" else [f"field-{css_name}"]
        empty = getattr(attr, "empty_value_display", default_empty)
        columns.append(_Column(name, None, read, boolean, empty, css, tag))
    return columns


def _attribute(name: str):
    return lambda obj: getattr(obj, name)


def _looked_up(name, model_admin):
    return lambda obj: lookup_field(name, obj, model_admin)[2]


def _html(value) -> str:
    """django.utils.html.conditional_escape without its lazy-argument wrapper (a tenth of the rows' time)."""
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def _content(column: _Column, obj) -> tuple[str, str]:
    """The cell's classes and its escaped content."""
    css = column.css
    try:
        value = column.read(obj)
    except ObjectDoesNotExist:
        shown = column.empty
    else:
        if isinstance(value, str) and value.strip() == "":
            value = ""
        if column.field is None:
            shown = display_for_value(value, column.empty, column.boolean)
            if isinstance(value, (datetime.date, datetime.time)):
                css = [*css, "nowrap"]
        elif isinstance(column.field.remote_field, models.ManyToOneRel):
            related = getattr(obj, column.field.name)
            shown = column.empty if related is None else related
        else:
            shown = display_for_field(value, column.field, column.empty, avoid_link=column.tag is not None)
    return " ".join(css), _html(shown)


def _cell(column: _Column, classes: str, content: str, url: str) -> str:
    if column.tag is None:
        return f'<td class="{classes}">{content}</td>'
    return f'<{column.tag} class="{classes}"><a href="{_html(url)}">{content}</a></{column.tag}>'


def ledger_rows(cl) -> list[ResultList]:
    """What Django's `results(cl)` gives the changelist template, each row as one piece of HTML."""
    objects = list(cl.result_list)
    if cl.formset or cl.is_popup or cl.to_field or not objects:
        return list(results(cl))
    try:
        columns = _columns(cl, objects[0])
    except ObjectDoesNotExist:  # a column that cannot be read on the first row: Django's per-cell handling
        return list(results(cl))
    change_url = pk_url(
        f"admin:{cl.opts.app_label}_{cl.opts.model_name}_change", current_app=cl.model_admin.admin_site.name
    )
    # The list's filters ride along on every record's link; they do not depend on the record.
    first = change_url(objects[0].pk)
    with_filters = add_preserved_filters({"preserved_filters": cl.preserved_filters, "opts": cl.opts}, first)
    suffix = with_filters[len(first) :]
    # A model field's cell depends only on its value (dates, quantities, levels repeat down a page): each
    # distinct value is displayed once.
    shown: list[dict | None] = [
        {} if c.field is not None and not isinstance(c.field.remote_field, models.ManyToOneRel) else None
        for c in columns
    ]
    rows = []
    for obj in objects:
        url = change_url(obj.pk) + suffix
        cells = []
        for column, memo in zip(columns, shown, strict=True):
            key = getattr(obj, column.name) if memo is not None else None
            if memo is None or not isinstance(key, Hashable):
                classes, content = _content(column, obj)
            else:
                if key not in memo:
                    memo[key] = _content(column, obj)
                classes, content = memo[key]
            cells.append(_cell(column, classes, content, url))
        rows.append(ResultList(None, [mark_safe("".join(cells))]))
    return rows


class LedgerChangeList(ChangeList):
    """The ledger's changelist. Its page reads only what its columns show:

    - the record fields of PAGE_FIELDS, with the rule and the author joined, not the year (whose two JSON fields
      and UUID every row decoded, for a column the page does not have);
    - each record's departments as plain names, in one query, into `record.page_departments` (in the links'
      order), instead of a prefetch that builds a link and a department instance for each (a hundred model
      instances per page).

    The admin's own queryset, which its actions and forms use, keeps every field and the prefetch."""

    # list_display's columns, and the record's __str__ (the row checkbox's label). A column reading another
    # field would load it with one query per row: tests/reviews/test_queries.py counts the page's queries.
    PAGE_FIELDS = (
        *("date", "quantity", "level", "points", "exempt", "status"),
        *("rule", "rule__code", "rule__text"),
        *("recorded_by", "recorded_by__username"),
    )

    def get_results(self, request):
        super().get_results(request)
        self.result_list = (
            self.result_list.prefetch_related(None)
            .select_related(None)
            .select_related("rule", "recorded_by")
            .only(*self.PAGE_FIELDS)
        )
        records = list(self.result_list)  # evaluated once; the page's rows read these instances
        names = defaultdict(list)
        links = RecordDepartment.objects.filter(record__in=[record.pk for record in records]).order_by("pk")
        for record_id, name in links.values_list("record_id", "department__name"):
            names[record_id].append(name)
        for record in records:
            record.page_departments = names[record.pk]


class LedgerPaginator(Paginator):
    """The changelist's paginator, with its count kept per process until a year's data changes.

    PostgreSQL counts rows by reading them: 10 ms for 200,000 records on every page of the ledger, a third of
    the page. Every write to a record or its departments gives its year a new `data_version`
    (scoring.revisions), so a count keyed by the query and `versions`, the (pk, data_version) of every year
    read for the request, is exact.
    """

    def __init__(self, object_list, per_page, orphans=0, allow_empty_first_page=True, *, versions: tuple):
        super().__init__(object_list, per_page, orphans, allow_empty_first_page)
        self.versions = versions

    @cached_property
    def count(self) -> int:
        if not isinstance(self.object_list, models.QuerySet):
            return super().count
        try:
            # The rows counted, named by the query's tables and conditions only: its columns (the related rows,
            # the evidence count) and its order cost ten times more to compile and count the same rows.
            sql, params = self.object_list.values("pk").order_by().query.sql_with_params()
        except EmptyResultSet:  # a filter nothing can match
            return 0
        key = (sql, repr(params), self.versions)
        with _counts_lock:
            if key in _counts:
                _counts.move_to_end(key)
                return _counts[key]
        count = super().count
        with _counts_lock:
            _counts[key] = count
            while len(_counts) > COUNTS_KEPT:
                _counts.popitem(last=False)
        return count


COUNTS_KEPT = 256
_counts: OrderedDict = OrderedDict()
_counts_lock = threading.Lock()
