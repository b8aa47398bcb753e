"""Path converters shared by the reading pages' and the report's URLs."""

from django.urls import register_converter


class RowIdConverter:
    """A row id or number in a URL: 1 to 18 ASCII digits, so it always fits the databases' 64-bit
    integers (SQLite raised OverflowError on a 20-digit id, a server error); a longer one is a 404."""

    regex = "[0-9]{1,18}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)


register_converter(RowIdConverter, "id")
