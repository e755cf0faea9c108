//! Offering free times: the free times of a day named without a time, and
//! answers to "what times do you have?", "anything earlier?" and "anything
//! later?", each as quick replies whose payload books exactly that time.

use chrono::{DateTime, Datelike, Duration, NaiveTime, TimeZone, Utc};

use super::{Engine, EngineError};
use crate::booking::{Availability, BookingRequest, Slot};
use crate::dialog::answers::{self, TimesAsked};
use crate::dialog::event::Button;
use crate::dialog::payload;
use crate::dialog::render::list_words;
use crate::dialog::state::{ConversationState, Waiting, WINDOW_SLOT};
use crate::dialog::turn::TurnBuilder;
use crate::dialog::when;
use crate::nlu::datetime::Grain;
use crate::nlu::{EntityValue, Parse};

/// How many free times are offered at once.
const OFFERED: usize = 6;

impl Engine {
    /// Free starts of the service in `service_slot` from `from` until
    /// `until`, one per start time, soonest first; empty without a service.
    async fn free_starts_of(
        &self,
        state: &ConversationState,
        service_slot: &str,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
        t: &TurnBuilder<'_>,
    ) -> Vec<Slot> {
        let Some(EntityValue::Text { value: service }) = state.slots.get(service_slot) else {
            return Vec::new();
        };
        let staff = match state.slots.get("staff_preference") {
            Some(EntityValue::Text { value }) => Some(value.clone()),
            _ => None,
        };
        let request = BookingRequest { service: service.clone(), start: from.max(t.ctx.now), staff };
        let mut slots = self.booker.free_slots(&request, until, t.ctx.now).await.unwrap_or_default();
        slots.dedup_by_key(|s| s.start);
        slots
    }

    /// Free starts of the conversation's service (see [`Engine::free_starts_of`]).
    async fn free_starts(
        &self,
        state: &ConversationState,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
        t: &TurnBuilder<'_>,
    ) -> Vec<Slot> {
        self.free_starts_of(state, "service", from, until, t).await
    }

    /// Takes the first free time of the booking being moved in the window
    /// the customer gave ("anything later that same day, after 4?"), for a
    /// flow with no availability check of its own. False when none is free.
    pub(super) async fn take_first_in_window(
        &self,
        state: &mut ConversationState,
        t: &mut TurnBuilder<'_>,
    ) -> bool {
        let Some(EntityValue::Interval { from: Some(from), to: Some(to), .. }) = state.slots.get(WINDOW_SLOT)
        else {
            return false;
        };
        let (from, to) = (from.with_timezone(&Utc), to.with_timezone(&Utc));
        let service_slot =
            if state.slots.contains_key("booking_service") { "booking_service" } else { "service" };
        let free = self.free_starts_of(state, service_slot, from, to, t).await;
        let Some(first) = free.first() else {
            return false;
        };
        let at = first.start.with_timezone(&self.tz).fixed_offset();
        t.set_slot(state, "datetime", EntityValue::Time { value: at, grain: Grain::Minute });
        state.slots.remove(WINDOW_SLOT);
        true
    }

    /// Quick replies for `slots`, spread over them when there are many.
    fn time_buttons(&self, slots: &[Slot], with_day: bool) -> Vec<Button> {
        let step = slots.len().div_ceil(OFFERED).max(1);
        slots
            .iter()
            .step_by(step)
            .take(OFFERED)
            .map(|s| {
                let at = s.start.with_timezone(&self.tz).fixed_offset();
                let title = if with_day {
                    self.renderer.when(at, Grain::Minute)
                } else {
                    self.renderer.time_of_day(at)
                };
                Button { title, payload: payload::encode("inform", "datetime", &at.to_rfc3339()) }
            })
            .collect()
    }

    /// The local day of `value` as instants, from midnight to midnight.
    fn day_bounds(&self, value: &DateTime<chrono::FixedOffset>) -> (DateTime<Utc>, DateTime<Utc>) {
        let day = value.with_timezone(&self.tz).date_naive();
        let start = self.tz.from_local_datetime(&day.and_time(NaiveTime::MIN)).earliest();
        let end = self.tz.from_local_datetime(&(day + Duration::days(1)).and_time(NaiveTime::MIN)).earliest();
        match (start, end) {
            (Some(s), Some(e)) => (s.with_timezone(&Utc), e.with_timezone(&Utc)),
            _ => (value.with_timezone(&Utc), value.with_timezone(&Utc) + Duration::days(1)),
        }
    }

    /// Asks what time on the chosen day would suit, with that day's free
    /// times as quick replies; a day with nothing free gets the nearest
    /// free times instead.
    pub(super) async fn ask_time_of_day(&self, state: &mut ConversationState, t: &mut TurnBuilder<'_>) {
        if std::mem::take(&mut t.asked) {
            return;
        }
        let Some(EntityValue::Time { value, .. }) = state.slots.get("datetime").cloned() else {
            return;
        };
        let (from, until) = self.day_bounds(&value);
        let slots = self.free_starts(state, from, until, t).await;
        if slots.is_empty() {
            // Nothing that day: say so, with the nearest times.
            if let Some((mut request, _)) = self.actions().request(state, t) {
                request.start = from;
                if let Ok(Availability::Unavailable { reason, alternatives }) =
                    self.booker.check(&request, t.ctx.now).await
                {
                    self.actions().offer_alternatives(state, t, &request, Grain::Day, reason, &alternatives);
                    return;
                }
            }
        }
        let mut reply = self.renderer.render("ask_time", &state.slots, t.seed());
        if reply.buttons.is_empty() {
            reply.buttons = self.time_buttons(&slots, false);
        }
        t.say(reply);
    }

