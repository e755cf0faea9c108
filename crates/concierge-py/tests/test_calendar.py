"""Python objects as calendar providers of the booking engine."""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict, Iterable, List, Tuple

import pytest

import concierge
from conftest import NEW_YORK, NOW, SALON

TUESDAY_3PM = dt.datetime(2026, 3, 3, 15, 0, tzinfo=NEW_YORK)
HOUR = dt.timedelta(hours=1)


class MemoryCalendar:
    """A calendar kept in a list, as a host's calendar client would be."""

    def __init__(self, busy: List[Tuple[dt.datetime, dt.datetime]]) -> None:
        self.busy = busy
        self.created: List[Dict[str, Any]] = []
        self.deleted: List[str] = []

    def free_busy(self, start: dt.datetime, end: dt.datetime) -> Iterable[Tuple[dt.datetime, dt.datetime]]:
        assert start.tzinfo is not None and end.tzinfo is not None
        return [(s, e) for s, e in self.busy if s < end and e > start]

    def create_event(self, event: Dict[str, Any]) -> None:
        self.created.append(event)

    def delete_event(self, uid: str) -> None:
        self.deleted.append(uid)


def test_busy_time_blocks_that_staff_member_and_bookings_are_written() -> None:
    maria = MemoryCalendar([(TUESDAY_3PM, TUESDAY_3PM + HOUR)])
    engine = concierge.Engine.from_file(SALON, calendars={"maria": maria})
    window = (TUESDAY_3PM, TUESDAY_3PM + dt.timedelta(minutes=1))
    assert [s.staff for s in engine.find_slots("womens_haircut", *window, now=NOW)] == ["sofia"]
    booking = engine.book("womens_haircut", TUESDAY_3PM + HOUR, customer_name="Ann", staff="maria", now=NOW)
    (event,) = maria.created
    assert event["uid"] == booking.id
    assert event["start"] == TUESDAY_3PM + HOUR
    assert event["end"] == TUESDAY_3PM + 2 * HOUR


def test_the_business_calendar_blocks_everyone_and_conversations_see_it(fresh_salon) -> None:
    fresh_salon.add_calendar(MemoryCalendar([(TUESDAY_3PM, TUESDAY_3PM + HOUR)]))
    turn = fresh_salon.handle("c", "I'd like to book a women's haircut tomorrow at 3pm", now=NOW)
    assert not turn.events_of("booking_confirmed")
    assert "3:00 PM" in turn.text and "Maria" in turn.text and "available" in turn.text


def test_a_failing_calendar_is_a_booking_error(fresh_salon) -> None:
    class Down:
        def free_busy(self, start: dt.datetime, end: dt.datetime) -> List[Tuple[dt.datetime, dt.datetime]]:
            raise ConnectionError("calendar server down")

    fresh_salon.add_calendar(Down())
    with pytest.raises(concierge.BookingError) as raised:
        fresh_salon.find_slots("colour", TUESDAY_3PM, TUESDAY_3PM + HOUR, now=NOW)
    assert raised.value.kind == "backend"
    assert "calendar server down" in str(raised.value)


def test_unknown_staff_calendar_is_refused(fresh_salon) -> None:
    with pytest.raises(concierge.BookingError) as raised:
        fresh_salon.add_calendar(MemoryCalendar([]), staff="zed")
    assert raised.value.kind == "unknown_staff"
