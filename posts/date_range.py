"""The dates a post may hold: a day inside the range of Python's datetime.

A UTC offset is under a day, so such a date can be stored (in UTC) and shown in any time
zone. `9999-12-31 23:00` in New York is year 10000 in UTC: saving it was a 500, and a
date of year 1 saved under UTC made every admin page showing it a 500 in Tokyo.
"""

import datetime as dt

EARLIEST = dt.datetime(1, 1, 2)
LATEST = dt.datetime(9999, 12, 30, 23, 59, 59)
RANGE_TEXT = "from 0001-01-02 to 9999-12-30"


def in_range(moment: dt.datetime) -> bool:
    """Whether `moment` (aware or naive) is one a post may hold, by its wall time."""
    return EARLIEST <= moment.replace(tzinfo=None) <= LATEST
