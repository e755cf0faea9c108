"""`Engine`: a bot loaded from its spec, holding conversations in memory or in a store."""

from __future__ import annotations

import asyncio
import datetime as _dt
import json
import os
import uuid
from functools import partial
from typing import Any, Callable, Dict, List, Mapping, Optional, TypeVar, Union

from . import _concierge
from .errors import SpecError
from .providers import (
    CalendarProvider,
    L,
    LanguageModelFunction,
    _language_model_adapter,
    _run_in_worker,
)
from .results import Booking, Event, Parse, Slot, Turn, _event, _parse, _turn
from .store import Store

T = TypeVar("T")

ActionResult = Optional[Mapping[str, Any]]
"""What an action returns: ``None`` (outcome ``ok``) or a dict with an
``outcome`` (default ``ok``, matched against the step's ``on`` table),
``slots`` to set (``str``, number, aware ``datetime`` or ``timedelta``
values) and ``say``, a text or a list of texts."""

ActionFunction = Callable[[Dict[str, Any]], ActionResult]
"""A host action: called with the conversation's slots."""

F = TypeVar("F", bound=ActionFunction)


def _instant(value: Optional[_dt.datetime], what: str) -> _dt.datetime:
    """An aware datetime in UTC; ``None`` is now."""
    if value is None:
        return _dt.datetime.now(_dt.timezone.utc)
    if not isinstance(value, _dt.datetime):
        raise TypeError(f"{what} must be a datetime, not {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, e.g. datetime.now(timezone.utc)")
    return value.astimezone(_dt.timezone.utc)


async def _in_worker(function: Callable[[], T]) -> T:
    """Runs ``function`` in asyncio's default executor, the loop remembered
    so that a coroutine language model is awaited on it."""
    loop = asyncio.get_running_loop()
    result: T = await loop.run_in_executor(None, partial(_run_in_worker, loop, function))
    return result


