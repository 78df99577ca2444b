"""The ledger form's department chooser."""

from __future__ import annotations

from django.contrib.admin.widgets import FilteredSelectMultiple

from kaohe.admin_filters import options_html


class DepartmentsSelect(FilteredSelectMultiple):
    """Django admin's two-box chooser with a search box (thousands of departments at province scale), its
    `<option>`s written in one pass: through the template engine, one include per option, 2,000 departments
    took 60 ms of every add and change form."""

    template_name = "reviews/widgets/many_options_select.html"

    def optgroups(self, name, value, attrs=None):
        return []  # get_context writes the options

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        chosen = context["widget"]["value"]
        context["widget"]["options"] = options_html(((str(v), label) for v, label in self.choices), chosen)
        return context
