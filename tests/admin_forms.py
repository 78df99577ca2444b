"""What tests that submit the Django admin's change pages share."""


def change_page_post(response) -> dict:
    """The POST data of an admin change page as it comes (the GET `response`), with its inlines' forms."""

    def values(form) -> dict:
        data = {}
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            if isinstance(value, list):
                value = [str(v) for v in value]
            data[form.add_prefix(name)] = "on" if value is True else value
        return data

    data = values(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management.initial.get(name, 0)
        for form in inline.formset.initial_forms:
            data.update(values(form))
    return data
