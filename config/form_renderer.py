"""Django's form widgets, rendered in Python for the common ones: the same HTML as Django's own
widget templates, without an engine round trip per widget and per <option> (the review queue
renders a dozen selects for each of twenty wishes; the list's filters hundreds of options).

Any widget whose template is not one of Django's plain ones below (a project's own, or an option
with its own template) is rendered by the template engine as before.
"""

from __future__ import annotations

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

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


def attributes(attrs: dict) -> str:
    """As django/forms/widgets/attrs.html: False leaves the attribute out, True writes its name."""
    return "".join(
        f" {conditional_escape(name)}"
        + ("" if value is True else f'="{conditional_escape(str(value))}"')
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget: dict) -> SafeString:
    value = widget["value"]
    value_attr = "" if value is None else f' value="{conditional_escape(str(value))}"'
    return mark_safe(
        f'<input type="{conditional_escape(widget["type"])}" '
        f'name="{conditional_escape(widget["name"])}"{value_attr}{attributes(widget["attrs"])}>'
    )


def _textarea(widget: dict) -> SafeString:
    text = conditional_escape(widget["value"]) if widget["value"] else ""
    return mark_safe(
        f'<textarea name="{conditional_escape(widget["name"])}"{attributes(widget["attrs"])}>\n'
        f"{text}</textarea>"
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
                f'\n  <option value="{conditional_escape(str(option["value"]))}"'
                f"{attributes(option['attrs'])}>{conditional_escape(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    return mark_safe(
        f'<select name="{conditional_escape(widget["name"])}"{attributes(widget["attrs"])}>'
        + "".join(parts)
        + "\n</select>"
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
