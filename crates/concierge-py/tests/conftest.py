"""Shared fixtures: the salon bot and the fixed clock of its transcripts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import concierge

ROOT = Path(__file__).resolve().parents[3]
SALON = ROOT / "examples" / "salon" / "bot.yaml"
NOW = dt.datetime.fromisoformat("2026-03-02T09:00:00-05:00")
NEW_YORK = dt.timezone(dt.timedelta(hours=-5))

def loyalty_spec() -> dict:
    """A small bot whose flow calls the host action `check_loyalty`."""
    return {
        "version": 1,
        "business": {"name": "Loyal Cafe", "timezone": "Europe/Paris", "hours": {"monday": ["09:00-17:00"]}},
        "intents": [
            {"name": "points", "examples": ["how many points do I have", "check my loyalty points",
                                            "my points balance", "loyalty balance"]},
            {"name": "greet", "examples": ["hi", "hello", "good morning", "hey there"]},
        ],
        "slots": [{"name": "points", "type": "number"}, {"name": "tier", "type": "text"}],
        "flows": [
            {
                "name": "loyalty",
                "triggers": ["points"],
                "steps": [
                    {"action": "check_loyalty", "on": {"gold": "gold", "failed": "sorry"}},
                    {"say": "standard"},
                    {"end": True},
                    {"id": "gold", "say": "gold"},
                    {"end": True},
                    {"id": "sorry", "say": "sorry"},
                ],
            }
        ],
        "responses": {
            "greet": "Hello from {business}!",
            "standard": "You have {points} points.",
            "gold": "Gold member with {points} points!",
            "sorry": "Sorry, I can't see your points right now.",
        },
    }


@pytest.fixture(scope="session")
def salon() -> concierge.Engine:
    """One salon engine for tests that only parse."""
    return concierge.Engine.from_file(SALON)


@pytest.fixture
def fresh_salon() -> concierge.Engine:
    """A salon engine with no bookings or conversations yet."""
    return concierge.Engine.from_file(SALON)
