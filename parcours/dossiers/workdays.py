"""Working days in France (EDO-2, COM-2): French public holidays from the `holidays` package.

Two kinds of days, because the sources use both:
- jours ouvrés (`DayKind.WORKING`): Monday to Friday, public holidays excluded. EDOF's deadlines
  (EDO-2) count these.
- jours ouvrables (`DayKind.BUSINESS`): Monday to Saturday, public holidays excluded. The CGV's
  cancellation fees (COM-2) say « jours ouvrables ».

Dates are calendar days in Europe/Paris: `paris_today()` (registry) gives today there.
"""

import datetime
from functools import lru_cache

import holidays

from .enums import DayKind

_LAST_WEEKDAY = {DayKind.WORKING: 4, DayKind.BUSINESS: 5}  # Friday, Saturday


@lru_cache(maxsize=64)
def _french_holidays(year: int) -> dict[datetime.date, str]:
    return dict(holidays.France(years=year, language="fr").items())


def holiday_name(day: datetime.date) -> str:
    """The public holiday's French name, or ""."""
    return _french_holidays(day.year).get(day, "")


def is_working_day(day: datetime.date, kind: DayKind = DayKind.WORKING) -> bool:
    return day.weekday() <= _LAST_WEEKDAY[kind] and day not in _french_holidays(day.year)


def add_working_days(day: datetime.date, count: int, kind: DayKind = DayKind.WORKING) -> datetime.date:
    """The `count`-th working day after `day` (before it when negative); `day` itself is not counted.

    Monday + 2 is Wednesday; Friday + 1 is the next Monday (or Tuesday after Easter Monday).
    """
    step = datetime.timedelta(days=1 if count >= 0 else -1)
    remaining = abs(count)
    while remaining:
        day += step
        if is_working_day(day, kind):
            remaining -= 1
    return day


def working_days_between(start: datetime.date, end: datetime.date, kind: DayKind = DayKind.WORKING) -> int:
    """Working days in (start, end]: the `n` with add_working_days(start, n) == end for a working `end`.

    Negative when `end` is before `start`.
    """
    if end < start:
        return -working_days_between(end, start, kind)
    count = 0
    day = start
    while day < end:
        day += datetime.timedelta(days=1)
        if is_working_day(day, kind):
            count += 1
    return count
