"""`Engine`: a bot loaded from its spec, holding conversations in memory."""

from __future__ import annotations

import asyncio
import datetime as _dt
import json
import os
import uuid
from typing import Any, Callable, Dict, List, Mapping, Optional, TypeVar, Union

from . import _concierge
from .errors import SpecError
from .providers import CalendarProvider
from .results import Booking, Event, Parse, Slot, Turn, _event, _parse, _turn

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


class Engine:
    """A bot: its engine, its bookings (in memory) and its conversations.

    Load one with :meth:`from_file`, :meth:`from_yaml` or :meth:`from_dict`.
    Methods release the GIL while the engine works, so threads run in
    parallel; the ``*_async`` variants run in asyncio's default executor.
    An engine is safe to share between threads; turns of one conversation
    run one at a time.
    """

    def __init__(self, native: _concierge.NativeEngine) -> None:
        """Wraps a native engine; use the ``from_*`` constructors instead."""
        self._native = native

    @classmethod
    def _load(
        cls,
        native: _concierge.NativeEngine,
        actions: Optional[Mapping[str, ActionFunction]],
        calendars: Optional[Mapping[Optional[str], CalendarProvider]],
    ) -> Engine:
        for name, function in (actions or {}).items():
            native.register_action(name, function)
        for staff, provider in (calendars or {}).items():
            native.add_calendar(provider, staff)
        if not native.missing_actions():
            # Train now so spec problems surface at load time; with actions
            # still to register, the engine is built on first use.
            native.build()
        return cls(native)

    @classmethod
    def from_yaml(
        cls,
        text: str,
        *,
        actions: Optional[Mapping[str, ActionFunction]] = None,
        calendars: Optional[Mapping[Optional[str], CalendarProvider]] = None,
    ) -> Engine:
        """Loads a bot spec from YAML (or JSON) text; raises :class:`SpecError`.

        ``actions`` maps action names to functions (see :meth:`action`);
        ``calendars`` maps a staff id, or ``None`` for the business, to a
        :class:`CalendarProvider`.
        """
        return cls._load(_concierge.NativeEngine.from_yaml(text), actions, calendars)

    @classmethod
    def from_file(
        cls,
        path: Union[str, "os.PathLike[str]"],
        *,
        actions: Optional[Mapping[str, ActionFunction]] = None,
        calendars: Optional[Mapping[Optional[str], CalendarProvider]] = None,
    ) -> Engine:
        """Loads a bot spec file: JSON when it ends in ``.json``, else YAML."""
        with open(path, encoding="utf-8") as f:
            text = f.read()
        if os.fspath(path).endswith(".json"):
            return cls._load(_concierge.NativeEngine.from_json(text), actions, calendars)
        return cls._load(_concierge.NativeEngine.from_yaml(text), actions, calendars)

    @classmethod
    def from_dict(
        cls,
        spec: Mapping[str, Any],
        *,
        actions: Optional[Mapping[str, ActionFunction]] = None,
        calendars: Optional[Mapping[Optional[str], CalendarProvider]] = None,
    ) -> Engine:
        """Loads a bot spec given as a dict (JSON-compatible values)."""
        try:
            text = json.dumps(spec)
        except (TypeError, ValueError) as e:
            raise SpecError("invalid bot spec (1 problem)", [("", f"not JSON-compatible: {e}")]) from e
        return cls._load(_concierge.NativeEngine.from_json(text), actions, calendars)

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

    def parse(self, text: str, now: Optional[_dt.datetime] = None) -> Parse:
        """The NLU's reading of ``text``, dates resolved against ``now`` (default: now)."""
        return _parse(self._native.parse(text, _instant(now, "now")))

    def handle(self, conversation_id: str, text: str, now: Optional[_dt.datetime] = None) -> Turn:
        """Handles one message of a conversation, kept in memory by its id."""
        raw = self._native.handle(conversation_id, text, _instant(now, "now"))
        return _turn(conversation_id, raw)

    def release(self, conversation_id: str) -> List[Event]:
        """Hands a conversation back to the bot after a person had it."""
        return [_event(e) for e in self._native.release(conversation_id)]

    def slots(self, conversation_id: str) -> Optional[Dict[str, Any]]:
        """The slots a conversation has collected, or ``None`` for an unknown one."""
        return self._native.slots(conversation_id)

    def reset(self, conversation_id: str) -> bool:
        """Forgets a conversation; returns whether it existed."""
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
        return await asyncio.get_running_loop().run_in_executor(None, self.parse, text, now)

    async def handle_async(
        self, conversation_id: str, text: str, now: Optional[_dt.datetime] = None
    ) -> Turn:
        """:meth:`handle` in a worker thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, self.handle, conversation_id, text, now)

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
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            None, lambda: self.find_slots(service, start, end, staff=staff, now=now)
        )

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
        return await asyncio.get_running_loop().run_in_executor(
            None,
            lambda: self.book(
                service,
                start,
                customer_name=customer_name,
                phone=phone,
                email=email,
                staff=staff,
                request_key=key,
                now=now,
            ),
        )

    async def cancel_async(self, booking_id: str, *, now: Optional[_dt.datetime] = None) -> Booking:
        """:meth:`cancel` in a worker thread."""
        return await asyncio.get_running_loop().run_in_executor(
            None, lambda: self.cancel(booking_id, now=now)
        )
