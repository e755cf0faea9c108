"""The salon bot over HTTP with FastAPI, in about 30 lines.

    pip install fastapi uvicorn concierge
    uvicorn examples.python.fastapi_app:app   # from the repository's root
    curl -s localhost:8000/chat/c1 -H 'content-type: application/json' \
         -d '{"text": "do you have parking?"}'
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

import concierge

BOT = Path(__file__).resolve().parents[1] / "salon" / "bot.yaml"
engine = concierge.Engine.from_file(BOT)
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
