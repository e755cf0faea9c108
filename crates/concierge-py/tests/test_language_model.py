"""A Python function as the engine's language model.

The engine asks its model through core's `LanguageModel` trait; these tests
call the registered function through that same trait object
(`complete_with_language_model`) to check what the function receives and
how its answers and failures come back.
"""

from __future__ import annotations

import asyncio
import threading
from typing import List, Optional

import pytest

import concierge
from conftest import NOW, SALON

PROMPT = [("system", "Answer from the business's material only."), ("user", "Is there parking?")]


def ask(engine: concierge.Engine) -> str:
    return engine._native.complete_with_language_model("knowledge_answer", PROMPT, 64)


def test_the_decorator_registers_a_function_that_gets_the_request() -> None:
    engine = concierge.Engine.from_file(SALON)
    assert not engine._native.has_language_model()
    seen: List[concierge.CompletionRequest] = []

    @engine.language_model
    def model(request: concierge.CompletionRequest) -> str:
        seen.append(request)
        return "Yes: free parking behind the salon."

    assert model.__name__ == "model"  # the decorator returns the function
    assert engine._native.has_language_model()
    assert ask(engine) == "Yes: free parking behind the salon."
    (request,) = seen
    assert request == concierge.CompletionRequest(
        purpose="knowledge_answer",
        messages=[concierge.PromptMessage(role=r, content=c) for r, c in PROMPT],
        max_tokens=64,
    )
    # The engine still runs (it was rebuilt with the model).
    assert engine.handle("c", "hello", now=NOW).replies
    engine.remove_language_model()
    assert not engine._native.has_language_model()
    with pytest.raises(LookupError):
        ask(engine)


def test_a_failing_model_is_a_language_model_error() -> None:
    def broken(request: concierge.CompletionRequest) -> str:
        raise concierge.LanguageModelError("quota exceeded")

    engine = concierge.Engine.from_file(SALON, language_model=broken)
    with pytest.raises(RuntimeError, match="language model failed: .*quota exceeded"):
        ask(engine)

    def not_text(request: concierge.CompletionRequest) -> str:
        return 42  # type: ignore[return-value]

    engine.language_model(not_text)
    with pytest.raises(RuntimeError, match="must return a str, not int"):
        ask(engine)


def test_an_async_model_runs_on_its_own_loop_in_a_plain_call() -> None:
    engine = concierge.Engine.from_file(SALON)

    @engine.language_model
    async def model(request: concierge.CompletionRequest) -> str:
        await asyncio.sleep(0)
        return f"{request.purpose}: {request.messages[-1].content}"

    assert ask(engine) == "knowledge_answer: Is there parking?"


def test_an_async_model_is_awaited_on_the_loop_of_the_async_call() -> None:
    engine = concierge.Engine.from_file(SALON)
    loops: List[Optional[asyncio.AbstractEventLoop]] = []

    @engine.language_model
    async def model(request: concierge.CompletionRequest) -> str:
        loops.append(asyncio.get_running_loop())
        return "from the server's loop"

    async def serve() -> str:
        from concierge.engine import _in_worker

        answer = await _in_worker(lambda: ask(engine))
        assert loops == [asyncio.get_running_loop()]
        assert threading.current_thread() is threading.main_thread()
        return answer

    assert asyncio.run(serve()) == "from the server's loop"


def test_an_async_model_called_inside_a_running_loop_fails_cleanly() -> None:
    engine = concierge.Engine.from_file(SALON)

    @engine.language_model
    async def model(request: concierge.CompletionRequest) -> str:
        return "never"

    async def blocking_call_in_the_loop() -> None:
        with pytest.raises(RuntimeError, match="use the engine's \\*_async methods"):
            ask(engine)

    asyncio.run(blocking_call_in_the_loop())


def test_the_engine_words_knowledge_answers_with_the_registered_model() -> None:
    plain = concierge.Engine.from_file(SALON).handle("k", "is there parking?", now=NOW)
    (hit,) = plain.events_of("kb_answer")
    requests: List[concierge.CompletionRequest] = []

    def model(request: concierge.CompletionRequest) -> str:
        requests.append(request)
        return "  Yes! Park for free behind the salon.  "

    engine = concierge.Engine.from_file(SALON, language_model=model)
    turn = engine.handle("k", "is there parking?", now=NOW)
    assert turn.text == "Yes! Park for free behind the salon."
    assert [e.id for e in turn.events_of("kb_answer")] == [hit.id]
    (request,) = requests
    assert request.purpose == "knowledge_answer"
    assert [m.role for m in request.messages] == ["system", "user"]
    assert "is there parking?" in request.messages[-1].content
    assert hit.title in request.messages[-1].content

    # A failing model: the engine answers with the entry's own text.
    def broken(request: concierge.CompletionRequest) -> str:
        raise concierge.LanguageModelError("offline")

    engine.language_model(broken)
    assert engine.handle("k2", "is there parking?", now=NOW).text == plain.text
