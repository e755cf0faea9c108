"""What the engine returns: parses, turns, events and bookings, as frozen dataclasses."""

from __future__ import annotations

import copy
import datetime as _dt
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Tuple, Union

EntityValue = Union[
    str,
    float,
    _dt.datetime,
    Tuple[Optional[_dt.datetime], Optional[_dt.datetime]],
    _dt.timedelta,
]
"""An entity's resolved value: ``str`` for text, email and phone (E.164),
``float`` for numbers, an aware ``datetime`` for times, a ``(start, end)``
tuple for intervals (``end`` exclusive) and a ``timedelta`` for durations."""


@dataclass(frozen=True)
class Intent:
    """An intent and the classifier's confidence in it, between 0 and 1."""

    name: str
    confidence: float


@dataclass(frozen=True)
class Entity:
    """An entity found in a message.

    ``kind`` is ``text``, ``number``, ``email``, ``phone``, ``time``,
    ``interval`` or ``duration``; ``grain`` is the precision of times
    (``minute``, ``hour``, ``day``, ...); ``start`` and ``end`` are character
    offsets, so ``message[e.start:e.end] == e.text``.
    """

    entity: str
    kind: str
    value: EntityValue
    text: str
    start: int
    end: int
    grain: Optional[str] = None


@dataclass(frozen=True)
class Parse:
    """What a message means: every intent ranked, the one acted on, and the entities."""

    intents: List[Intent]
    intent: Optional[Intent]
    entities: List[Entity]

    def entity(self, name: str) -> Optional[Entity]:
        """The first entity called ``name``, if any."""
        return next((e for e in self.entities if e.entity == name), None)


@dataclass(frozen=True)
class Button:
    """A quick reply: what it shows and what it sends back when pressed."""

    title: str
    payload: str


@dataclass(frozen=True)
class Reply:
    """A message from the bot."""

    text: str
    buttons: List[Button] = field(default_factory=list)


@dataclass(frozen=True)
class Event:
    """Something that happened during a turn.

    ``type`` is one of ``user_message``, ``intent_detected``, ``slot_set``,
    ``flow_started``, ``flow_completed``, ``flow_cancelled``, ``kb_answer``,
    ``out_of_scope``, ``handoff_requested``, ``handoff_released``,
    ``booking_confirmed``, ``booking_cancelled``, ``booking_rescheduled`` and
    ``bot_message``. Its fields are attributes (``event.booking``,
    ``event.name``) and ``to_dict()`` gives the JSON form the HTTP API and
    the CLI use.
    """

    type: str
    data: Mapping[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name == "data":
            raise AttributeError(name)
        try:
            return self.data[name]
        except KeyError:
            raise AttributeError(f"{self.type} event has no field {name!r}") from None

    def to_dict(self) -> Dict[str, Any]:
        """The event as a JSON-ready dict with its ``type``."""
        out: Dict[str, Any] = {"type": self.type}
        out.update(copy.deepcopy(dict(self.data)))
        return out


@dataclass(frozen=True)
class Turn:
    """The result of one message: the bot's replies, the events, and the parse."""

    conversation_id: str
    replies: List[Reply]
    events: List[Event]
    parse: Optional[Parse]

    @property
    def text(self) -> str:
        """The replies' texts, one per line."""
        return "\n".join(r.text for r in self.replies)

    def events_of(self, type: str) -> List[Event]:
        """The events of one type, in order."""
        return [e for e in self.events if e.type == type]


@dataclass(frozen=True)
class Slot:
    """A bookable time and who would do the work (a staff id)."""

    start: _dt.datetime
    end: _dt.datetime
    staff: str


@dataclass(frozen=True)
class Booking:
    """A booking; times are aware datetimes at the business's UTC offset.

    ``status`` is ``held``, ``confirmed``, ``cancelled``, ``rescheduled`` or ``no_show``.
    """

    id: str
    reference: str
    service: str
    staff: str
    start: _dt.datetime
    end: _dt.datetime
    customer_name: str
    phone: Optional[str]
    email: Optional[str]
    status: str


def _intent(d: Mapping[str, Any]) -> Intent:
    return Intent(name=d["name"], confidence=d["confidence"])


def _parse(d: Mapping[str, Any]) -> Parse:
    return Parse(
        intents=[_intent(i) for i in d["intents"]],
        intent=_intent(d["intent"]) if d["intent"] is not None else None,
        entities=[Entity(**e) for e in d["entities"]],
    )


def _event(d: Mapping[str, Any]) -> Event:
    data = dict(d)
    kind = data.pop("type")
    return Event(type=kind, data=data)


def _turn(conversation_id: str, d: Mapping[str, Any]) -> Turn:
    replies = [
        Reply(text=r["text"], buttons=[Button(**b) for b in r.get("buttons", [])])
        for r in d["replies"]
    ]
    return Turn(
        conversation_id=conversation_id,
        replies=replies,
        events=[_event(e) for e in d["events"]],
        parse=_parse(d["parse"]) if d["parse"] is not None else None,
    )
