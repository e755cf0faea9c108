"""examples/python/fastapi_app.py served in-process with FastAPI's test client."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from conftest import ROOT

# FastAPI's test client needs an HTTP client package (httpx2, or httpx for older versions).
TestClient = pytest.importorskip("fastapi.testclient").TestClient


def load_app(monkeypatch: pytest.MonkeyPatch, database: str) -> ModuleType:
    monkeypatch.setenv("CONCIERGE_DATABASE", database)
    spec = importlib.util.spec_from_file_location("fastapi_app", ROOT / "examples" / "python" / "fastapi_app.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_example_answers_over_http(monkeypatch: pytest.MonkeyPatch) -> None:
    app = load_app(monkeypatch, "").app
    with TestClient(app) as client:
        answer = client.post("/chat/c1", json={"text": "do you have parking?"})
        assert answer.status_code == 200
        body = answer.json()
        assert "parking" in body["replies"][0]["text"].lower()
        assert body["events"][0] == {"type": "user_message", "text": "do you have parking?"}
        assert client.post("/chat/c1", json={"text": "   "}).status_code == 422


def test_the_example_keeps_conversations_in_a_database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    db = str(tmp_path / "app.db")
    with TestClient(load_app(monkeypatch, db).app) as client:
        client.post("/chat/web-1", json={"text": "I'd like to book a women's haircut on March 10 at 3pm"})
    # A restarted app continues the conversation from the database.
    restarted = load_app(monkeypatch, db)
    assert restarted.engine.store is not None
    slots = restarted.engine.slots("web-1")
    assert slots is not None and slots["service"] == "womens_haircut"
