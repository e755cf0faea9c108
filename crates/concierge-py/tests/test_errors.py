"""Spec problems and the exception hierarchy."""

from __future__ import annotations

import datetime as dt
import json

import pytest

import concierge
from conftest import loyalty_spec


def test_hierarchy() -> None:
    for error in (concierge.SpecError, concierge.BookingError, concierge.StoreError,
                  concierge.MessageError, concierge.DialogError, concierge.LanguageModelError):
        assert issubclass(error, concierge.Error)
    assert issubclass(concierge.Error, Exception)


def test_broken_yaml_raises_spec_error() -> None:
    with pytest.raises(concierge.SpecError) as raised:
        concierge.Engine.from_yaml("flows: [")
    assert len(raised.value.problems) == 1
    path, message = raised.value.problems[0]
    assert path == "flows"
    assert "line 2" in message
    assert "flows:" in str(raised.value)


def test_every_problem_is_listed_with_its_place() -> None:
    spec = loyalty_spec()
    steps = spec["flows"][0]["steps"]
    steps[0]["on"]["failed"] = "sory"
    steps[1]["say"] = "standrd"
    with pytest.raises(concierge.SpecError) as raised:
        concierge.Engine.from_dict(spec)
    paths = [p for p, _ in raised.value.problems]
    assert len(paths) == 2
    assert any(p.startswith("flows.loyalty.steps[0]") for p in paths)
    assert any(p.startswith("flows.loyalty.steps[1]") for p in paths)
    for path, _ in raised.value.problems:
        assert path in str(raised.value)


def test_unknown_action_is_reported_on_first_use() -> None:
    # JSON is YAML too.
    engine = concierge.Engine.from_yaml(json.dumps(loyalty_spec()))
    with pytest.raises(concierge.SpecError) as raised:
        engine.handle("c", "how many points do I have")
    assert raised.value.problems[0][0] == "flows.loyalty.steps[0].action"
    assert "check_loyalty" in raised.value.problems[0][1]


def test_from_dict_refuses_values_json_cannot_hold() -> None:
    with pytest.raises(concierge.SpecError, match="JSON"):
        concierge.Engine.from_dict({"version": 1, "when": dt.date(2026, 1, 1)})


def test_missing_file_is_an_os_error() -> None:
    with pytest.raises(FileNotFoundError):
        concierge.Engine.from_file("no/such/bot.yaml")
