//! The seam to a business's existing calendars.
//!
//! A calendar does two jobs: its busy time counts against availability,
//! and confirmed bookings are written into it as events (with the
//! booking's id as the event's UID). Implementations do network I/O and
//! live outside the core (CalDAV is in `concierge-http`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// A span of time a calendar reports as busy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct BusyPeriod {
    /// When it starts.
    pub start: DateTime<Utc>,
    /// When it ends.
    pub end: DateTime<Utc>,
}

/// An event written to (or read from) a calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarEvent {
    /// Globally unique id; for bookings, the booking's id.
    pub uid: String,
    /// One-line title.
    pub summary: String,
    /// Longer text.
    pub description: String,
    /// When it starts.
    pub start: DateTime<Utc>,
    /// When it ends.
    pub end: DateTime<Utc>,
}

/// Why a calendar operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// The server could not be reached.
    #[error("calendar unreachable: {0}")]
    Unreachable(String),
    /// The server answered with an error status.
    #[error("calendar refused the request ({status}): {message}")]
    Refused {
        /// The HTTP (or equivalent) status.
        status: u16,
        /// What the server said, shortened.
        message: String,
    },
    /// An event with this UID exists already.
    #[error("event {0:?} exists already")]
    AlreadyExists(String),
    /// No event with this UID.
    #[error("no event {0:?}")]
    NotFound(String),
    /// The server's answer could not be read.
    #[error("unreadable calendar answer: {0}")]
    Malformed(String),
}

/// A calendar: free/busy time, and events the booking engine writes.
#[async_trait]
pub trait Calendar: Send + Sync {
    /// Busy periods overlapping `[from, to)`.
    async fn free_busy(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<BusyPeriod>, CalendarError>;
    /// Events overlapping `[from, to)`, sorted by start.
    async fn events(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<CalendarEvent>, CalendarError>;
    /// Creates an event; fails with [`CalendarError::AlreadyExists`] when its UID is taken.
    async fn create_event(&self, event: &CalendarEvent) -> Result<(), CalendarError>;
    /// Replaces an existing event; fails with [`CalendarError::NotFound`] when there is none.
    async fn update_event(&self, event: &CalendarEvent) -> Result<(), CalendarError>;
    /// Deletes an event; fails with [`CalendarError::NotFound`] when there is none.
    async fn delete_event(&self, uid: &str) -> Result<(), CalendarError>;
}
