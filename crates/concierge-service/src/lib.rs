//! The host layer of Concierge: what runs a stored conversation, shared by
//! every adapter (the reference server, the Python package, the CLI).
//!
//! - [`Conversations`]: the conversation service. A customer's message, a
//!   person taking a conversation over, their messages, handing it back
//!   and closing it are each one atomic write of the conversation's log
//!   and status ([`conversations`]), published on the [`Hub`].
//! - [`EngineCache`]: dialog engines per tenant bot, built once per active
//!   spec version and knowledge revision; [`EngineSource`] is where a
//!   conversation's engine comes from (the cache, or one engine the host
//!   built itself).
//! - [`knowledge`]: a tenant's knowledge: stored entries merged into the
//!   spec's, paraphrase search with a sentence encoder, document import.
//! - [`tenants`]: hosting a business: provisioning a tenant with its
//!   owner's invitation and its bot, inviting a user again.
//! - [`analytics`]: a tenant's report over its business days, and its
//!   customers' ratings.
//! - [`Record`] and [`Item`]: what a conversation's log holds, typed, and
//!   how clients see it.
//!
//! Nothing else in the workspace runs a stored turn
//! ([`concierge_store::run_turn`]). Errors are one enum, [`ServiceError`],
//! which the adapters map at their edge.

pub mod analytics;
pub mod conversations;
mod engines;
mod error;
mod hub;
pub mod knowledge;
mod record;
pub mod tenants;

pub use conversations::{Conversations, SentMessage, Step};
pub use engines::{EngineCache, EngineLoadError, EngineSource, ACTIVE_VERSION_TTL};
pub use error::ServiceError;
pub use hub::{Hub, InboxSubscription, InboxUpdate, Subscription};
pub use record::{status_after, HostRecord, Item, ItemKind, Record};
