"""`{% ledger_result_list cl %}`: Django's `{% result_list cl %}` with the rows of reviews.changelist."""

from django import template
from django.contrib.admin.templatetags.admin_list import result_headers, result_hidden_fields
from django.contrib.admin.templatetags.base import InclusionAdminNode

from reviews.changelist import ledger_rows

register = template.Library()


def ledger_result_list(cl) -> dict:
    headers = list(result_headers(cl))
    return {
        "cl": cl,
        "result_hidden_fields": list(result_hidden_fields(cl)),
        "result_headers": headers,
        "num_sorted_fields": sum(1 for h in headers if h["sortable"] and h["sorted"]),
        "results": ledger_rows(cl),
    }


@register.tag(name="ledger_result_list")
def ledger_result_list_tag(parser, token):
    return InclusionAdminNode(
        parser, token, func=ledger_result_list, template_name="change_list_results.html", takes_context=False
    )
