"""The native module (Rust, pyo3); use the `concierge` package instead."""

import datetime
from typing import Any, Callable, Dict, List, Optional

from typing_extensions import final

__all__ = ["NativeEngine", "__version__"]

__version__: str

@final
class NativeEngine:
    """A bot: the spec, its engine, in-memory bookings and conversations."""

    @staticmethod
    def from_yaml(text: str) -> NativeEngine: ...
    @staticmethod
    def from_json(text: str) -> NativeEngine: ...
    @property
    def business_timezone(self) -> str: ...
    def missing_actions(self) -> List[str]: ...
    def register_action(self, name: str, callable: Callable[[Dict[str, Any]], Any]) -> None: ...
    def build(self) -> None: ...
    def parse(self, text: str, now: datetime.datetime) -> Dict[str, Any]: ...
    def handle(self, conversation_id: str, text: str, now: datetime.datetime) -> Dict[str, Any]: ...
    def release(self, conversation_id: str) -> List[Dict[str, Any]]: ...
    def slots(self, conversation_id: str) -> Optional[Dict[str, Any]]: ...
    def reset(self, conversation_id: str) -> bool: ...
    def find_slots(
        self,
        service: str,
        start: datetime.datetime,
        end: datetime.datetime,
        staff: Optional[str],
        now: datetime.datetime,
    ) -> List[Dict[str, Any]]: ...
    def book(
        self,
        service: str,
        start: datetime.datetime,
        customer_name: str,
        phone: Optional[str],
        email: Optional[str],
        staff: Optional[str],
        request_key: str,
        now: datetime.datetime,
    ) -> Dict[str, Any]: ...
    def cancel(self, booking_id: str, now: datetime.datetime) -> Dict[str, Any]: ...
    def booking(self, booking_id: str) -> Dict[str, Any]: ...
