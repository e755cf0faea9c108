//! What a turn produces: replies for the user and typed events for the host.

use serde::{Deserialize, Serialize};

use crate::booking::Booking;

/// A message from the bot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reply {
    /// The text.
    pub text: String,
    /// Quick replies offered under it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub buttons: Vec<Button>,
}

/// A quick-reply button.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Button {
    /// What the button shows.
    pub title: String,
    /// What it sends when pressed.
    pub payload: String,
}

/// Something that happened during a turn, for logs, analytics and hosts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// The user said something.
    UserMessage {
        /// What they said.
        text: String,
    },
    /// The message was understood as an intent.
    IntentDetected {
        /// The intent.
        name: String,
        /// How sure the classifier was.
        confidence: f32,
    },
    /// A slot got a value.
    SlotSet {
        /// The slot.
        name: String,
        /// Its value, as text.
        value: String,
    },
    /// A flow began.
    FlowStarted {
        /// The flow.
        flow: String,
    },
    /// A flow ran to its end.
    FlowCompleted {
        /// The flow.
        flow: String,
    },
    /// A flow was abandoned (the user stopped it or it failed).
    FlowCancelled {
        /// The flow.
        flow: String,
    },
    /// A question was answered from the knowledge base.
    KbAnswer {
        /// The entry's id.
        id: String,
        /// The entry's title.
        title: String,
        /// Where the answer comes from.
        source: String,
        /// How well the entry matched, between 0 and 1.
        score: f32,
    },
    /// The message was not understood.
    OutOfScope {
        /// What was said.
        text: String,
    },
    /// The conversation was handed to a person.
    HandoffRequested {
        /// Why.
        reason: String,
    },
    /// A person handed the conversation back to the bot.
    HandoffReleased,
    /// A booking was made.
    BookingConfirmed {
        /// The booking.
        booking: BookingView,
    },
    /// A booking was cancelled.
    BookingCancelled {
        /// The booking's id.
        booking_id: String,
    },
    /// A booking was moved.
    BookingRescheduled {
        /// The booking it replaced.
        from_booking_id: String,
        /// The new booking.
        booking: BookingView,
    },
    /// The bot said something.
    BotMessage {
        /// The text.
        text: String,
    },
}

/// A booking as hosts see it: times at the business's offset, names resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingView {
    /// Internal id.
    pub id: String,
    /// Short code the customer can quote.
    pub reference: String,
    /// The service's display name.
    pub service: String,
    /// When it starts (RFC 3339 at the business's offset).
    pub start: String,
    /// When it ends.
    pub end: String,
    /// The staff member's display name.
    pub staff: String,
    /// Who it is for.
    pub customer: CustomerView,
}

/// The customer on a booking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerView {
    /// Full name.
    pub name: String,
    /// Phone in E.164 form.
    pub phone: Option<String>,
}

impl BookingView {
    /// Renders a booking for hosts, in the business's zone.
    pub fn new(booking: &Booking, service_name: &str, staff_name: &str, tz: chrono_tz::Tz) -> BookingView {
        let fmt = |t: chrono::DateTime<chrono::Utc>| t.with_timezone(&tz).fixed_offset().to_rfc3339();
        BookingView {
            id: booking.id.clone(),
            reference: booking.reference.clone(),
            service: service_name.to_string(),
            start: fmt(booking.start),
            end: fmt(booking.end),
            staff: staff_name.to_string(),
            customer: CustomerView {
                name: booking.customer.name.clone(),
                phone: booking.customer.phone.clone(),
            },
        }
    }
}
