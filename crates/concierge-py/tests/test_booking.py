"""The booking API: slots, bookings, cancellations."""

from __future__ import annotations

import datetime as dt

import pytest

import concierge
from conftest import NEW_YORK, NOW

TUESDAY_3PM = dt.datetime(2026, 3, 3, 15, 0, tzinfo=NEW_YORK)


def test_find_slots_in_a_day(fresh_salon) -> None:
    day = dt.datetime(2026, 3, 3, 0, 0, tzinfo=NEW_YORK)
    slots = fresh_salon.find_slots("womens_haircut", day, day + dt.timedelta(days=1), now=NOW)
    assert slots
    assert all(isinstance(s, concierge.Slot) for s in slots)
    # Open 9:00-19:00, 60 minutes, every 30 minutes: 9:00 to 18:00.
    starts = sorted({s.start for s in slots})
    assert starts[0] == dt.datetime(2026, 3, 3, 9, 0, tzinfo=NEW_YORK)
    assert starts[-1] == dt.datetime(2026, 3, 3, 18, 0, tzinfo=NEW_YORK)
    assert all(s.end - s.start == dt.timedelta(hours=1) for s in slots)
    assert {s.staff for s in slots} <= {"maria", "sofia"}
    only_sofia = fresh_salon.find_slots("womens_haircut", day, day + dt.timedelta(days=1), staff="sofia", now=NOW)
    assert {s.staff for s in only_sofia} == {"sofia"}


def test_book_takes_the_slot_and_cancel_frees_it(fresh_salon) -> None:
    booking = fresh_salon.book("womens_haircut", TUESDAY_3PM, customer_name="Ann Lee", phone="+14155550101",
                               staff="maria", now=NOW)
    assert booking.status == "confirmed"
    assert (booking.start, booking.end) == (TUESDAY_3PM, TUESDAY_3PM + dt.timedelta(hours=1))
    assert booking.start.utcoffset() == dt.timedelta(hours=-5)
    assert (booking.customer_name, booking.phone, booking.email) == ("Ann Lee", "+14155550101", None)
    window = (TUESDAY_3PM, TUESDAY_3PM + dt.timedelta(minutes=1))
    assert fresh_salon.find_slots("womens_haircut", *window, staff="maria", now=NOW) == []
    with pytest.raises(concierge.BookingError) as raised:
        fresh_salon.book("womens_haircut", TUESDAY_3PM, customer_name="Bo", staff="maria", now=NOW)
    assert raised.value.kind == "not_available"

    cancelled = fresh_salon.cancel(booking.id, now=NOW)
    assert cancelled.status == "cancelled"
    assert fresh_salon.booking(booking.id).status == "cancelled"
    assert [s.staff for s in fresh_salon.find_slots("womens_haircut", *window, staff="maria", now=NOW)] == ["maria"]


def test_the_same_request_key_books_once(fresh_salon) -> None:
    first = fresh_salon.book("blow dry", TUESDAY_3PM, customer_name="Cy", request_key="k1", now=NOW)
    again = fresh_salon.book("blow dry", TUESDAY_3PM, customer_name="Cy", request_key="k1", now=NOW)
    assert first == again
    other = fresh_salon.book("blow dry", TUESDAY_3PM, customer_name="Di", now=NOW)
    assert other.id != first.id and other.staff != first.staff


def test_booking_errors_are_typed(fresh_salon) -> None:
    cases = [
        (lambda: fresh_salon.book("nail art", TUESDAY_3PM, customer_name="E", now=NOW), "unknown_service"),
        (lambda: fresh_salon.book("colour", TUESDAY_3PM, customer_name="E", staff="zed", now=NOW), "unknown_staff"),
        (lambda: fresh_salon.cancel("bk_nope", now=NOW), "not_found"),
        (lambda: fresh_salon.book("colour", NOW - dt.timedelta(days=1), customer_name="E", now=NOW), "not_available"),
        (lambda: fresh_salon.find_slots("colour", TUESDAY_3PM, TUESDAY_3PM - dt.timedelta(days=1), now=NOW),
         "end_before_start"),
        (lambda: fresh_salon.find_slots("colour", TUESDAY_3PM, TUESDAY_3PM + dt.timedelta(days=400), now=NOW),
         "range_too_long"),
    ]
    for call, kind in cases:
        with pytest.raises(concierge.BookingError) as raised:
            call()
        assert raised.value.kind == kind, str(raised.value)
        assert str(raised.value)


def test_cancelling_twice_returns_the_cancelled_booking(fresh_salon) -> None:
    booking = fresh_salon.book("colour", TUESDAY_3PM, customer_name="F", now=NOW)
    first = fresh_salon.cancel(booking.id, now=NOW)
    assert fresh_salon.cancel(booking.id, now=NOW) == first


def test_cancelling_after_the_cutoff_is_refused(fresh_salon) -> None:
    booking = fresh_salon.book("colour", TUESDAY_3PM, customer_name="F", now=NOW)
    with pytest.raises(concierge.BookingError) as raised:
        fresh_salon.cancel(booking.id, now=TUESDAY_3PM - dt.timedelta(hours=1))
    assert raised.value.kind == "not_allowed"


def test_naive_times_are_refused(fresh_salon) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        fresh_salon.book("colour", dt.datetime(2026, 3, 3, 15), customer_name="G", now=NOW)


def test_bookings_made_in_chat_and_through_the_api_share_the_calendar(fresh_salon) -> None:
    for staff in ("maria", "sofia"):
        fresh_salon.book("womens_haircut", TUESDAY_3PM, customer_name="H", staff=staff, now=NOW)
    turn = fresh_salon.handle("c", "I'd like to book a women's haircut tomorrow at 3pm", now=NOW)
    assert "already booked" in turn.text
    assert "2:00 PM with Maria" in turn.text
