"""`{{ message|progress_text }}`: a message of the progress rules (targets.progress: status and
method labels, targets, formulas, notes) in the reader's language. The rules write Vietnamese and
stay free of Django; the translation happens here, where the message is shown."""

from django import template
from django.utils import translation
from django.utils.translation import gettext

from targets.progress import Text

register = template.Library()


@register.filter
def progress_text(message: str) -> str:
    if isinstance(message, Text):
        return gettext(message.template).format(**message.values)
    return gettext(message) if message else message


def in_english(message: str) -> str:
    """The message in English whatever the request's language (the API's `*_en` fields)."""
    with translation.override("en"):
        return progress_text(message)
