"""Django's form widgets, rendered in Python for the common ones: the same HTML as Django's own
widget templates, without an engine round trip per widget and per <option> (the review queue
renders a dozen selects for each of twenty wishes; the list's filters hundreds of options).

Any widget whose template is not one of Django's plain ones below (a project's own, or an option
with its own template) is rendered by the template engine as before.
"""

from __future__ import annotations

from django.forms.renderers import DjangoTemplates
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDGETS = "django/forms/widgets/"
OPTION = WIDGETS + "select_option.html"
# Django's templates that consist only of {% include "django/forms/widgets/input.html" %}.
INPUT_TYPES = [
    "checkbox",
    "color",
    "date",
    "datetime",
    "email",
    "file",
    "hidden",
    "number",
    "password",
    "search",
    "tel",
    "text",
    "time",
    "url",
]
INPUTS = {f"{WIDGETS}{name}.html" for name in INPUT_TYPES}


END_GROUP = SafeString("\n  </optgroup>")  # a constant, nothing to escape


def _joined(parts) -> SafeString:
    return format_html_join("", "{}", ((part,) for part in parts))


def attributes(attrs: dict) -> SafeString:
    """As django/forms/widgets/attrs.html: False leaves the attribute out, True writes its name."""
    return _joined(
        format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value)
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget: dict) -> SafeString:
    value = widget["value"]
    value_attr = "" if value is None else format_html(' value="{}"', value)
    return format_html(
        '<input type="{}" name="{}"{}{}>',
        widget["type"],
        widget["name"],
        value_attr,
        attributes(widget["attrs"]),
    )


def _textarea(widget: dict) -> SafeString:
    return format_html(
        '<textarea name="{}"{}>\n{}</textarea>',
        widget["name"],
        attributes(widget["attrs"]),
        widget["value"] or "",
    )


def _select(widget: dict) -> SafeString | None:
    parts = []
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(format_html('\n  <optgroup label="{}">', group_name))
        for option in options:
            if option["template_name"] != OPTION:
                return None  # an option of its own: the engine renders the whole select
            parts.append(
                format_html(
                    '\n  <option value="{}"{}>{}</option>\n',
                    option["value"],
                    attributes(option["attrs"]),
                    option["label"],
                )
            )
        if group_name:
            parts.append(END_GROUP)
    return format_html(
        '<select name="{}"{}>{}\n</select>',
        widget["name"],
        attributes(widget["attrs"]),
        _joined(parts),
    )


class FastWidgetRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        widget = context.get("widget")
        if widget is not None:
            html = None
            if template_name in INPUTS:
                html = _input(widget)
            elif template_name == WIDGETS + "textarea.html":
                html = _textarea(widget)
            elif template_name == WIDGETS + "select.html":
                html = _select(widget)
            if html is not None:
                return html
        return super().render(template_name, context, request)
