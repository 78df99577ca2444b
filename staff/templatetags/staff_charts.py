"""`{% chart_svg chart "title" show_values=True %}`: a chart of staff.charts drawn as inline SVG."""

from django import template

from staff.charts import chart_svg as draw

register = template.Library()


@register.simple_tag
def chart_svg(chart, title: str, show_values: bool = False):
    return draw(chart, title, show_values=show_values)
