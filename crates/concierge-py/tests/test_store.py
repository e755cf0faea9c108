"""Conversations and bookings kept in a store: SQLite always, PostgreSQL when
CONCIERGE_TEST_POSTGRES_URL names a server (CI sets it)."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import threading
import uuid
from pathlib import Path
from typing import Callable, Iterator, List
from urllib.parse import unquote, urlsplit, urlunsplit

import pytest

import concierge
from conftest import NEW_YORK, NOW, SALON

BOOKING = ["I'd like to book a women's haircut tomorrow at 3pm", "Jane Doe", "+1 415 555 0100", "yes"]
TUESDAY_3PM = dt.datetime(2026, 3, 3, 15, 0, tzinfo=NEW_YORK)
POSTGRES_URL_VAR = "CONCIERGE_TEST_POSTGRES_URL"

# Opens the same database again, as another process (or the same one after a
# restart) would: a new Store object with nothing cached.
OpenStore = Callable[[], concierge.Store]


def _sqlite(tmp_path: Path) -> Iterator[OpenStore]:
    path = tmp_path / "concierge.db"
    yield lambda: concierge.Store.sqlite(path, tenant="salon")


def _postgres() -> Iterator[OpenStore]:
    """A scratch database owned by a fresh ordinary role (the store refuses
    superusers, which bypass row-level security), dropped afterwards."""
    admin_url = os.environ.get(POSTGRES_URL_VAR, "")
    if not admin_url:
        pytest.skip(f"{POSTGRES_URL_VAR} is not set: PostgreSQL tests skipped (CI sets it)")
    import pg8000.native

    parts = urlsplit(admin_url)
    admin = pg8000.native.Connection(
        user=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        database=parts.path.lstrip("/") or "postgres",
    )
    suffix = uuid.uuid4().hex[:16]
    role, database = f"concierge_py_{suffix}", f"concierge_py_{suffix}"
    admin.run(f"CREATE ROLE {role} LOGIN PASSWORD 'app' NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE")
    admin.run(f"CREATE DATABASE {database} OWNER {role}")
    netloc = f"{role}:app@{parts.hostname}:{parts.port or 5432}"
    url = urlunsplit((parts.scheme, netloc, f"/{database}", "", ""))
    try:
        yield lambda: concierge.Store.postgres(url, tenant="salon")
    finally:
        admin.run(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        admin.run(f"DROP ROLE IF EXISTS {role}")
        admin.close()


@pytest.fixture(params=["sqlite", "postgres"])
def open_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[OpenStore]:
    """A function opening one fresh database, on each backend."""
    if request.param == "sqlite":
        yield from _sqlite(tmp_path)
    else:
        yield from _postgres()


def salon(store: concierge.Store) -> concierge.Engine:
    return concierge.Engine.from_file(SALON, store=store)


def test_a_conversation_continues_after_a_restart(open_store: OpenStore) -> None:
    store = open_store()
    engine = salon(store)
    assert engine.store is store
    for line in BOOKING[:2]:
        engine.handle("web-42", line, now=NOW)
    before = engine.slots("web-42")
    assert before is not None and before["customer_name"] == "Jane Doe"
    del engine, store

    # A new process: a new store object and engine on the same database.
    store = open_store()
    engine = salon(store)
    assert engine.slots("web-42") == before
    for line in BOOKING[2:]:
        turn = engine.handle("web-42", line, now=NOW)
    (confirmed,) = turn.events_of("booking_confirmed")
    assert confirmed.booking["start"] == "2026-03-03T15:00:00-05:00"
    assert confirmed.booking["customer"]["name"] == "Jane Doe"

    # The booking is in the store's booking tables, seen by yet another engine.
    again = salon(open_store())
    booking = again.booking(confirmed.booking["id"])
    assert (booking.status, booking.start, booking.customer_name) == ("confirmed", TUESDAY_3PM, "Jane Doe")

    # The event log holds every turn in order, with gapless sequence numbers.
    log = store.events("web-42")
    assert log is not None
    assert [e.seq for e in log] == list(range(1, len(log) + 1))
    users = [e for e in log if e.event.type == "user_message"]
    assert [e.event.text for e in users] == BOOKING
    assert [e.turn for e in users] == [1, 2, 3, 4]
    assert [e.event.type for e in log].count("booking_confirmed") == 1
    assert all(e.recorded_at.tzinfo is not None for e in log)


def test_bookings_made_through_the_api_persist(open_store: OpenStore) -> None:
    engine = salon(open_store())
    booking = engine.book("womens_haircut", TUESDAY_3PM, customer_name="Ann Lee", phone="+14155550101",
                          staff="maria", request_key="ann-1", now=NOW)
    restarted = salon(open_store())
    assert restarted.booking(booking.id) == booking
    window = (TUESDAY_3PM, TUESDAY_3PM + dt.timedelta(minutes=1))
    assert restarted.find_slots("womens_haircut", *window, staff="maria", now=NOW) == []
    # The same request key returns the stored booking instead of booking twice.
    assert restarted.book("womens_haircut", TUESDAY_3PM, customer_name="Ann Lee", staff="maria",
                          request_key="ann-1", now=NOW) == booking
    assert restarted.cancel(booking.id, now=NOW).status == "cancelled"
    assert salon(open_store()).booking(booking.id).status == "cancelled"


def test_threads_booking_one_slot_get_exactly_one_booking(open_store: OpenStore) -> None:
    # Two engines on two store objects, as two processes would have.
    engines = [salon(open_store()), salon(open_store())]
    booked: List[concierge.Booking] = []
    refused: List[str] = []
    lock = threading.Lock()
    start = threading.Barrier(8, timeout=120)

    def attempt(i: int) -> None:
        start.wait()
        try:
            b = engines[i % 2].book("womens_haircut", TUESDAY_3PM, customer_name=f"Customer {i}",
                                    staff="maria", now=NOW)
            with lock:
                booked.append(b)
        except concierge.BookingError as e:
            with lock:
                refused.append(e.kind)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(booked) == 1, booked
    assert refused == ["not_available"] * 7
    assert booked[0].status == "confirmed"


def test_conversations_racing_for_the_last_slot_confirm_once(open_store: OpenStore) -> None:
    engine = salon(open_store())
    # Sofia is taken at 3pm; Maria's 3pm is the last women's haircut then.
    engine.book("womens_haircut", TUESDAY_3PM, customer_name="Early Bird", staff="sofia", now=NOW)
    other = salon(open_store())
    turns: List[concierge.Turn] = []
    lock = threading.Lock()
    start = threading.Barrier(6, timeout=120)

    def converse(i: int) -> None:
        e = engine if i % 2 else other
        for line in BOOKING[:-1]:
            e.handle(f"race-{i}", line, now=NOW)
        start.wait()
        turn = e.handle(f"race-{i}", "yes", now=NOW)
        with lock:
            turns.append(turn)

    threads = [threading.Thread(target=converse, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    confirmed = [ev for t in turns for ev in t.events_of("booking_confirmed")]
    assert len(confirmed) == 1
    assert confirmed[0].booking["staff"] == "Maria"
    # The others were told the time is gone (and asked for another).
    assert sum(1 for t in turns if not t.events_of("booking_confirmed")) == 5


def test_concurrent_messages_to_one_conversation_apply_one_after_the_other(open_store: OpenStore) -> None:
    engines = [salon(open_store()), salon(open_store())]
    messages = [f"do you have parking? ({i})" for i in range(12)]
    start = threading.Barrier(len(messages), timeout=120)

    def send(i: int) -> None:
        start.wait()
        engines[i % 2].handle("shared", messages[i], now=NOW)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(messages))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    log = engines[0].store.events("shared") if engines[0].store else None
    assert log is not None
    assert [e.seq for e in log] == list(range(1, len(log) + 1))
    users = [e for e in log if e.event.type == "user_message"]
    assert sorted(e.event.text for e in users) == sorted(messages)
    # One user message per turn, turns numbered 1..12 in log order.
    assert [e.turn for e in users] == list(range(1, 13))
    turns_in_order = [e.turn for e in log]
    assert turns_in_order == sorted(turns_in_order)


def test_reset_closes_the_conversation_and_the_next_message_starts_anew(open_store: OpenStore) -> None:
    store = open_store()
    engine = salon(store)
    assert engine.slots("c") is None
    assert store.events("c") is None
    assert engine.reset("c") is False
    engine.handle("c", BOOKING[0], now=NOW)
    assert engine.slots("c") is not None
    assert engine.reset("c") is True
    assert engine.slots("c") is None
    assert store.events("c") is None
    engine.handle("c", "hello", now=NOW)
    log = store.events("c")
    assert log is not None and [e.event.text for e in log if e.event.type == "user_message"] == ["hello"]
    assert engine.slots("c") == {}


def test_a_handoff_survives_a_restart_until_released(open_store: OpenStore) -> None:
    engine = salon(open_store())
    assert engine.handle("h", "I want to talk to a person", now=NOW).events_of("handoff_requested")
    restarted = salon(open_store())
    assert restarted.handle("h", "hello?", now=NOW).replies == []
    assert [e.type for e in restarted.release("h")] == ["handoff_released"]
    assert restarted.release("h") == []
    assert restarted.release("never-seen") == []
    assert salon(open_store()).handle("h", "Hi", now=NOW).replies
    log = restarted.store.events("h") if restarted.store else None
    assert log is not None
    assert [e.event.type for e in log].count("handoff_released") == 1


def test_handle_async_with_a_store(open_store: OpenStore) -> None:
    engine = salon(open_store())

    async def run() -> concierge.Turn:
        turn = None
        for line in BOOKING:
            turn = await engine.handle_async("async-1", line, now=NOW)
        assert turn is not None
        return turn

    turn = asyncio.run(run())
    assert len(turn.events_of("booking_confirmed")) == 1


def test_tenants_are_kept_apart(tmp_path: Path) -> None:
    path = tmp_path / "two.db"
    a = salon(concierge.Store.sqlite(path, tenant="salon-a"))
    b_store = concierge.Store.sqlite(path, tenant="salon-b", tenant_name="Salon B")
    b = salon(b_store)
    assert (b_store.tenant, b_store.backend) == ("salon-b", "sqlite")
    booking = a.book("womens_haircut", TUESDAY_3PM, customer_name="Ann", staff="maria", now=NOW)
    a.handle("c", BOOKING[0], now=NOW)
    assert b.slots("c") is None
    with pytest.raises(concierge.BookingError) as raised:
        b.booking(booking.id)
    assert raised.value.kind == "not_found"
    # Tenant B's Maria is free at 3pm.
    window = (TUESDAY_3PM, TUESDAY_3PM + dt.timedelta(minutes=1))
    assert [s.staff for s in b.find_slots("womens_haircut", *window, staff="maria", now=NOW)] == ["maria"]


def test_bad_store_arguments_raise_store_error(tmp_path: Path) -> None:
    with pytest.raises(concierge.StoreError) as raised:
        concierge.Store.sqlite(tmp_path / "x.db", tenant="no spaces allowed")
    assert raised.value.kind == "invalid"
    with pytest.raises(concierge.StoreError) as raised:
        concierge.Store.postgres("mysql://localhost/db")
    assert raised.value.kind == "invalid"
    with pytest.raises(concierge.StoreError) as raised:
        concierge.Store.sqlite(":memory:")
    assert raised.value.kind == "invalid"
    with pytest.raises(concierge.StoreError) as raised:
        concierge.Store.sqlite(tmp_path / "missing-dir" / "x.db")
    assert raised.value.kind == "database"
    assert isinstance(raised.value, concierge.Error)
    with pytest.raises(TypeError):
        concierge.Engine.from_file(SALON, store="sqlite://x.db")  # type: ignore[arg-type]


def test_a_postgres_superuser_is_refused() -> None:
    url = os.environ.get(POSTGRES_URL_VAR, "")
    if not url:
        pytest.skip(f"{POSTGRES_URL_VAR} is not set: PostgreSQL tests skipped (CI sets it)")
    try:
        concierge.Store.postgres(url)
    except concierge.StoreError as e:
        assert e.kind == "role_bypasses_row_security"
    else:
        pytest.skip("the role in the URL is an ordinary one; nothing to refuse")
