"""The ledger changelist's paginator: its record count kept per process until a year's data changes."""

from __future__ import annotations

import threading
from collections import OrderedDict

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import models
from django.utils.functional import cached_property


class LedgerPaginator(Paginator):
    """The changelist's paginator, with its count kept per process until a year's data changes.

    PostgreSQL counts rows by reading them: 10 ms for 200,000 records on every page of the ledger, a third of
    the page. Every write to a record or its departments gives its year a new `data_version`
    (results.revisions), so a count keyed by the query and `versions`, the (pk, data_version) of every year
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
