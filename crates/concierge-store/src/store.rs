//! The storage contract both backends implement.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use concierge_core::booking::BookingStatus;

use crate::{
    ApiKey, AppendedTurn, AuditEntry, Bot, BotVersion, Conversation, ConversationFilter, ConversationStatus,
    CustomerRecord, DailyRollup, ErasureReport, Integration, IssuedApiKey, IssuedRefreshToken,
    KnowledgeEntry, KnowledgeVector, NewAuditEntry, NewBooking, NewConversation, NewCustomer,
    NewKnowledgeEntry, NewPublishableKey, PublishableKey, RefreshToken, Schedule, Service, StaffMember,
    StoreError, StoredBooking, StoredEvent, Tenant, TenantId, TurnWrite, User,
};

/// Everything Concierge persists, scoped by tenant.
///
/// A record of another tenant is reported as [`StoreError::NotFound`], exactly
/// like a record that does not exist, so ids cannot be probed.
#[async_trait]
pub trait Store: Send + Sync {
    /// Which backend this is (`sqlite` or `postgres`).
    fn backend(&self) -> &'static str;

    // --- tenants, users, API keys -------------------------------------------

    /// Creates a tenant.
    async fn create_tenant(&self, name: &str) -> Result<Tenant, StoreError>;
    /// A tenant by id.
    async fn tenant(&self, tenant: &TenantId) -> Result<Tenant, StoreError>;

    // --- reference server: chosen tenant ids, publishable keys ---------------

    /// Creates a tenant with a chosen id; [`StoreError::Duplicate`] if the id is taken.
    async fn create_tenant_with_id(&self, id: &TenantId, name: &str) -> Result<Tenant, StoreError>;
    /// Creates or replaces one of the tenant's publishable (widget) keys;
    /// the bot must be the tenant's ([`StoreError::NotFound`] otherwise).
    async fn put_publishable_key(
        &self,
        tenant: &TenantId,
        key: &NewPublishableKey,
    ) -> Result<PublishableKey, StoreError>;
    /// The tenant's publishable key with this value, if it has one.
    async fn publishable_key(
        &self,
        tenant: &TenantId,
        key: &str,
    ) -> Result<Option<PublishableKey>, StoreError>;
    /// The tenant's publishable keys, by key.
    async fn publishable_keys(&self, tenant: &TenantId) -> Result<Vec<PublishableKey>, StoreError>;
    /// Deletes a publishable key ([`StoreError::NotFound`] if the tenant has no such key).
    async fn delete_publishable_key(&self, tenant: &TenantId, key: &str) -> Result<(), StoreError>;
    /// Creates a user with an argon2-hashed password. Emails are kept trimmed
    /// and lower-case, here and in [`Store::verify_user`].
    async fn create_user(
        &self,
        tenant: &TenantId,
        email: &str,
        password: &str,
        role: &str,
    ) -> Result<User, StoreError>;
    /// The user if `email` and `password` match, `None` otherwise. An unknown
    /// email costs the same argon2 work as a wrong password.
    async fn verify_user(
        &self,
        tenant: &TenantId,
        email: &str,
        password: &str,
    ) -> Result<Option<User>, StoreError>;
    /// Issues a new API key; its secret is returned once and stored only hashed.
    async fn create_api_key(&self, tenant: &TenantId, label: &str) -> Result<IssuedApiKey, StoreError>;
    /// The key (and so its tenant) for a presented secret, if valid and not revoked.
    async fn authenticate_api_key(&self, secret: &str) -> Result<Option<ApiKey>, StoreError>;
    /// Revokes a key.
    async fn revoke_api_key(&self, tenant: &TenantId, key_id: &str) -> Result<(), StoreError>;

    // --- staff sessions and administration (admin API) -------------------------

