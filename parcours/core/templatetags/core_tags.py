from django import template
from django.forms import BoundField, CheckboxInput, ClearableFileInput, FileInput, Select

register = template.Library()


@register.filter
def widget_kind(field: BoundField) -> str:
    widget = field.field.widget
    if isinstance(widget, CheckboxInput):
        return "checkbox"
    if isinstance(widget, Select):
        return "select"
    if isinstance(widget, (FileInput, ClearableFileInput)):
        return "file"
    return "input"


@register.filter
def with_class(field: BoundField, css: str) -> str:
    attrs = {"class": css} if css else {}
    if field.errors:
        attrs["aria-describedby"] = f"{field.auto_id}-error"
    return field.as_widget(attrs=attrs)


@register.filter
def get_item(mapping: dict, key: str) -> object:
    """`{{ names|get_item:code }}`: a dictionary lookup with a variable key."""
    return mapping.get(key) if mapping else None
