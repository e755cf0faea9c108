//! Actions: what a flow's `action` steps run. The booking actions are built
//! in; hosts register their own through the [`Action`] trait.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::event::{BookingView, Button, Event};
use super::payload;
use super::render::{list_words, Renderer};
use super::state::{ConversationState, WINDOW_SLOT};
use super::turn::TurnBuilder;
use crate::booking::{
    Availability, Booker, Booking, BookingError, BookingRequest, BookingStatus, Customer, Slot, Unavailable,
};
use crate::nlu::datetime::Grain;
use crate::nlu::EntityValue;

/// The actions every engine knows.
///
/// They read and write slots by convention: `service`, `datetime`, `staff`,
/// `customer_name`, `phone` and `email` describe the booking asked for;
/// `booking_id`, `booking_reference`, `booking_service` and `booking_time`
/// describe the booking acted on.
pub const BUILTIN_ACTIONS: [&str; 5] =
    ["check_availability", "create_booking", "find_booking", "cancel_booking", "reschedule_booking"];

/// What an action sees.
#[derive(Debug)]
pub struct ActionCall<'a> {
    /// The action's name.
    pub name: &'a str,
    /// The conversation's slots.
    pub slots: &'a BTreeMap<String, EntityValue>,
    /// The current time.
    pub now: DateTime<Utc>,
    /// The conversation's id.
    pub conversation_id: &'a str,
}

/// What an action reports back.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ActionResult {
    /// The outcome, matched against the step's `on` table (e.g. `ok`).
    pub outcome: String,
    /// Slots to set.
    pub slots: Vec<(String, EntityValue)>,
    /// Texts to say.
    pub say: Vec<String>,
}

/// Why an action failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("action failed: {0}")]
pub struct ActionError(pub String);

/// A host-provided action.
#[async_trait]
pub trait Action: Send + Sync {
    /// Runs the action.
    async fn run(&self, call: ActionCall<'_>) -> Result<ActionResult, ActionError>;
}

fn text(value: impl Into<String>) -> EntityValue {
    EntityValue::Text { value: value.into() }
}

fn slot_text<'a>(state: &'a ConversationState, name: &str) -> Option<&'a str> {
    match state.slots.get(name) {
        Some(EntityValue::Text { value } | EntityValue::Phone { value } | EntityValue::Email { value }) => {
            Some(value)
        }
        _ => None,
    }
}

fn slot_time(state: &ConversationState, name: &str) -> Option<(DateTime<Utc>, Grain)> {
    match state.slots.get(name) {
        Some(EntityValue::Time { value, grain }) => Some((value.with_timezone(&Utc), *grain)),
        _ => None,
    }
}

fn reason_words(reason: Unavailable) -> &'static str {
    match reason {
        Unavailable::TooSoon => "that's too soon to book",
        Unavailable::TooFarAhead => "that's too far ahead",
        Unavailable::Closed => "we're closed then",
        Unavailable::Taken => "it's already booked",
    }
}

/// "dr chen told me I need 2 fillings ... can I come in monday": someone
/// asked for who does not do the service is no failure; the request drops
/// them (true: ask again), whoever does is offered, and the confirmation
/// names them.
fn forgets_unfit_staff<T>(
    state: &mut ConversationState,
    request: &mut BookingRequest,
    checked: &Result<T, BookingError>,
) -> bool {
    if request.staff.is_none() || !matches!(checked, Err(BookingError::Invalid(_))) {
        return false;
    }
    state.slots.remove("staff_preference");
    request.staff = None;
    true
}

/// What the actions need of the engine: the booker, the host's actions,
/// the responses they say things with and the business's time zone.
pub(super) struct ActionContext<'a> {
    pub(super) booker: &'a dyn Booker,
    pub(super) host_actions: &'a HashMap<String, Arc<dyn Action>>,
    pub(super) renderer: &'a Renderer,
    pub(super) tz: Tz,
}

