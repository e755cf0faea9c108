//! The store's error type.

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No such record for this tenant (it may exist for another tenant:
    /// the store does not say).
    #[error("{what} {id:?} not found")]
    NotFound {
        /// The kind of record.
        what: &'static str,
        /// The id that was asked for.
        id: String,
    },
    /// The conversation moved on since the caller loaded it: reload and retry.
    #[error("conversation {conversation} is at sequence {actual}, not {expected}")]
    Conflict {
        /// The conversation.
        conversation: String,
        /// The sequence number the caller expected.
        expected: i64,
        /// The sequence number it is at.
        actual: i64,
    },
    /// The staff member already has an active booking overlapping that time.
    #[error("staff member {staff:?} is already booked at that time")]
    SlotTaken {
        /// The staff member.
        staff: String,
    },
    /// The booking is not in a state that allows the change.
    #[error("booking {id:?} is {status:?}")]
    WrongState {
        /// The booking.
        id: String,
        /// Its current status.
        status: concierge_core::booking::BookingStatus,
    },
    /// The hold lapsed before it was confirmed.
    #[error("the hold on booking {0:?} expired")]
    HoldExpired(String),
    /// A record with the same unique key already exists.
    #[error("{0} already exists")]
    Duplicate(String),
    /// A presented refresh token was refused (see [`crate::RefreshRejection`]).
    #[error("{0}")]
    RefreshRejected(crate::RefreshRejection),
    /// A presented invitation was refused.
    #[error("{0}")]
    InviteRejected(crate::InviteRejection),
    /// The input makes no sense (empty id, end before start, ...).
    #[error("invalid input: {0}")]
    Invalid(String),
    /// Integration credentials were used but the store has no encryption key.
    #[error("no encryption key configured for integration credentials")]
    NoEncryptionKey,
    /// Stored credentials could not be decrypted (wrong key or tampered data).
    #[error("stored credentials could not be decrypted: wrong key or tampered data")]
    Decryption,
    /// The PostgreSQL role bypasses row-level security (superuser or BYPASSRLS).
    #[error("PostgreSQL role {0:?} bypasses row-level security; connect as an ordinary role")]
    RoleBypassesRowSecurity(String),
    /// A stored value could not be read back (corrupt row or unknown enum value).
    #[error("corrupt stored data: {0}")]
    Corrupt(String),
    /// The database failed.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// The schema migrations failed.
    #[error("migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    /// A background task failed (password hashing, a group commit of turns).
    #[error("background task failed: {0}")]
    Task(String),
}

impl StoreError {
    pub(crate) fn not_found(what: &'static str, id: impl Into<String>) -> Self {
        StoreError::NotFound { what, id: id.into() }
    }
}
