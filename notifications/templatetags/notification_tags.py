from django import template

from .. import render

register = template.Library()


@register.filter
def notification_text(notification) -> str:
    """The notification's line in the page's language."""
    return render.subject(notification)
