"""Cursor pagination: each page links the next one with an opaque cursor holding where the page ended
(the last item's position in the list's order), so that pages hold still while rows are added and a
client never skips or repeats an item as it pages through.

A cursor is URL-safe base64 of JSON `{"list": <which list>, "after": [<position>]}`; one that this API
did not give (garbage, another list's) is a 400 problem naming `cursor`.
"""

import base64
import binascii
import json

from api.problems import Problem


def encode(list_name, position):
    payload = json.dumps({"list": list_name, "after": list(position)}, separators=(",", ":"), default=str)
    return base64.urlsafe_b64encode(payload.encode("utf-8")).decode("ascii").rstrip("=")


def decode(cursor, list_name, kinds):
    """The position a cursor holds, as a tuple of values of `kinds` (int or str, one per part of the
    list's order); None for no cursor. Raises a 400 Problem for a cursor this list never gave."""
    if cursor is None:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8"))
        after = payload["after"]
        valid = (
            payload.get("list") == list_name
            and isinstance(after, list)
            and len(after) == len(kinds)
            and all(type(value) is kind for value, kind in zip(after, kinds, strict=True))
            # An id a database column holds: a forged one beyond 64 bits would overflow the query.
            and all(0 <= value < 10**18 for value in after if type(value) is int)
        )
    except (ValueError, KeyError, TypeError, UnicodeError, binascii.Error):
        valid = False
    if not valid:
        raise Problem.invalid({"cursor": "is not a cursor of this list (copy the `next` link of the previous page)"})
    return tuple(after)


def next_link(request, cursor):
    """The absolute URL of the next page: this request's, with `cursor` in place of its own."""
    query = request.GET.copy()
    query["cursor"] = cursor
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def page_by_id(queryset, request, params, list_name, *, fields=None):
    """(items, next link or None) of a queryset paged by id, ascending: the items after the cursor's
    id, `params.page_size` of them. One query (it reads one item more to know whether a next page
    exists), in SQL: only the page's rows are read. With `fields`, the items are dicts of these fields
    (`QuerySet.values`, "id" among them) rather than model objects."""
    after = decode(params.cursor, list_name, (int,))
    if after is not None:
        queryset = queryset.filter(pk__gt=after[0])
    queryset = queryset.order_by("pk")
    if fields is not None:
        queryset = queryset.values(*fields)
    items = list(queryset[: params.page_size + 1])
    if len(items) <= params.page_size:
        return items, None
    items = items[: params.page_size]
    last = items[-1]["id"] if fields is not None else items[-1].pk
    return items, next_link(request, encode(list_name, (last,)))


def page_of_list(items, request, params, list_name, position, kinds):
    """(items, next link or None) of a list already in its order, where `position(item)` gives each
    item's place in that order (a tuple of `kinds`): the items after the cursor's place."""
    after = decode(params.cursor, list_name, kinds)
    if after is not None:
        items = [item for item in items if position(item) > after]
    if len(items) <= params.page_size:
        return items, None
    items = items[: params.page_size]
    return items, next_link(request, encode(list_name, position(items[-1])))
