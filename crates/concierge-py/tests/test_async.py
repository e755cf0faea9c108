"""The async variants, for asyncio servers."""

from __future__ import annotations

import asyncio
import datetime as dt

import concierge
from conftest import NEW_YORK, NOW

BOOKING = ["I'd like to book a women's haircut tomorrow at 3pm", "Jane Doe", "+1 415 555 0100", "yes"]


def test_handle_async_runs_a_conversation(fresh_salon) -> None:
    async def run() -> concierge.Turn:
        turn = None
        for line in BOOKING:
            turn = await fresh_salon.handle_async("c", line, now=NOW)
        assert turn is not None
        return turn

    turn = asyncio.run(run())
    (confirmed,) = turn.events_of("booking_confirmed")
    assert confirmed.booking["start"] == "2026-03-03T15:00:00-05:00"


def test_concurrent_async_conversations(fresh_salon) -> None:
    async def one(i: int) -> str:
        return (await fresh_salon.handle_async(f"c{i}", "do you have parking?", now=NOW)).text

    async def many() -> list:
        return await asyncio.gather(*(one(i) for i in range(16)))

    texts = asyncio.run(many())
    assert len(texts) == 16 and len(set(texts)) == 1 and "parking" in texts[0].lower()


def test_async_parse_and_booking(fresh_salon) -> None:
    start = dt.datetime(2026, 3, 3, 11, 0, tzinfo=NEW_YORK)

    async def run() -> None:
        parse = await fresh_salon.parse_async("tomorrow at 3pm", now=NOW)
        assert parse.entity("datetime") is not None
        slots = await fresh_salon.find_slots_async("colour", start, start + dt.timedelta(hours=1), now=NOW)
        assert slots
        booking = await fresh_salon.book_async("colour", start, customer_name="Al", now=NOW)
        cancelled = await fresh_salon.cancel_async(booking.id, now=NOW)
        assert cancelled.status == "cancelled"

    asyncio.run(run())
