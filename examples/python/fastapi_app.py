"""The salon bot over HTTP with FastAPI, in about 30 lines.

    pip install fastapi uvicorn concierge
    uvicorn examples.python.fastapi_app:app   # from the repository's root
    curl -s localhost:8000/chat/c1 -H 'content-type: application/json' \\
         -d '{"text": "do you have parking?"}'

Conversations and bookings live in memory; set CONCIERGE_DATABASE to an
SQLite file path or a postgres:// URL to keep them in a database instead.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Dict, Optional

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

import concierge

BOT = Path(__file__).resolve().parents[1] / "salon" / "bot.yaml"


def open_store(where: str) -> Optional[concierge.Store]:
    if not where:
        return None
    if where.startswith(("postgres://", "postgresql://")):
        return concierge.Store.postgres(where)
    return concierge.Store.sqlite(where)


engine = concierge.Engine.from_file(BOT, store=open_store(os.environ.get("CONCIERGE_DATABASE", "")))
app = FastAPI(title=f"Concierge: {BOT.parent.name}")


class Message(BaseModel):
    text: str


@app.post("/chat/{conversation_id}")
async def chat(conversation_id: str, message: Message) -> Dict[str, Any]:
    try:
        turn = await engine.handle_async(conversation_id, message.text)
    except concierge.MessageError as e:
        raise HTTPException(status_code=422, detail=str(e)) from e
    return {
        "replies": [{"text": r.text, "buttons": [b.title for b in r.buttons]} for r in turn.replies],
        "events": [e.to_dict() for e in turn.events],
    }
