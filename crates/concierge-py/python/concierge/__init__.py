"""Concierge: an embeddable conversational engine for businesses.

>>> import concierge
>>> engine = concierge.Engine.from_file("examples/salon/bot.yaml")  # doctest: +SKIP
>>> engine.handle("c1", "do you have parking?").text  # doctest: +SKIP
"""

from ._concierge import __version__
from .engine import ActionFunction, ActionResult, Engine
from .providers import CalendarProvider, CompletionRequest, LanguageModelFunction, PromptMessage
from .errors import (
    BookingError,
    DialogError,
    Error,
    LanguageModelError,
    MessageError,
    SpecError,
    StoreError,
)
from .store import Store, StoredEvent
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
    "CompletionRequest",
    "DialogError",
    "Engine",
    "Entity",
    "EntityValue",
    "Error",
    "Event",
    "Intent",
    "LanguageModelError",
    "LanguageModelFunction",
    "MessageError",
    "Parse",
    "PromptMessage",
    "Reply",
    "Slot",
    "SpecError",
    "Store",
    "StoreError",
    "StoredEvent",
    "Turn",
    "__version__",
]
