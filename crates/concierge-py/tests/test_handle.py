"""engine.handle: conversations kept in memory by id, replies and events."""

from __future__ import annotations

import datetime as dt

import pytest

import concierge
from conftest import NEW_YORK, NOW

BOOKING = ["I'd like to book a women's haircut tomorrow at 3pm", "Jane Doe", "+1 415 555 0100", "yes"]


def test_a_booking_conversation_confirms_and_reports_events(fresh_salon) -> None:
    turns = [fresh_salon.handle("c1", line, now=NOW) for line in BOOKING]
    first = turns[0]
    assert first.conversation_id == "c1"
    assert first.events[0].to_dict() == {"type": "user_message", "text": BOOKING[0]}
    assert [e.flow for e in first.events_of("flow_started")] == ["book"]
    assert first.parse is not None and first.parse.intent is not None
    assert first.parse.intent.name == "book_appointment"
    last = turns[-1]
    (confirmed,) = last.events_of("booking_confirmed")
    assert confirmed.booking["start"] == "2026-03-03T15:00:00-05:00"
    assert confirmed.booking["reference"] in last.text
    slots = fresh_salon.slots("c1")
    assert slots is not None
    assert slots["customer_name"] == "Jane Doe"
    assert slots["phone"] == "+14155550100"
    assert slots["datetime"] == dt.datetime(2026, 3, 3, 15, 0, tzinfo=NEW_YORK)
    # The booking is real: the same time is now taken for Maria.
    booked = fresh_salon.booking(confirmed.booking["id"])
    assert booked.status == "confirmed"
    assert booked.staff == "maria"


def test_conversations_are_separate(fresh_salon) -> None:
    fresh_salon.handle("a", "I'd like to book a women's haircut tomorrow at 3pm", now=NOW)
    other = fresh_salon.handle("b", "Jane Doe", now=NOW)
    # "b" keeps the name it was told, but nothing of "a" and no flow of "a".
    assert [e.to_dict()["name"] for e in other.events_of("slot_set")] == ["customer_name"]
    assert other.events_of("flow_started") == [] and other.events_of("booking_confirmed") == []
    waiting = fresh_salon.handle("a", "Jane Doe", now=NOW)
    assert [e.to_dict() for e in waiting.events_of("slot_set")] == [
        {"type": "slot_set", "name": "customer_name", "value": "Jane Doe"}
    ]


def test_reset_forgets_a_conversation(fresh_salon) -> None:
    fresh_salon.handle("a", "I'd like to book a women's haircut tomorrow at 3pm", now=NOW)
    assert fresh_salon.reset("a") is True
    assert fresh_salon.reset("a") is False
    assert fresh_salon.slots("a") is None


def test_replies_carry_buttons(fresh_salon) -> None:
    turn = fresh_salon.handle("g", "Hi", now=NOW)
    assert turn.replies
    assert all(isinstance(r, concierge.Reply) for r in turn.replies)
    assert any(b.title == "Book an appointment" for r in turn.replies for b in r.buttons)


def test_handoff_and_release(fresh_salon) -> None:
    turn = fresh_salon.handle("h", "I want to talk to a person", now=NOW)
    assert turn.events_of("handoff_requested")
    silent = fresh_salon.handle("h", "hello?", now=NOW)
    assert silent.replies == []
    assert [e.type for e in fresh_salon.release("h")] == ["handoff_released"]
    assert fresh_salon.release("h") == []
    assert fresh_salon.handle("h", "Hi", now=NOW).replies


def test_event_fields_are_attributes_and_to_dict_is_a_copy(fresh_salon) -> None:
    turn = fresh_salon.handle("e", "Hi", now=NOW)
    event = turn.events[0]
    assert event.type == "user_message"
    assert event.text == "Hi"
    with pytest.raises(AttributeError):
        event.no_such_field
    d = event.to_dict()
    d["text"] = "changed"
    assert event.text == "Hi"


@pytest.mark.parametrize("text", ["", "   ", "x" * 5000])
def test_bad_messages_raise_message_error(fresh_salon, text: str) -> None:
    with pytest.raises(concierge.MessageError) as raised:
        fresh_salon.handle("bad", text, now=NOW)
    assert isinstance(raised.value, concierge.Error)
    assert isinstance(raised.value, ValueError)