    /// Issues a refresh token for `user_id`, valid until `now + ttl`: in
    /// `family` when given (it continues that session), else in a new family.
    /// The secret is returned once and stored only as its SHA-256.
    async fn issue_refresh_token(
        &self,
        tenant: &TenantId,
        user_id: &str,
        family: Option<&str>,
        now: DateTime<Utc>,
        ttl: TimeDelta,
    ) -> Result<IssuedRefreshToken, StoreError>;
    /// Exchanges a presented refresh token for the next one of its family,
    /// atomically: the presented token is marked used and its successor
    /// (valid until `now + ttl`) is issued. A token already used revokes its
    /// whole family and fails with [`crate::RefreshRejection::Reused`]; an expired,
    /// revoked or unknown one fails with the matching
    /// [`StoreError::RefreshRejected`].
    async fn rotate_refresh_token(
        &self,
        secret: &str,
        now: DateTime<Utc>,
        ttl: TimeDelta,
    ) -> Result<IssuedRefreshToken, StoreError>;
    /// The stored record of a presented refresh token (whatever its state),
    /// if the token exists.
    async fn find_refresh_token(&self, secret: &str) -> Result<Option<RefreshToken>, StoreError>;
    /// Revokes every token of a family (logout); revoking twice is not an error.
    async fn revoke_refresh_family(&self, tenant: &TenantId, family_id: &str) -> Result<(), StoreError>;
    /// A user by id.
    async fn user(&self, tenant: &TenantId, user_id: &str) -> Result<User, StoreError>;
    /// The tenant's users, by email.
    async fn users(&self, tenant: &TenantId) -> Result<Vec<User>, StoreError>;
    /// The tenant's API keys (revoked ones too), oldest first.
    async fn api_keys(&self, tenant: &TenantId) -> Result<Vec<ApiKey>, StoreError>;
    /// The tenant's conversations matching `filter`, most recently updated first.
    async fn list_conversations(
        &self,
        tenant: &TenantId,
        filter: &ConversationFilter,
    ) -> Result<Vec<Conversation>, StoreError>;
    /// The tenant's bots, oldest first.
    async fn bots(&self, tenant: &TenantId) -> Result<Vec<Bot>, StoreError>;
    /// Every saved spec version of a bot, oldest first.
    async fn bot_versions(&self, tenant: &TenantId, bot_id: &str) -> Result<Vec<BotVersion>, StoreError>;
    /// Deletes a service.
    async fn delete_service(&self, tenant: &TenantId, service_id: &str) -> Result<(), StoreError>;
    /// Deletes a staff member and their schedule.
    async fn delete_staff(&self, tenant: &TenantId, staff_id: &str) -> Result<(), StoreError>;

    // --- bots ----------------------------------------------------------------

    /// Creates a bot.
    async fn create_bot(&self, tenant: &TenantId, name: &str) -> Result<Bot, StoreError>;
    /// Saves a new spec version; returns its number.
    async fn add_bot_version(
        &self,
        tenant: &TenantId,
        bot_id: &str,
        spec: &serde_json::Value,
    ) -> Result<i32, StoreError>;
    /// Makes a saved version the active one.
    async fn activate_bot_version(
        &self,
        tenant: &TenantId,
        bot_id: &str,
        version: i32,
    ) -> Result<(), StoreError>;
    /// A bot.
    async fn bot(&self, tenant: &TenantId, bot_id: &str) -> Result<Bot, StoreError>;
    /// The active spec version, if one was activated.
    async fn active_bot_version(
        &self,
        tenant: &TenantId,
        bot_id: &str,
    ) -> Result<Option<BotVersion>, StoreError>;

    // --- customers -------------------------------------------------------------

    /// Creates a customer.
    async fn create_customer(
        &self,
        tenant: &TenantId,
        customer: &NewCustomer,
    ) -> Result<CustomerRecord, StoreError>;
    /// A customer.
    async fn customer(&self, tenant: &TenantId, id: &str) -> Result<CustomerRecord, StoreError>;
    /// The customer with this phone number, if any.
    async fn customer_by_phone(
        &self,
        tenant: &TenantId,
        phone: &str,
    ) -> Result<Option<CustomerRecord>, StoreError>;

    // --- conversations -----------------------------------------------------------