class Engine:
    """A bot: its engine, its bookings and its conversations.

    Load one with :meth:`from_file`, :meth:`from_yaml` or :meth:`from_dict`.
    Conversations and bookings are kept in memory, or in a
    :class:`concierge.Store` given as ``store=``. Methods release the GIL
    while the engine works, so threads run in parallel; the ``*_async``
    variants run in asyncio's default executor. An engine is safe to share
    between threads; turns of one conversation run one at a time.
    """

    def __init__(self, native: _concierge.NativeEngine, store: Optional[Store] = None) -> None:
        """Wraps a native engine; use the ``from_*`` constructors instead."""
        self._native = native
        self._store = store

    @classmethod
    def _load(
        cls,
        native: _concierge.NativeEngine,
        actions: Optional[Mapping[str, ActionFunction]],
        calendars: Optional[Mapping[Optional[str], CalendarProvider]],
        language_model: Optional[LanguageModelFunction],
        store: Optional[Store],
    ) -> Engine:
        for name, function in (actions or {}).items():
            native.register_action(name, function)
        for staff, provider in (calendars or {}).items():
            native.add_calendar(provider, staff)
        if language_model is not None:
            native.set_language_model(_language_model_adapter(language_model))
        if not native.missing_actions():
            # Train now so spec problems surface at load time; with actions
            # still to register, the engine is built on first use.
            native.build()
        return cls(native, store)

    @classmethod
    def from_yaml(
        cls,
        text: str,
        *,
        store: Optional[Store] = None,
        actions: Optional[Mapping[str, ActionFunction]] = None,
        calendars: Optional[Mapping[Optional[str], CalendarProvider]] = None,
        language_model: Optional[LanguageModelFunction] = None,
    ) -> Engine:
        """Loads a bot spec from YAML (or JSON) text; raises :class:`SpecError`.

        ``store`` keeps conversations and bookings in a database instead of
        memory; ``actions`` maps action names to functions (see
        :meth:`action`); ``calendars`` maps a staff id, or ``None`` for the
        business, to a :class:`CalendarProvider`; ``language_model`` is a
        function as for :meth:`language_model`.
        """
        native = _concierge.NativeEngine.from_yaml(text, _native_store(store))
        return cls._load(native, actions, calendars, language_model, store)

    @classmethod
    def from_file(
        cls,
        path: Union[str, "os.PathLike[str]"],
        *,
        store: Optional[Store] = None,
        actions: Optional[Mapping[str, ActionFunction]] = None,
        calendars: Optional[Mapping[Optional[str], CalendarProvider]] = None,
        language_model: Optional[LanguageModelFunction] = None,
    ) -> Engine:
        """Loads a bot spec file: JSON when it ends in ``.json``, else YAML.

        The keyword arguments are those of :meth:`from_yaml`.
        """
        with open(path, encoding="utf-8") as f:
            text = f.read()
        if os.fspath(path).endswith(".json"):
            native = _concierge.NativeEngine.from_json(text, _native_store(store))
        else:
            native = _concierge.NativeEngine.from_yaml(text, _native_store(store))
        return cls._load(native, actions, calendars, language_model, store)

    @classmethod
    def from_dict(
        cls,
        spec: Mapping[str, Any],
        *,
        store: Optional[Store] = None,
        actions: Optional[Mapping[str, ActionFunction]] = None,
        calendars: Optional[Mapping[Optional[str], CalendarProvider]] = None,
        language_model: Optional[LanguageModelFunction] = None,
    ) -> Engine:
        """Loads a bot spec given as a dict (JSON-compatible values).

        The keyword arguments are those of :meth:`from_yaml`.
        """
        try:
            text = json.dumps(spec)
        except (TypeError, ValueError) as e:
            raise SpecError("invalid bot spec (1 problem)", [("", f"not JSON-compatible: {e}")]) from e
        native = _concierge.NativeEngine.from_json(text, _native_store(store))
        return cls._load(native, actions, calendars, language_model, store)

    @property
    def store(self) -> Optional[Store]:
        """The store conversations and bookings are kept in, or ``None`` (memory)."""
        return self._store

    @property
    def business_timezone(self) -> str:
        """The business's IANA time zone, such as ``America/New_York``."""
        return self._native.business_timezone

    def action(self, name: str) -> Callable[[F], F]:
        """Registers the decorated function as the host action ``name``.

        The engine is rebuilt (its NLU retrained) on next use.
        """

        def register(function: F) -> F:
            self._native.register_action(name, function)
            return function

        return register

    def add_calendar(self, provider: CalendarProvider, *, staff: Optional[str] = None) -> None:
        """Adds a calendar: staff member ``staff``'s, or the business's (blocking everyone).

        Raises :class:`BookingError` for an unknown staff id. Bookings made so far are kept.
        """
        self._native.add_calendar(provider, staff)

    def language_model(self, function: L) -> L:
        """Sets ``function`` as the engine's language model; usable as a decorator.

        The engine may ask it to word answers (for example knowledge answers
        from the business's own entries). It is called from the engine's
        threads with a :class:`concierge.CompletionRequest` and returns the
        text; an ``async def`` function is awaited on the event loop of the
        ``*_async`` call that needs it (or on a loop of its own in a plain
        synchronous call). An exception, such as
        :class:`concierge.LanguageModelError`, or an answer that is not a
        ``str`` makes the engine answer without the model. The engine is
        rebuilt on next use.
        """
        self._native.set_language_model(_language_model_adapter(function))
        return function

    def remove_language_model(self) -> None:
        """Stops using a language model (the engine is rebuilt on next use)."""
        self._native.set_language_model(None)

    def parse(self, text: str, now: Optional[_dt.datetime] = None) -> Parse:
        """The NLU's reading of ``text``, dates resolved against ``now`` (default: now)."""
        return _parse(self._native.parse(text, _instant(now, "now")))

    def handle(self, conversation_id: str, text: str, now: Optional[_dt.datetime] = None) -> Turn:
        """Handles one message of a conversation, kept by its id in memory or in the store.

        With a store, the conversation's state is loaded from it and the
        turn's events and new state are appended to it atomically; turns of
        one conversation apply one after the other, also across processes.
        """
        raw = self._native.handle(conversation_id, text, _instant(now, "now"))
        return _turn(conversation_id, raw)

    def release(self, conversation_id: str) -> List[Event]:
        """Hands a conversation back to the bot after a person had it."""
        return [_event(e) for e in self._native.release(conversation_id)]

    def slots(self, conversation_id: str) -> Optional[Dict[str, Any]]:
        """The slots a conversation has collected, or ``None`` for an unknown one."""
        return self._native.slots(conversation_id)

    def reset(self, conversation_id: str) -> bool:
        """Forgets a conversation (in a store: closes it, keeping its log);
        returns whether it existed. The next message with this id starts anew."""
        return self._native.reset(conversation_id)

    def find_slots(
        self,
        service: str,
        start: _dt.datetime,
        end: _dt.datetime,
        *,
        staff: Optional[str] = None,
        now: Optional[_dt.datetime] = None,
    ) -> List[Slot]:
        """Bookable times of ``service`` (id, name or synonym) starting in ``[start, end)``."""
        raw = self._native.find_slots(
            service, _instant(start, "start"), _instant(end, "end"), staff, _instant(now, "now")
        )
        return [Slot(**s) for s in raw]

    def book(
        self,
        service: str,
        start: _dt.datetime,
        *,
        customer_name: str,
        phone: Optional[str] = None,
        email: Optional[str] = None,
        staff: Optional[str] = None,
        request_key: Optional[str] = None,
        now: Optional[_dt.datetime] = None,
    ) -> Booking:
        """Books ``service`` at ``start``; raises :class:`BookingError` when it cannot.

        Retrying with the same ``request_key`` returns the same booking.
        """
        raw = self._native.book(
            service,
            _instant(start, "start"),
            customer_name,
            phone,
            email,
            staff,
            request_key or uuid.uuid4().hex,
            _instant(now, "now"),
        )
        return Booking(**raw)

    def cancel(self, booking_id: str, *, now: Optional[_dt.datetime] = None) -> Booking:
        """Cancels a booking by id; raises :class:`BookingError` when it cannot."""
        return Booking(**self._native.cancel(booking_id, _instant(now, "now")))

    def booking(self, booking_id: str) -> Booking:
        """A booking by id."""
        return Booking(**self._native.booking(booking_id))

    async def parse_async(self, text: str, now: Optional[_dt.datetime] = None) -> Parse:
        """:meth:`parse` in a worker thread."""
        return await _in_worker(lambda: self.parse(text, now))

    async def handle_async(
        self, conversation_id: str, text: str, now: Optional[_dt.datetime] = None
    ) -> Turn:
        """:meth:`handle` in a worker thread."""
        return await _in_worker(lambda: self.handle(conversation_id, text, now))

    async def release_async(self, conversation_id: str) -> List[Event]:
        """:meth:`release` in a worker thread."""
        return await _in_worker(lambda: self.release(conversation_id))

    async def find_slots_async(
        self,
        service: str,
        start: _dt.datetime,
        end: _dt.datetime,
        *,
        staff: Optional[str] = None,
        now: Optional[_dt.datetime] = None,
    ) -> List[Slot]:
        """:meth:`find_slots` in a worker thread."""
        return await _in_worker(lambda: self.find_slots(service, start, end, staff=staff, now=now))

    async def book_async(
        self,
        service: str,
        start: _dt.datetime,
        *,
        customer_name: str,
        phone: Optional[str] = None,
        email: Optional[str] = None,
        staff: Optional[str] = None,
        request_key: Optional[str] = None,
        now: Optional[_dt.datetime] = None,
    ) -> Booking:
        """:meth:`book` in a worker thread."""
        key = request_key or uuid.uuid4().hex
        return await _in_worker(
            lambda: self.book(
                service,
                start,
                customer_name=customer_name,
                phone=phone,
                email=email,
                staff=staff,
                request_key=key,
                now=now,
            )
        )

    async def cancel_async(self, booking_id: str, *, now: Optional[_dt.datetime] = None) -> Booking:
        """:meth:`cancel` in a worker thread."""
        return await _in_worker(lambda: self.cancel(booking_id, now=now))


def _native_store(store: Optional[Store]) -> Optional[_concierge.NativeStore]:
    if store is None:
        return None
    if not isinstance(store, Store):
        raise TypeError(f"store must be a concierge.Store, not {type(store).__name__}")
    return store._native
