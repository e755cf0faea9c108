"""engine.parse: intent ranking and entities with Python values."""

from __future__ import annotations

import datetime as dt

import pytest

import concierge
from conftest import NEW_YORK, NOW


def test_intents_are_ranked_and_the_top_one_is_acted_on(salon) -> None:
    parse = salon.parse("I'd like to book a women's haircut tomorrow at 3pm", now=NOW)
    confidences = [i.confidence for i in parse.intents]
    assert confidences == sorted(confidences, reverse=True)
    assert all(0.0 <= c <= 1.0 for c in confidences)
    assert parse.intent == parse.intents[0]
    assert parse.intent.name == "book_appointment"


def test_datetime_entities_are_aware_datetimes_in_the_business_zone(salon) -> None:
    message = "book a haircut tomorrow at 3pm"
    parse = salon.parse(message, now=NOW)
    when = parse.entity("datetime")
    assert when is not None
    assert when.kind == "time"
    assert when.grain == "hour"
    assert when.value == dt.datetime(2026, 3, 3, 15, 0, tzinfo=NEW_YORK)
    assert isinstance(when.value, dt.datetime)
    assert when.value.utcoffset() == dt.timedelta(hours=-5)
    assert message[when.start : when.end] == when.text == "tomorrow at 3pm"


def test_offsets_count_characters_not_bytes(salon) -> None:
    message = "Réservez une coupe pour femme demain, tomorrow at 3pm"
    parse = salon.parse(message, now=NOW)
    when = parse.entity("datetime")
    assert when is not None
    assert message[when.start : when.end] == when.text


def test_service_and_phone_entities(salon) -> None:
    parse = salon.parse("a ladies cut please, call me on +1 415 555 0100", now=NOW)
    assert parse.entity("service") is not None
    assert parse.entity("service").value == "womens_haircut"
    phone = parse.entity("phone")
    assert phone is not None
    assert (phone.kind, phone.value) == ("phone", "+14155550100")


def test_now_is_resolved_in_any_zone_and_defaults_to_the_clock(salon) -> None:
    utc_now = NOW.astimezone(dt.timezone.utc)
    here = salon.parse("tomorrow at 3pm", now=NOW).entity("datetime")
    there = salon.parse("tomorrow at 3pm", now=utc_now).entity("datetime")
    assert here is not None and there is not None
    assert here.value == there.value
    assert salon.parse("hello").intent is not None


def test_naive_now_is_refused(salon) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        salon.parse("hello", now=dt.datetime(2026, 3, 2, 9, 0))


def test_parse_does_not_touch_conversations(salon) -> None:
    salon.parse("I'd like to book a women's haircut", now=NOW)
    assert salon.slots("anyone") is None
    assert isinstance(salon.parse("hi"), concierge.Parse)
