"""A model's history in the admin, read-only.

django-simple-history's history form (`…/history/<version>/`) saves whatever is POSTed to it after checking only
the view permission, bypassing every rule of the model's own change page (the ledger service: recorder office,
phase, frozen year, per-record rules, confirmation, version). Reverting is therefore off: a past version can be
read, and a change is made on the change page, where every rule is checked.
"""

from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin


class ReadOnlyHistoryAdmin(SimpleHistoryAdmin):
    """SimpleHistoryAdmin whose history pages only show: no revert button, and a POST to them is refused."""

    def revert_disabled(self, request, obj=None) -> bool:
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "GET":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)