    /// Starts a conversation (status `bot`, no events).
    async fn create_conversation(
        &self,
        tenant: &TenantId,
        conversation: &NewConversation,
    ) -> Result<Conversation, StoreError>;
    /// A conversation with its latest state and sequence number.
    async fn load_conversation(&self, tenant: &TenantId, id: &str) -> Result<Conversation, StoreError>;
    /// The most recently updated conversation on `channel` with
    /// `external_ref` that is not closed, if any (to route an incoming SMS or
    /// chat message to its conversation).
    async fn open_conversation_by_ref(
        &self,
        tenant: &TenantId,
        channel: &str,
        external_ref: &str,
    ) -> Result<Option<Conversation>, StoreError>;
    /// The open conversation [`Store::open_conversation_by_ref`] finds for
    /// `conversation`'s channel and `external_ref`, or, when there is none,
    /// `conversation` created, atomically: callers racing on one reference
    /// all get the same conversation. [`StoreError::Invalid`] without an
    /// `external_ref`.
    async fn open_or_create_conversation_by_ref(
        &self,
        tenant: &TenantId,
        conversation: &NewConversation,
    ) -> Result<Conversation, StoreError>;
    /// Appends one turn: its events (at least one) get the next sequence
    /// numbers, its state replaces the state and its status (if any) the
    /// status, atomically, only if the conversation is still at
    /// `expected_last_seq`; otherwise [`StoreError::Conflict`] and nothing
    /// changes.
    async fn append_turn(
        &self,
        tenant: &TenantId,
        conversation_id: &str,
        expected_last_seq: i64,
        write: &TurnWrite,
    ) -> Result<AppendedTurn, StoreError>;
    /// Events with a sequence number above `after_seq`, in order.
    async fn events(
        &self,
        tenant: &TenantId,
        conversation_id: &str,
        after_seq: i64,
    ) -> Result<Vec<StoredEvent>, StoreError>;
    /// Changes who handles a conversation without logging anything (for
    /// tools; a conversation's own steps change it with their turn, see
    /// [`TurnWrite::status`]).
    async fn set_conversation_status(
        &self,
        tenant: &TenantId,
        conversation_id: &str,
        status: ConversationStatus,
    ) -> Result<(), StoreError>;
    /// The tenant's conversations with this status, most recently updated first.
    async fn conversations_with_status(
        &self,
        tenant: &TenantId,
        status: ConversationStatus,
    ) -> Result<Vec<Conversation>, StoreError>;

    // --- knowledge ----------------------------------------------------------------

    /// Creates or replaces an entry (and counts a knowledge revision).
    async fn put_knowledge_entry(
        &self,
        tenant: &TenantId,
        entry: &NewKnowledgeEntry,
    ) -> Result<(), StoreError>;
    /// An entry.
    async fn knowledge_entry(&self, tenant: &TenantId, entry_id: &str) -> Result<KnowledgeEntry, StoreError>;
    /// All of the tenant's entries, by id.
    async fn knowledge_entries(&self, tenant: &TenantId) -> Result<Vec<KnowledgeEntry>, StoreError>;
    /// Deletes an entry (and counts a knowledge revision).
    async fn delete_knowledge_entry(&self, tenant: &TenantId, entry_id: &str) -> Result<(), StoreError>;
    /// A number that grows whenever the tenant's entries change (0 before
    /// the first change), so caches built from them can tell they are stale.
    async fn knowledge_revision(&self, tenant: &TenantId) -> Result<i64, StoreError>;
    /// The tenant's cached embeddings made by `model`.
    async fn knowledge_vectors(
        &self,
        tenant: &TenantId,
        model: &str,
    ) -> Result<Vec<KnowledgeVector>, StoreError>;
    /// In one transaction: stores `put` (made by `model`), deletes the
    /// vectors of `model` whose hash is in `remove`, and deletes the tenant's
    /// vectors of every other model.
    async fn update_knowledge_vectors(
        &self,
        tenant: &TenantId,
        model: &str,
        put: &[KnowledgeVector],
        remove: &[String],
    ) -> Result<(), StoreError>;

    // --- services, staff, schedules -------------------------------------------------

    /// Creates or replaces a service.
    async fn put_service(&self, tenant: &TenantId, service: &Service) -> Result<(), StoreError>;
    /// The tenant's services, by id.
    async fn services(&self, tenant: &TenantId) -> Result<Vec<Service>, StoreError>;
    /// Creates or replaces a staff member.
    async fn put_staff(&self, tenant: &TenantId, staff: &StaffMember) -> Result<(), StoreError>;
    /// The tenant's staff, by id.
    async fn staff(&self, tenant: &TenantId) -> Result<Vec<StaffMember>, StoreError>;
    /// Creates or replaces a staff member's schedule.
    async fn put_schedule(&self, tenant: &TenantId, schedule: &Schedule) -> Result<(), StoreError>;
    /// A staff member's schedule, if set.
    async fn schedule(&self, tenant: &TenantId, staff_id: &str) -> Result<Option<Schedule>, StoreError>;

    // --- bookings ----------------------------------------------------------------------

