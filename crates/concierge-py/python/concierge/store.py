"""`Store`: a database that engines keep their conversations and bookings in."""

from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass
from typing import List, Optional, Union

from . import _concierge
from .errors import StoreError
from .results import Event, _event


@dataclass(frozen=True)
class StoredEvent:
    """One entry of a conversation's stored event log.

    ``seq`` numbers the conversation's events from 1 without gaps, ``turn``
    is the turn that produced it and ``recorded_at`` when it was stored (UTC).
    """

    seq: int
    turn: int
    event: Event
    recorded_at: _dt.datetime


class Store:
    """A database for conversations and bookings: an SQLite file or PostgreSQL.

    Open one with :meth:`sqlite` or :meth:`postgres` and pass it to an
    engine (``Engine.from_file(path, store=store)``): each conversation's
    state and event log, and every booking, are then kept in the database,
    so conversations continue after a restart and several processes can
    serve the same bot. The schema is created (migrated) on open.

    A store holds the data of one *tenant* (a business), named by
    ``tenant``: an id of letters, digits, ``-`` and ``_``, created on first
    use. A store is safe to share between threads and engines; its calls
    release the GIL. Failures raise :class:`concierge.StoreError`.
    """

    def __init__(self, native: _concierge.NativeStore) -> None:
        """Wraps a native store; use :meth:`sqlite` or :meth:`postgres` instead."""
        self._native = native

    @classmethod
    def sqlite(
        cls,
        path: Union[str, "os.PathLike[str]"],
        *,
        tenant: str = "default",
        tenant_name: Optional[str] = None,
    ) -> Store:
        """Opens (creating if missing) the SQLite database file ``path``.

        ``tenant`` is created, named ``tenant_name`` (default: the id), when
        the file does not have it yet.
        """
        text = os.fspath(path)
        if not text or text.startswith(":memory:"):
            raise StoreError("SQLite needs a file path (an in-memory database is not supported)", "invalid")
        return cls(_concierge.NativeStore.open("sqlite://" + text, tenant, tenant_name))

    @classmethod
    def postgres(cls, url: str, *, tenant: str = "default", tenant_name: Optional[str] = None) -> Store:
        """Connects to PostgreSQL at ``url`` (``postgres://user:password@host:port/db``).

        The role must be an ordinary one: a superuser or a role with
        ``BYPASSRLS`` is refused (kind ``role_bypasses_row_security``), since
        row-level security keeps tenants apart.
        """
        if not url.startswith(("postgres://", "postgresql://")):
            raise StoreError("a PostgreSQL URL starts with postgres:// or postgresql://", "invalid")
        return cls(_concierge.NativeStore.open(url, tenant, tenant_name))

    @property
    def backend(self) -> str:
        """``sqlite`` or ``postgres``."""
        return self._native.backend

    @property
    def tenant(self) -> str:
        """The id of the tenant whose data this store reads and writes."""
        return self._native.tenant_id

    def events(self, conversation_id: str) -> Optional[List[StoredEvent]]:
        """The stored event log of an open conversation, oldest first.

        ``None`` when no conversation with this id is open (never started,
        or reset).
        """
        raw = self._native.events(conversation_id)
        if raw is None:
            return None
        return [
            StoredEvent(seq=r["seq"], turn=r["turn"], event=_event(r["event"]), recorded_at=r["recorded_at"])
            for r in raw
        ]

    def __repr__(self) -> str:
        return f"<concierge.Store {self.backend} tenant={self.tenant!r}>"
