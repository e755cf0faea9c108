"""Host objects the engine calls: calendar providers."""

from __future__ import annotations

import datetime as _dt
from typing import Iterable, Protocol, Tuple


class CalendarProvider(Protocol):
    """A calendar the booking engine consults and writes to.

    ``free_busy(start, end)`` returns the busy ``(start, end)`` periods (aware
    datetimes) overlapping ``[start, end)``; busy time is not bookable. A
    provider may also define ``create_event(event)``, ``update_event(event)``,
    ``delete_event(uid)`` and ``events(start, end)``, with events as dicts of
    ``uid`` (the booking's id), ``summary``, ``description``, ``start`` and
    ``end``; confirmed bookings are then written to it. Methods are called
    from the engine's threads with the GIL held; an exception makes the
    booking operation fail with :class:`concierge.BookingError` (kind
    ``backend``).
    """

    def free_busy(
        self, start: _dt.datetime, end: _dt.datetime
    ) -> Iterable[Tuple[_dt.datetime, _dt.datetime]]:
        """Busy periods overlapping ``[start, end)``."""
        ...
