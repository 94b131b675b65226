import re

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from parcours.registry.enums import ACCESS_ROUTE_LABELS

register = template.Library()

# V4.1 texts carry no HTML: their paragraph and list breaks are runs of spaces.
_BREAKS = re.compile(r"\s{3,}")


@register.filter
def paragraphs(text: str) -> SafeString | str:
    parts = [part.strip().lstrip("*o- ").strip() for part in _BREAKS.split(text or "")]
    parts = [part for part in parts if part]
    if not parts:
        return ""
    return format_html_join("", "<p>{}</p>", ((part,) for part in parts))


@register.filter
def access_route_label(code: str) -> str:
    return ACCESS_ROUTE_LABELS.get(code, code)
