"""Concierge: an embeddable conversational engine for businesses.

>>> import concierge
>>> engine = concierge.Engine.from_file("examples/salon/bot.yaml")  # doctest: +SKIP
>>> engine.handle("c1", "do you have parking?").text  # doctest: +SKIP
"""

from ._concierge import __version__
from .engine import ActionFunction, ActionResult, Engine
from .providers import CalendarProvider
from .errors import BookingError, DialogError, Error, MessageError, SpecError, StoreError
from .results import (
    Booking,
    Button,
    Entity,
    EntityValue,
    Event,
    Intent,
    Parse,
    Reply,
    Slot,
    Turn,
)

__all__ = [
    "ActionFunction",
    "ActionResult",
    "Booking",
    "BookingError",
    "Button",
    "CalendarProvider",
    "DialogError",
    "Engine",
    "Entity",
    "EntityValue",
    "Error",
    "Event",
    "Intent",
    "MessageError",
    "Parse",
    "Reply",
    "Slot",
    "SpecError",
    "StoreError",
    "Turn",
    "__version__",
]