    /// Whether the message asks for the first or the last free time
    /// ("earliest", "as late as you can do") without naming a time of day:
    /// "first appointment for me please, wed 29th at 11" asks for 11, and
    /// "whatever the first one is, same time" for the time already chosen.
    pub(super) fn first_or_last_asked(&self, parse: &Parse, text: &str) -> Option<TimesAsked> {
        match answers::asks_for_times(text) {
            // "whatever the first one is, same time": the time already set.
            Some(asked @ (TimesAsked::Earliest | TimesAsked::Latest)) => {
                let said = when::read(parse, text, self.tz, &self.spec.business.hours, false);
                (said.time.is_none() && !said.same_time).then_some(asked)
            }
            _ => None,
        }
    }

    /// Takes the first free time of the day chosen (or named in `text`, as
    /// in "the earliest you have wed?"), else of the next fortnight, as the
    /// conversation's time; with `latest`, the day's last one ("as late as
    /// you can do", only for a known day). False when nothing is free or no
    /// service is known.
    pub(super) async fn take_first_or_last(
        &self,
        state: &mut ConversationState,
        text: &str,
        latest: bool,
        t: &mut TurnBuilder<'_>,
    ) -> bool {
        let chosen_day = match state.slots.get("datetime") {
            Some(EntityValue::Time { value, .. }) => Some(value.with_timezone(&self.tz).date_naive()),
            _ => None,
        };
        let today = t.ctx.now.with_timezone(&self.tz).date_naive();
        let named_day = || {
            crate::dialog::answers::normalise(text)
                .split(' ')
                .find_map(crate::nlu::datetime::weekday_named)
                .map(|w| {
                    let ahead = (7 + w.num_days_from_monday() as i64
                        - today.weekday().num_days_from_monday() as i64)
                        % 7;
                    today + Duration::days(if ahead == 0 { 7 } else { ahead })
                })
        };
        let (from, until) = match chosen_day.or_else(named_day) {
            Some(day) => {
                let midnight = day.and_time(NaiveTime::MIN);
                match self.tz.from_local_datetime(&midnight).earliest() {
                    Some(start) => self.day_bounds(&start.fixed_offset()),
                    None => return false,
                }
            }
            None if latest => return false,
            None => (t.ctx.now, t.ctx.now + Duration::days(14)),
        };
        let free = self.free_starts(state, from, until, t).await;
        let chosen = if latest { free.into_iter().last() } else { free.into_iter().next() };
        let Some(first) = chosen else {
            return false;
        };
        let at = first.start.with_timezone(&self.tz).fixed_offset();
        t.set_slot(state, "datetime", EntityValue::Time { value: at, grain: Grain::Minute });
        true
    }

    /// Answers a question about free times and waits for the customer's pick.
    pub(super) async fn offer_times(
        &self,
        state: &mut ConversationState,
        asked: TimesAsked,
        t: &mut TurnBuilder<'_>,
    ) -> Result<(), EngineError> {
        let reference = match state.slots.get("datetime").or_else(|| state.slots.get("requested_time")) {
            Some(EntityValue::Time { value, grain }) => Some((*value, *grain)),
            _ => None,
        };
        let (from, until, with_day) = match (asked, reference) {
            // A day without a time: its free times, whichever way asked.
            (_, Some((at, grain))) if asked == TimesAsked::Any || grain >= Grain::Day => {
                let (from, until) = self.day_bounds(&at);
                (from, until, false)
            }
            (TimesAsked::Earlier, Some((at, grain))) if grain < Grain::Day => {
                (self.day_bounds(&at).0, at.with_timezone(&Utc), false)
            }
            (TimesAsked::Later, Some((at, grain))) if grain < Grain::Day => {
                (at.with_timezone(&Utc) + Duration::minutes(1), self.day_bounds(&at).1, false)
            }
            _ => (t.ctx.now, t.ctx.now + Duration::days(7), true),
        };
        let mut slots = self.free_starts(state, from, until, t).await;
        if asked == TimesAsked::Earlier {
            // The latest ones before the time discussed.
            let keep = slots.len().saturating_sub(OFFERED);
            slots.drain(..keep);
        } else {
            slots.truncate(OFFERED * 4);
        }
        if let Some((at, grain)) = reference {
            state.slots.insert("requested_time".into(), EntityValue::Time { value: at, grain });
        }
        let Some(frame) = state.stack.last() else {
            return Ok(());
        };
        let Some(flow) = self.flow_index(&frame.flow).map(|f| &self.flows[f]) else {
            return Ok(());
        };
        let Some(step) = flow.collect_step("datetime") else {
            self.ask_again(state, t);
            return Ok(());
        };
        if !state.slots.contains_key("service") {
            // Free times depend on the service: ask for it first.
            return self.rewind(state, flow.collect_step("service").unwrap_or(step), t).await;
        }
        let name = if slots.is_empty() { "no_free_times" } else { "free_times" };
        let times = slots
            .iter()
            .step_by(slots.len().div_ceil(OFFERED).max(1))
            .take(OFFERED)
            .map(|s| {
                let at = s.start.with_timezone(&self.tz).fixed_offset();
                if with_day {
                    self.renderer.when(at, Grain::Minute)
                } else {
                    self.renderer.time_of_day(at)
                }
            })
            .collect::<Vec<_>>();
        state.slots.insert("free_times".into(), EntityValue::Text { value: list_words(&times) });
        let mut reply = self.renderer.render(name, &state.slots, t.seed());
        reply.buttons = self.time_buttons(&slots, with_day);
        t.say(reply);
        state.slots.remove("datetime");
        if let Some(frame) = state.stack.last_mut() {
            frame.step = step;
            frame.waiting = Some(Waiting::Slot { slot: "datetime".into() });
            frame.attempts = 0;
        }
        Ok(())
    }
}