    /// Creates a booking atomically (see [`crate::booking`] for the rule):
    /// [`StoreError::SlotTaken`] when it would take time that an active
    /// booking of the same staff member takes at `now`. With a `request_key`
    /// already used, returns the booking made with it instead.
    async fn create_booking(
        &self,
        tenant: &TenantId,
        booking: &NewBooking,
        now: DateTime<Utc>,
    ) -> Result<StoredBooking, StoreError>;
    /// A booking.
    async fn booking(&self, tenant: &TenantId, id: &str) -> Result<StoredBooking, StoreError>;
    /// Moves booking `id` to status `to` if its status is one of `from`
    /// (any when `from` is empty): [`StoreError::WrongState`] otherwise, and
    /// [`StoreError::HoldExpired`] when confirming a hold that lapsed by
    /// `now`. Making an inactive booking active again re-checks the rule
    /// ([`StoreError::SlotTaken`]).
    async fn transition_booking(
        &self,
        tenant: &TenantId,
        id: &str,
        from: &[BookingStatus],
        to: BookingStatus,
        now: DateTime<Utc>,
    ) -> Result<StoredBooking, StoreError>;
    /// Replaces active booking `old_id` by `new` in one step: `new` is
    /// checked as by [`Store::create_booking`] but ignoring the old booking,
    /// stored with `rescheduled_from = old_id`, and the old booking becomes
    /// `rescheduled` with `rescheduled_to` set. A used request key returns
    /// the booking stored under it; an inactive old booking is
    /// [`StoreError::WrongState`].
    async fn reschedule_booking(
        &self,
        tenant: &TenantId,
        old_id: &str,
        new: &NewBooking,
        now: DateTime<Utc>,
    ) -> Result<StoredBooking, StoreError>;
    /// The booking with this public reference, if any.
    async fn booking_by_reference(
        &self,
        tenant: &TenantId,
        reference: &str,
    ) -> Result<Option<StoredBooking>, StoreError>;
    /// The booking made under this request key, if any.
    async fn booking_by_request_key(
        &self,
        tenant: &TenantId,
        request_key: &str,
    ) -> Result<Option<StoredBooking>, StoreError>;
    /// Bookings active at `now` (confirmed, or held and not lapsed) whose
    /// blocked span overlaps `[from, to)`, for every staff member, by start.
    async fn active_bookings_between(
        &self,
        tenant: &TenantId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Vec<StoredBooking>, StoreError>;
    /// Bookings (any status) whose blocked span overlaps `[from, to)`,
    /// optionally for one staff member, by start.
    async fn bookings_between(
        &self,
        tenant: &TenantId,
        staff: Option<&str>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<StoredBooking>, StoreError>;
    /// Bookings (any status) made under this phone number, by start.
    async fn bookings_for_phone(
        &self,
        tenant: &TenantId,
        phone: &str,
    ) -> Result<Vec<StoredBooking>, StoreError>;

    // --- integrations ---------------------------------------------------------------------

    /// Creates or replaces an integration; `credentials` are sealed with the
    /// store's encryption key before they are written.
    async fn put_integration(&self, tenant: &TenantId, integration: &Integration) -> Result<(), StoreError>;
    /// An integration with its credentials decrypted.
    async fn integration(&self, tenant: &TenantId, kind: &str) -> Result<Integration, StoreError>;

    // --- audit and analytics ---------------------------------------------------------------

    /// Records an administrative action.
    async fn record_audit(&self, tenant: &TenantId, entry: &NewAuditEntry) -> Result<AuditEntry, StoreError>;
    /// The tenant's audit log, oldest first.
    async fn audit_log(&self, tenant: &TenantId) -> Result<Vec<AuditEntry>, StoreError>;
    /// Adds `delta` to a daily counter.
    async fn add_to_rollup(
        &self,
        tenant: &TenantId,
        day: NaiveDate,
        metric: &str,
        delta: i64,
    ) -> Result<(), StoreError>;
    /// Counters for days in `[from, to]`, by day then metric.
    async fn rollups(
        &self,
        tenant: &TenantId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<DailyRollup>, StoreError>;

    /// Recomputes the counters of `day` (UTC) from the stored records and
    /// replaces them: `conversations.started`, `turns`, `bookings.created`
    /// and `events.<type>` for each event `type` logged that day. Counters
    /// kept with [`Store::add_to_rollup`] under other names stay. Returns
    /// the day's counters.
    async fn rebuild_daily_rollups(
        &self,
        tenant: &TenantId,
        day: NaiveDate,
    ) -> Result<Vec<DailyRollup>, StoreError>;

    // --- privacy --------------------------------------------------------------------------

    /// Everything stored about one customer, as JSON: the customer, their
    /// conversations with every event, and their bookings.
    async fn export_customer(
        &self,
        tenant: &TenantId,
        customer_id: &str,
    ) -> Result<serde_json::Value, StoreError>;
    /// Erases a customer: personal fields cleared, their conversations'
    /// events redacted and states emptied, their bookings anonymised, and a
    /// `customer.erase` audit entry by `actor` recorded, all in one transaction.
    async fn erase_customer(
        &self,
        tenant: &TenantId,
        customer_id: &str,
        actor: &str,
    ) -> Result<ErasureReport, StoreError>;
}
