"""The query parameters of the API, each with the rule it is checked by and the message a bad value
gets (a 400 problem naming the parameter, never a server error).

Dates are ISO dates (YYYY-MM-DD) from 1900 to a year after today, the range the reading pages accept
(`reading.forms.PeriodForm`); `updated_since` is an ISO 8601 date and time with a time zone.
"""

import datetime
import re
from typing import Annotated

from django.utils import timezone
from ninja import Field, Schema
from pydantic import BeforeValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

EARLIEST_DATE = datetime.date(1900, 1, 1)
LATEST_DAYS_AHEAD = 366
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_PARTY_CODE = re.compile(r"[A-Z0-9-]{2,12}")


def _invalid(message):
    return PydanticCustomError("invalid_parameter", message)


def _as_date(value):
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        day = value
    elif isinstance(value, str) and _DATE.fullmatch(value.strip()):
        try:
            day = datetime.date.fromisoformat(value.strip())
        except ValueError:
            raise _invalid("is not a day that exists (YYYY-MM-DD)") from None
    else:
        raise _invalid("must be a date written YYYY-MM-DD, e.g. 2024-01-20")
    if day < EARLIEST_DATE:
        raise _invalid("cannot be before 1900")
    if day > timezone.localdate() + datetime.timedelta(days=LATEST_DAYS_AHEAD):
        raise _invalid("cannot be more than a year in the future")
    return day


def _as_datetime(value):
    if isinstance(value, datetime.datetime):
        moment = value
    elif isinstance(value, str) and len(value) <= 40:
        try:
            moment = datetime.datetime.fromisoformat(value.strip())
        except ValueError:
            raise _invalid("must be an ISO 8601 date and time with a time zone, e.g. 2024-01-20T00:00:00Z") from None
    else:
        raise _invalid("must be an ISO 8601 date and time with a time zone, e.g. 2024-01-20T00:00:00Z")
    if moment.tzinfo is None:
        raise _invalid("needs a time zone, e.g. 2024-01-20T00:00:00Z or 2024-01-20T05:00:00+05:00")
    if moment.year < EARLIEST_DATE.year:
        raise _invalid("cannot be before 1900")
    return moment


def _as_page_size(value):
    text = str(value).strip()
    if not text.isdigit() or len(text) > 6:
        raise _invalid(f"must be a whole number from 1 to {MAX_PAGE_SIZE}")
    size = int(text)
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise _invalid(f"must be from 1 to {MAX_PAGE_SIZE}")
    return size


def _as_number(value):
    text = str(value).strip()
    if not text.isdigit() or len(text) > 5 or int(text) < 1:
        raise _invalid("must be a measure's number (a whole number from 1)")
    return int(text)


def _as_record_id(value):
    text = str(value).strip()
    # Up to 18 digits: every id a 64-bit column holds is below 10**18 in practice, and larger numbers
    # overflow SQLite's and PostgreSQL's integers (a server error) rather than find nothing.
    if not text.isdigit() or len(text) > 18 or int(text) < 1:
        raise _invalid("must be a record's id (a whole number from 1)")
    return int(text)


def _as_party_code(value):
    text = str(value).strip()
    if not _PARTY_CODE.fullmatch(text):
        raise _invalid("must be a party's code: 2 to 12 capital letters, digits or hyphens, e.g. PAK")
    return text


def _as_cursor(value):
    text = str(value).strip()
    if not text or len(text) > 300:
        raise _invalid("is not a cursor this API gave (copy the `next` link of the previous page)")
    return text


IsoDate = Annotated[
    datetime.date,
    BeforeValidator(_as_date),
    WithJsonSchema({"type": "string", "format": "date", "examples": ["2024-01-20"]}),
]
IsoDateTime = Annotated[
    datetime.datetime,
    BeforeValidator(_as_datetime),
    WithJsonSchema({"type": "string", "format": "date-time", "examples": ["2024-01-20T00:00:00Z"]}),
]
PageSize = Annotated[
    int, BeforeValidator(_as_page_size), WithJsonSchema({"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE})
]
MeasureNumber = Annotated[int, BeforeValidator(_as_number), WithJsonSchema({"type": "integer", "minimum": 1})]
RecordId = Annotated[int, BeforeValidator(_as_record_id), WithJsonSchema({"type": "integer", "minimum": 1})]
PartyCode = Annotated[
    str, BeforeValidator(_as_party_code), WithJsonSchema({"type": "string", "pattern": "^[A-Z0-9-]{2,12}$"})
]
Cursor = Annotated[str, BeforeValidator(_as_cursor), WithJsonSchema({"type": "string", "maxLength": 300})]

AS_OF = (
    "Show the case as it stood on this day (YYYY-MM-DD): assessments effective by then, events and evidence "
    "dated up to then. Default: today for an active case, its end date for a closed one (as the pages)."
)
KNOWN_ON = "Leave out what was put on record after this day (YYYY-MM-DD): what we knew then. Default: no limit."
SINCE = (
    "Start of the period (YYYY-MM-DD, both ends included): each measure and party then also gets the level in "
    "force at the end of the day before and the direction of travel. Default: no period."
)
RECORDS_AS_OF = "Only records dated up to this day (YYYY-MM-DD), as the pages show them as of it. Default: no limit."


class Period(Schema):
    as_of: IsoDate | None = Field(None, description=AS_OF)
    known_on: IsoDate | None = Field(None, description=KNOWN_ON)


class StateParams(Period):
    since: IsoDate | None = Field(None, description=SINCE)


class PackageParams(Period):
    pass


class PageParams(Schema):
    cursor: Cursor | None = Field(
        None, description="Where the page starts: the `next` link of the previous page gives it."
    )
    page_size: PageSize = Field(
        DEFAULT_PAGE_SIZE, description=f"Items per page, from 1 to {MAX_PAGE_SIZE} (default {DEFAULT_PAGE_SIZE})."
    )
    updated_since: IsoDateTime | None = Field(
        None,
        description="Only items created or changed at or after this time (ISO 8601 with a time zone), for "
        "incremental pulls: keep the time of your previous pull and pass it here.",
    )


class RecordParams(PageParams):
    as_of: IsoDate | None = Field(None, description=RECORDS_AS_OF)
    known_on: IsoDate | None = Field(None, description=KNOWN_ON)


class AssessmentParams(RecordParams):
    measure: MeasureNumber | None = Field(None, description="Only this measure's assessments (its number).")
    party: PartyCode | None = Field(None, description="Only this party's assessments (its code).")


class DeletionParams(PageParams):
    pass
