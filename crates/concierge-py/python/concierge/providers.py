"""Host objects the engine calls: calendar providers and language models."""

from __future__ import annotations

import asyncio
import datetime as _dt
import inspect
import threading
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Iterable, List, Mapping, Optional, Protocol, Tuple, TypeVar, Union


class CalendarProvider(Protocol):
    """A calendar the booking engine consults and writes to.

    ``free_busy(start, end)`` returns the busy ``(start, end)`` periods (aware
    datetimes) overlapping ``[start, end)``; busy time is not bookable. A
    provider may also define ``create_event(event)``, ``update_event(event)``,
    ``delete_event(uid)`` and ``events(start, end)``, with events as dicts of
    ``uid`` (the booking's id), ``summary``, ``description``, ``start`` and
    ``end``; confirmed bookings are then written to it. Methods are called
    from the engine's threads with the GIL held; an exception makes the
    booking operation fail with :class:`concierge.BookingError` (kind
    ``backend``).
    """

    def free_busy(
        self, start: _dt.datetime, end: _dt.datetime
    ) -> Iterable[Tuple[_dt.datetime, _dt.datetime]]:
        """Busy periods overlapping ``[start, end)``."""
        ...


@dataclass(frozen=True)
class PromptMessage:
    """One message of a prompt: ``role`` is ``system``, ``user`` or ``assistant``."""

    role: str
    content: str


@dataclass(frozen=True)
class CompletionRequest:
    """What the engine asks a language model for.

    ``purpose`` says why (for example ``knowledge_answer``), ``messages`` is
    the prompt, oldest first (usually a ``system`` message, then the
    customer's question with the business's material), and ``max_tokens``
    bounds the answer's length.
    """

    purpose: str
    messages: List[PromptMessage]
    max_tokens: int


LanguageModelFunction = Callable[[CompletionRequest], Union[str, Awaitable[str]]]
"""A language model: takes a :class:`CompletionRequest` and returns the
answer's text, directly or from a coroutine (``async def``)."""

L = TypeVar("L", bound=LanguageModelFunction)

# The event loop whose `*_async` call the current worker thread runs, so a
# coroutine language model can be awaited on that loop (where its HTTP
# client lives) while the engine waits in the worker.
_calling = threading.local()


def _calling_loop() -> Optional[asyncio.AbstractEventLoop]:
    loop: Optional[asyncio.AbstractEventLoop] = getattr(_calling, "loop", None)
    return loop


def _run_in_worker(loop: asyncio.AbstractEventLoop, function: Callable[[], Any]) -> Any:
    """Runs ``function`` in the current (worker) thread, remembering ``loop``."""
    _calling.loop = loop
    try:
        return function()
    finally:
        _calling.loop = None


async def _wait(awaitable: Awaitable[str]) -> str:
    return await awaitable


def _settle(answer: Union[str, Awaitable[str]]) -> Any:
    """The language model's answer; awaits it when it is awaitable."""
    if not inspect.isawaitable(answer):
        return answer
    loop = _calling_loop()
    if loop is not None and loop.is_running():
        # Called from an `*_async` method: the loop is free while it awaits us.
        return asyncio.run_coroutine_threadsafe(_wait(answer), loop).result()
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        # A plain synchronous call: run the coroutine on a loop of its own.
        return asyncio.run(_wait(answer))
    close = getattr(answer, "close", None)
    if close is not None:
        close()
    raise RuntimeError(
        "an async language model called from a running event loop: use the engine's *_async methods"
    )


def _language_model_adapter(function: LanguageModelFunction) -> Callable[[Mapping[str, Any]], str]:
    """What the native engine calls: a request dict in, the answer's text out."""

    def complete(raw: Mapping[str, Any]) -> str:
        request = CompletionRequest(
            purpose=raw["purpose"],
            messages=[PromptMessage(role=m["role"], content=m["content"]) for m in raw["messages"]],
            max_tokens=raw["max_tokens"],
        )
        answer = _settle(function(request))
        if not isinstance(answer, str):
            raise TypeError(f"a language model must return a str, not {type(answer).__name__}")
        return answer

    return complete
