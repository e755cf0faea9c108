"""A conversation kept through the Python package reads, through the
reference server, exactly like one held over the server's own API: both go
through the same conversation service, which stores the engine's events and
one `reply` item per reply.

Needs the `concierge` binary: CONCIERGE_BIN, else target/debug/concierge
(scripts/test-python.sh builds it and sets CONCIERGE_BIN)."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import threading
import urllib.request
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest

import concierge
from conftest import NOW, ROOT, SALON

TENANT = "demo-salon"
KEY = "pk_demo_salon"
ADMIN = "admin@demo-salon.test"
PASSWORD = "a long demo password 123"
LINES = ["hi", "what are your opening hours?", "is there parking?", "Can I speak to a human?"]


def _binary() -> Path:
    named = os.environ.get("CONCIERGE_BIN")
    path = Path(named) if named else ROOT / "target" / "debug" / "concierge"
    if not path.is_file():
        raise RuntimeError(f"no concierge binary at {path}: run `cargo build --bin concierge` or set CONCIERGE_BIN")
    return path


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Tuple[str, Path]]:
    """`concierge serve --demo` on a fresh SQLite file: (base URL, database path)."""
    database = tmp_path / "concierge.db"
    env = dict(os.environ, CONCIERGE_ADMIN_PASSWORD=PASSWORD, CONCIERGE_LOG_FORMAT="json")
    process = subprocess.Popen(
        [str(_binary()), "serve", "--demo", "--addr", "127.0.0.1:0", "--database", f"sqlite://{database}",
         "--data-dir", str(tmp_path / "data"), "--now", NOW.isoformat()],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    lines: "queue.Queue[Optional[str]]" = queue.Queue()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line)
        lines.put(None)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    base = None
    try:
        while base is None:
            line = lines.get(timeout=120)
            if line is None:
                raise RuntimeError(f"the server exited with {process.wait()}")
            if line.startswith("listening on "):
                base = line.split()[-1]
        yield base, database
    finally:
        process.terminate()
        process.wait(timeout=30)
        reader.join(timeout=30)
        assert process.stdout is not None
        process.stdout.close()


def _call(method: str, url: str, body: Optional[Dict[str, Any]] = None, **headers: str) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    for name, value in headers.items():
        request.add_header(name.replace("_", "-"), value)
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def _shape(items: List[Dict[str, Any]]) -> List[Any]:
    """Items with fractions rounded (a confidence is an f32 read back from JSON)."""

    def rounded(value: Any) -> Any:
        if isinstance(value, float):
            return round(value, 6)
        if isinstance(value, list):
            return [rounded(v) for v in value]
        if isinstance(value, dict):
            return {k: rounded(v) for k, v in value.items()}
        return value

    return [rounded(item) for item in items]


def test_a_python_conversation_reads_like_one_held_over_http(server: Tuple[str, Path]) -> None:
    base, database = server
    # Over the server's public API.
    started = _call("POST", f"{base}/v1/chat/{TENANT}/conversations", {}, X_Concierge_Key=KEY)
    token, http_id = started["token"], started["conversation_id"]
    for line in LINES:
        _call("POST", f"{base}/v1/chat/{TENANT}/conversations/{http_id}/messages", {"text": line},
              Authorization=f"Bearer {token}")
    over_http = _call("GET", f"{base}/v1/chat/{TENANT}/conversations/{http_id}/items?after=0",
                      Authorization=f"Bearer {token}")["items"]

    # Through the Python package, on the same database (another process).
    store = concierge.Store.sqlite(database, tenant=TENANT)
    engine = concierge.Engine.from_file(SALON, store=store)
    for line in LINES:
        engine.handle("py-1", line, now=NOW)
    login = _call("POST", f"{base}/v1/auth/login", {"tenant": TENANT, "email": ADMIN, "password": PASSWORD})
    bearer = f"Bearer {login['access_token']}"
    listed = _call("GET", f"{base}/v1/admin/conversations?limit=10", Authorization=bearer)["conversations"]
    python_ids = [c["id"] for c in listed if c["channel"] == "python"]
    assert len(python_ids) == 1, listed
    through_python = _call("GET", f"{base}/v1/admin/conversations/{python_ids[0]}/items?after=0",
                           Authorization=bearer)["items"]

    assert [i["type"] for i in over_http].count("reply") == len(LINES)
    assert _shape(through_python) == _shape(over_http)
    statuses = {c["id"]: c["status"] for c in listed}
    assert statuses[python_ids[0]] == "waiting_for_human"
