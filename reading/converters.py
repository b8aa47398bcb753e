"""Path converters shared by the reading pages' and the report's URLs."""

from django.urls import register_converter, reverse


class RowIdConverter:
    """A row id or number in a URL: 1 to 18 ASCII digits, so it always fits the databases' 64-bit
    integers (SQLite raised OverflowError on a 20-digit id, a server error); a longer one is a 404."""

    regex = "[0-9]{1,18}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)


register_converter(RowIdConverter, "id")


# 18 digits: the longest id the converter takes, and not the number of any real row.
_PLACEHOLDER = "987654321987654321"


def url_maker(viewname, *args):
    """A function of one id giving reverse(viewname, args=[*args, id]), reversed once: `reverse()` per
    row or chart marker costs more than the rest of writing the link. The last argument must be a
    path segment of its own (an `id` or `path` converter), where the placeholder is replaced."""
    before, _, after = reverse(viewname, args=[*args, int(_PLACEHOLDER)]).rpartition(_PLACEHOLDER)
    return lambda pk: f"{before}{pk}{after}"
