//! Calendar clients implementing [`concierge_core::booking::Calendar`].
//!
//! - [`caldav`]: CalDAV (RFC 4791) servers such as Radicale, Nextcloud,
//!   Fastmail or iCloud.
//! - [`ical`]: the iCalendar (RFC 5545) text they exchange.

pub mod caldav;
pub mod ical;

pub use caldav::CalDavCalendar;