impl ActionContext<'_> {
    /// Runs a built-in or registered action; returns its outcome.
    pub(super) async fn run(
        &self,
        name: &str,
        state: &mut ConversationState,
        t: &mut TurnBuilder<'_>,
    ) -> String {
        let result = match name {
            "check_availability" => self.check_availability(state, t).await,
            "create_booking" => self.create_booking(state, t).await,
            "find_booking" => self.find_booking(state, t).await,
            "cancel_booking" => self.cancel_booking(state, t).await,
            "reschedule_booking" => self.reschedule_booking(state, t).await,
            _ => match self.host_actions.get(name) {
                Some(action) => {
                    let call = ActionCall {
                        name,
                        slots: &state.slots,
                        now: t.ctx.now,
                        conversation_id: &t.ctx.conversation_id,
                    };
                    match action.run(call).await {
                        Ok(r) => {
                            for (slot, value) in r.slots {
                                t.set_slot(state, &slot, value);
                            }
                            for line in r.say {
                                t.say_text(line);
                            }
                            r.outcome
                        }
                        Err(_) => "failed".to_string(),
                    }
                }
                None => "failed".to_string(),
            },
        };
        result
    }

    /// The booking asked for, or the slot it still lacks. The staff member
    /// is the one already confirmed to the customer (`staff`) when there is
    /// one, else their preference, so what is booked is what was confirmed.
    pub(super) fn request(
        &self,
        state: &ConversationState,
        t: &mut TurnBuilder<'_>,
    ) -> Option<(BookingRequest, Grain)> {
        let Some(service) = slot_text(state, "service") else {
            t.missing = Some("service".into());
            return None;
        };
        let Some((start, grain)) = slot_time(state, "datetime") else {
            t.missing = Some("datetime".into());
            return None;
        };
        let staff =
            slot_text(state, "staff").or_else(|| slot_text(state, "staff_preference")).map(str::to_string);
        Some((BookingRequest { service: service.to_string(), start, staff }, grain))
    }

    /// The window the customer gave ("morning", "around 2"), as instants.
    fn window(state: &ConversationState) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        match state.slots.get(WINDOW_SLOT) {
            Some(EntityValue::Interval { from: Some(from), to: Some(to), .. }) if from < to => {
                Some((from.with_timezone(&Utc), to.with_timezone(&Utc)))
            }
            _ => None,
        }
    }

    /// Takes `slot` as the time asked for: the one the customer will be told.
    fn take_slot(&self, state: &mut ConversationState, t: &mut TurnBuilder<'_>, slot: &Slot) {
        let at = slot.start.with_timezone(&self.tz).fixed_offset();
        t.set_slot(state, "datetime", EntityValue::Time { value: at, grain: Grain::Minute });
        t.set_slot(state, "staff", text(slot.staff.clone()));
        state.slots.remove(WINDOW_SLOT);
    }

    async fn check_availability(&self, state: &mut ConversationState, t: &mut TurnBuilder<'_>) -> String {
        state.slots.remove("staff");
        let Some((mut request, grain)) = self.request(state, t) else {
            return "missing".into();
        };
        let window = Self::window(state);
        if grain >= Grain::Day {
            // A day without a time: the first free time in the window the
            // customer gave, else ask for the time, keeping the day.
            let Some((from, to)) = window else {
                return "needs_time".into();
            };
            request.start = from;
            let mut slots = self.booker.free_slots(&request, to, t.ctx.now).await;
            if forgets_unfit_staff(state, &mut request, &slots) {
                slots = self.booker.free_slots(&request, to, t.ctx.now).await;
            }
            return match slots {
                Ok(slots) if !slots.is_empty() => {
                    self.take_slot(state, t, &slots[0]);
                    "available".into()
                }
                Ok(_) => match self.booker.check(&request, t.ctx.now).await {
                    Ok(Availability::Unavailable { reason, alternatives }) => {
                        self.offer_alternatives(state, t, &request, Grain::Day, reason, &alternatives);
                        "unavailable".into()
                    }
                    Ok(Availability::Available(slot)) => {
                        self.take_slot(state, t, &slot);
                        "available".into()
                    }
                    Err(e) => self.booking_error(state, e),
                },
                Err(e) => self.booking_error(state, e),
            };
        }
        let mut checked = self.booker.check(&request, t.ctx.now).await;
        if forgets_unfit_staff(state, &mut request, &checked) {
            checked = self.booker.check(&request, t.ctx.now).await;
        }
        match checked {
            Ok(Availability::Available(slot)) => {
                t.set_slot(state, "staff", text(slot.staff));
                state.slots.remove(WINDOW_SLOT);
                "available".into()
            }
            Ok(Availability::Unavailable { reason, mut alternatives }) => {
                // An approximate time ("around 2"): the nearest free time in its window.
                if let Some((from, to)) = window {
                    if let Some(near) = alternatives.iter().find(|s| s.start >= from && s.start < to).cloned()
                    {
                        self.take_slot(state, t, &near);
                        return "available".into();
                    }
                }
                // The person asked for is busy: say who else is free then.
                if request.staff.is_some() && reason == Unavailable::Taken {
                    let anyone = BookingRequest { staff: None, ..request.clone() };
                    if let Ok(Availability::Available(slot)) = self.booker.check(&anyone, t.ctx.now).await {
                        alternatives.insert(0, slot);
                    }
                }
                self.offer_alternatives(state, t, &request, Grain::Minute, reason, &alternatives);
                "unavailable".into()
            }
            Err(e) => self.booking_error(state, e),
        }
    }

    fn booking_error(&self, state: &mut ConversationState, e: BookingError) -> String {
        match e {
            BookingError::UnknownService(_) => {
                state.slots.remove("service");
                "unknown_service".into()
            }
            _ => "failed".into(),
        }
    }

    pub(super) fn offer_alternatives(
        &self,
        state: &mut ConversationState,
        t: &mut TurnBuilder<'_>,
        request: &BookingRequest,
        requested_grain: Grain,
        reason: Unavailable,
        alternatives: &[Slot],
    ) {
        let tz = self.tz;
        let requested = request.start.with_timezone(&tz).fixed_offset();
        state
            .slots
            .insert("requested_time".into(), EntityValue::Time { value: requested, grain: requested_grain });
        state.slots.insert("unavailable_reason".into(), text(reason_words(reason)));
        let mut offered: Vec<&Slot> = alternatives.iter().take(3).collect();
        offered.sort_by_key(|s| s.start);
        let describe = |s: &Slot, previous: Option<&Slot>| {
            let at = s.start.with_timezone(&tz).fixed_offset();
            let same_day = |other: DateTime<Utc>| other.with_timezone(&tz).date_naive() == at.date_naive();
            let when = if same_day(request.start) || previous.is_some_and(|p| same_day(p.start)) {
                self.renderer.time_of_day(at)
            } else {
                self.renderer.when(at, Grain::Minute)
            };
            format!("{when} with {}", self.renderer.staff_name(&s.staff))
        };
        let words: Vec<String> = offered
            .iter()
            .enumerate()
            .map(|(i, s)| describe(s, i.checked_sub(1).map(|p| offered[p])))
            .collect();
        let list = list_words(&words);
        state.slots.insert("alternatives".into(), text(list));
        state.slots.remove("datetime");
        let name = if offered.is_empty() { "no_alternatives" } else { "unavailable" };
        let mut reply = self.renderer.render(name, &state.slots, t.seed());
        reply.buttons = offered
            .iter()
            .map(|s| Button {
                title: describe(s, None),
                payload: payload::encode(
                    "inform",
                    "datetime",
                    &s.start.with_timezone(&tz).fixed_offset().to_rfc3339(),
                ),
            })
            .collect();
        t.say(reply);
        t.asked = !offered.is_empty();
    }

    async fn create_booking(&self, state: &mut ConversationState, t: &mut TurnBuilder<'_>) -> String {
        let Some((request, grain)) = self.request(state, t) else {
            return "missing".into();
        };
        if grain >= Grain::Day {
            return "needs_time".into();
        }
        let Some(name) = slot_text(state, "customer_name") else {
            t.missing = Some("customer_name".into());
            return "missing".into();
        };
        let customer = Customer {
            name: name.to_string(),
            phone: slot_text(state, "phone").map(str::to_string),
            email: slot_text(state, "email").map(str::to_string),
        };
        let key = format!("{}:{}:book", t.ctx.conversation_id, state.turns);
        match self.booker.book(&request, &customer, &key, t.ctx.now).await {
            Ok(booking) => {
                self.remember_booking(state, t, &booking);
                state.bookings.push(booking.id.clone());
                t.event(Event::BookingConfirmed { booking: self.view(&booking) });
                "booked".into()
            }
            Err(BookingError::NotAvailable(reason)) => {
                let alternatives = match self.booker.check(&request, t.ctx.now).await {
                    Ok(Availability::Unavailable { alternatives, .. }) => alternatives,
                    _ => Vec::new(),
                };
                self.offer_alternatives(state, t, &request, Grain::Minute, reason, &alternatives);
                "unavailable".into()
            }
            Err(_) => {
                t.say(self.renderer.render("booking_failed", &state.slots, t.seed()));
                "failed".into()
            }
        }
    }

    /// Finds the booking the customer means: the latest one made in this
    /// conversation that is still on, else their next one by phone.
    async fn find_booking(&self, state: &mut ConversationState, t: &mut TurnBuilder<'_>) -> String {
        for id in state.bookings.clone().iter().rev() {
            if let Ok(b) = self.booker.get(id).await {
                if b.status == BookingStatus::Confirmed && b.start > t.ctx.now {
                    self.remember_booking(state, t, &b);
                    return "found".into();
                }
            }
        }
        if let Some(phone) = slot_text(state, "phone").map(str::to_string) {
            if let Ok(list) = self.booker.upcoming_for_phone(&phone, t.ctx.now).await {
                if let Some(b) = list.first() {
                    self.remember_booking(state, t, b);
                    return "found".into();
                }
            }
        }
        "none".into()
    }

    async fn cancel_booking(&self, state: &mut ConversationState, t: &mut TurnBuilder<'_>) -> String {
        let Some(id) = slot_text(state, "booking_id").map(str::to_string) else {
            return "missing".into();
        };
        match self.booker.cancel(&id, t.ctx.now).await {
            Ok(b) => {
                t.event(Event::BookingCancelled { booking_id: b.id });
                "cancelled".into()
            }
            Err(BookingError::NotAllowed(_)) => "not_allowed".into(),
            Err(_) => "failed".into(),
        }
    }

    async fn reschedule_booking(&self, state: &mut ConversationState, t: &mut TurnBuilder<'_>) -> String {
        let Some(id) = slot_text(state, "booking_id").map(str::to_string) else {
            return "missing".into();
        };
        let Some((start, grain)) = slot_time(state, "datetime") else {
            t.missing = Some("datetime".into());
            return "missing".into();
        };
        if grain >= Grain::Day {
            return "needs_time".into();
        }
        let key = format!("{}:{}:reschedule", t.ctx.conversation_id, state.turns);
        match self.booker.reschedule(&id, start, &key, t.ctx.now).await {
            Ok(b) => {
                self.remember_booking(state, t, &b);
                state.bookings.push(b.id.clone());
                t.event(Event::BookingRescheduled { from_booking_id: id, booking: self.view(&b) });
                "rescheduled".into()
            }
            Err(BookingError::NotAvailable(reason)) => {
                let service = slot_text(state, "booking_service").unwrap_or_default().to_string();
                let request = BookingRequest { service, start, staff: None };
                let alternatives = match self.booker.check(&request, t.ctx.now).await {
                    Ok(Availability::Unavailable { alternatives, .. }) => alternatives,
                    _ => Vec::new(),
                };
                self.offer_alternatives(state, t, &request, Grain::Minute, reason, &alternatives);
                "unavailable".into()
            }
            Err(BookingError::NotAllowed(_)) => "not_allowed".into(),
            Err(_) => "failed".into(),
        }
    }

    fn remember_booking(&self, state: &mut ConversationState, t: &mut TurnBuilder<'_>, b: &Booking) {
        t.set_slot(state, "booking_id", text(b.id.clone()));
        t.set_slot(state, "booking_reference", text(b.reference.clone()));
        t.set_slot(state, "booking_service", text(b.service.clone()));
        let at = b.start.with_timezone(&self.tz).fixed_offset();
        t.set_slot(state, "booking_time", EntityValue::Time { value: at, grain: Grain::Minute });
        t.set_slot(state, "booking_staff", text(b.staff.clone()));
    }

    pub(super) fn view(&self, b: &Booking) -> BookingView {
        BookingView::new(
            b,
            self.renderer.service_name(&b.service),
            self.renderer.staff_name(&b.staff),
            self.tz,
        )
    }
}
