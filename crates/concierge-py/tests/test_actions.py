"""Python callables as host actions."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any, Dict, List

import concierge
from conftest import loyalty_spec


def test_a_registered_action_runs_with_the_slots_and_sets_slots() -> None:
    engine = concierge.Engine.from_dict(loyalty_spec())
    seen: List[Dict[str, Any]] = []

    @engine.action("check_loyalty")
    def check_loyalty(slots: Dict[str, Any]) -> Dict[str, Any]:
        seen.append(dict(slots))
        return {"slots": {"points": 120}}

    turn = engine.handle("c", "how many points do I have")
    assert turn.text == "You have 120 points."
    assert seen == [{}]
    assert engine.slots("c") == {"points": 120.0}
    # The decorator returns the function unchanged.
    assert check_loyalty({}) == {"slots": {"points": 120}}


def test_outcome_picks_the_branch_and_say_adds_replies() -> None:
    def gold(slots: Dict[str, Any]) -> Dict[str, Any]:
        return {"outcome": "gold", "slots": {"points": 9000, "tier": "gold"}, "say": "Welcome back!"}

    engine = concierge.Engine.from_dict(loyalty_spec(), actions={"check_loyalty": gold})
    turn = engine.handle("c", "check my loyalty points")
    assert [r.text for r in turn.replies] == ["Welcome back!", "Gold member with 9000 points!"]
    assert {e.name: e.value for e in turn.events_of("slot_set")} == {"points": "9000", "tier": "gold"}


def test_the_action_sees_earlier_slots_as_python_values() -> None:
    engine = concierge.Engine.from_dict(loyalty_spec())
    seen: List[Dict[str, Any]] = []
    when = dt.datetime(2026, 3, 2, 10, 30, tzinfo=dt.timezone.utc)

    @engine.action("check_loyalty")
    def first(slots: Dict[str, Any]) -> Dict[str, Any]:
        seen.append(dict(slots))
        return {"slots": {"tier": when, "points": 3}}

    engine.handle("c", "loyalty balance")
    engine.handle("c", "loyalty balance")
    assert seen[1]["points"] == 3.0
    assert seen[1]["tier"] == when


def test_returning_none_is_ok() -> None:
    engine = concierge.Engine.from_dict(loyalty_spec(), actions={"check_loyalty": lambda slots: None})
    turn = engine.handle("c", "my points balance")
    # No points were set, so "You have {points} points." cannot be said:
    # the reply never carries a raw placeholder.
    assert turn.text and "{" not in turn.text
    assert not turn.text.startswith("You have")


def test_an_exception_or_a_bad_result_is_the_failed_outcome() -> None:
    def broken(slots: Dict[str, Any]) -> Dict[str, Any]:
        raise RuntimeError("loyalty service down")

    engine = concierge.Engine.from_dict(loyalty_spec(), actions={"check_loyalty": broken})
    assert engine.handle("c", "how many points do I have").text == "Sorry, I can't see your points right now."

    engine.action("check_loyalty")(lambda slots: {"slots": {"points": object()}})
    assert engine.handle("d", "how many points do I have").text == "Sorry, I can't see your points right now."

    engine.action("check_loyalty")(lambda slots: ["not", "a", "dict"])  # type: ignore[type-var]
    assert engine.handle("e", "how many points do I have").text == "Sorry, I can't see your points right now."


def test_registering_again_replaces_the_action_and_keeps_conversations() -> None:
    engine = concierge.Engine.from_dict(loyalty_spec(), actions={"check_loyalty": lambda s: {"slots": {"points": 1}}})
    engine.handle("c", "how many points do I have")
    engine.action("check_loyalty")(lambda s: {"slots": {"points": s["points"] + 1}})
    assert engine.handle("c", "how many points do I have").text == "You have 2 points."


def test_actions_called_from_many_threads() -> None:
    engine = concierge.Engine.from_dict(loyalty_spec())
    calls = []
    lock = threading.Lock()

    @engine.action("check_loyalty")
    def count(slots: Dict[str, Any]) -> Dict[str, Any]:
        with lock:
            calls.append(threading.get_ident())
        return {"slots": {"points": 7}}

    texts: Dict[str, str] = {}

    def chat(i: int) -> None:
        for _ in range(5):
            texts[f"c{i}"] = engine.handle(f"c{i}", "how many points do I have").text

    threads = [threading.Thread(target=chat, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 40
    assert set(texts.values()) == {"You have 7 points."}
