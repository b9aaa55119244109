"""Which instants the service accepts as real: accidents, photos and signatures happen now.

A date-time far outside this range is a typo or a probe, never an accident; it is refused
at the field, because arithmetic on it (year 1 minus a day) fails far from the input.
"""

from __future__ import annotations

from datetime import datetime

EARLIEST_YEAR = 2000
LATEST_YEAR = 2099
YEAR_PATTERN = r"20[0-9]{2}"
"""The same range as a JSON Schema pattern prefix, for the published request schemas."""


def plausible_instant(value: datetime) -> bool:
    """Whether ``value`` is an aware date-time between the years 2000 and 2099."""
    return value.tzinfo is not None and EARLIEST_YEAR <= value.year <= LATEST_YEAR


IMPLAUSIBLE_MESSAGE = f"must lie between the years {EARLIEST_YEAR} and {LATEST_YEAR}"
