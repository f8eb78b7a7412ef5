from django import template

from ..staff_menu import staff_menu as menu_for

register = template.Library()


@register.simple_tag(takes_context=True)
def staff_menu(context):
    """`{% staff_menu as groups %}`: the workbench menu for this request (wishes/staff_menu.py)."""
    return menu_for(context["request"])
