"""The issue's acceptance snippet, run exactly as a user would."""

from __future__ import annotations

import ast
import subprocess
import sys

from conftest import ROOT

SNIPPET = """
import concierge, datetime
e = concierge.Engine.from_file("examples/salon/bot.yaml")
now = datetime.datetime.fromisoformat("2026-03-02T09:00:00-05:00")
for line in ["I'd like to book a women's haircut tomorrow at 3pm", "Jane Doe", "+1 415 555 0100", "yes"]:
    turn = e.handle("c1", line, now=now)
print([ev.to_dict() for ev in turn.events if ev.type == "booking_confirmed"])
"""


def test_acceptance_snippet_prints_the_booking_confirmation() -> None:
    out = subprocess.run(
        [sys.executable, "-W", "error", "-c", SNIPPET],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    confirmed = ast.literal_eval(out.stdout.strip())
    assert len(confirmed) == 1
    booking = confirmed[0]["booking"]
    assert confirmed[0]["type"] == "booking_confirmed"
    assert booking["start"] == "2026-03-03T15:00:00-05:00"
    assert booking["end"] == "2026-03-03T16:00:00-05:00"
    assert booking["service"] == "Women's haircut"
    assert booking["customer"] == {"name": "Jane Doe", "phone": "+14155550100"}


def test_parking_question_is_understood(salon) -> None:
    parse = salon.parse("is there parking?")
    assert parse.intent is not None
    assert parse.intent.name == "faq/parking"
    turn = salon.handle("parking", "is there parking?")
    assert [e.id for e in turn.events_of("kb_answer")] == ["parking"]
    assert "parking" in turn.text.lower()
