//! A message to a flow that waits for an answer: the slot asked for, a
//! yes or a no to a confirmation, what to change; anything else is a
//! digression, after which the question is asked again.

use super::meaning::Meaning;
use super::slots::Filled;
use super::{Engine, EngineError};
use crate::dialog::answers::{self, TimesAsked};
use crate::dialog::event::{Button, Event};
use crate::dialog::flow::{Step, Target};
use crate::dialog::knowledge;
use crate::dialog::state::{ConversationState, Waiting};
use crate::dialog::turn::TurnBuilder;
use crate::dialog::when;
use crate::nlu::datetime::Grain;
use crate::nlu::{EntityValue, Parse, KNOWLEDGE_INTENT_PREFIX};
use crate::spec::BotSpec;

/// The most words of a question that offers a time rather than asking
/// about the business ("10am?", "what about 10am?").
const TIME_ASKED_WORDS: usize = 3;

/// Reads a yes or a no: the words first ("perfect, book it" is a yes even
/// when the classifier hears "stop"), then the spec's affirm and deny intents.
pub(super) fn yes_no(text: &str, intent: Option<&str>, spec: &BotSpec) -> Option<bool> {
    if let Some(yes) = answers::yes_no(text) {
        return Some(yes);
    }
    if intent.is_some() && intent == spec.dialog.affirm_intent.as_deref() {
        return Some(true);
    }
    if intent.is_some() && intent == spec.dialog.deny_intent.as_deref() {
        return Some(false);
    }
    None
}

impl Engine {
    pub(super) async fn answer_slot(
        &self,
        state: &mut ConversationState,
        parse: &Parse,
        text: &str,
        slot: &str,
        t: &mut TurnBuilder<'_>,
    ) -> Result<(), EngineError> {
        let meaning = self.meaning(state, parse, text);
        if self.slot_type(slot) == "text" {
            if matches!(meaning, Meaning::Nothing) {
                state.failures = 0;
                t.set_slot(state, slot, EntityValue::Text { value: text.to_string() });
                return self.resume(state, &Filled::default(), t).await;
            }
            return self.digress(state, meaning, parse, text, t).await;
        }
        // Another flow asked for ("actually, cancel my appointment") wins,
        // unless the message answers the question and the classifier is
        // unsure ("Saturday at 2pm" is no new booking when asked when to
        // move one).
        if let Meaning::StartFlow(f) = meaning {
            let sure = parse.intent.as_ref().is_some_and(|i| i.confidence >= 0.85);
            if self.is_other_flow(state, f)
                && (sure || !self.answers_slot(parse, text, slot))
                && !self.corrects_booking_in_progress(state, f, parse, text)
            {
                return self.digress(state, meaning, parse, text, t).await;
            }
        }
        // "what time do you close on saturdays?", "how long does that
        // take? i have to grab my kids at 3": a question the classifier
        // puts on an entry is answered, and only what the rest of the
        // message says is taken ("can we do 1pm instead?" and "what times
        // do you have on thursday?" are about the booking).
        // "whatever the first one is, same time" asks for no other time.
        let asked = answers::asks_for_times(text).filter(|a| {
            !matches!(a, TimesAsked::Earliest | TimesAsked::Latest)
                || self.first_or_last_asked(parse, text).is_some()
        });
        if let Meaning::Knowledge { entry, score } = meaning {
            let classified =
                parse.intent.as_ref().and_then(|i| i.intent.strip_prefix(KNOWLEDGE_INTENT_PREFIX))
                    == Some(self.knowledge[entry].id.as_str());
            // "is 10 am open?" when asked for a time offers 10 am, and so
            // does "I'll wait so. 10am?": a question of a time and little else.
            let hours = &self.spec.business.hours;
            let timed = |p: &Parse, t: &str| when::read(p, t, self.tz, hours, true).time.is_some();
            let (rest_parse, rest) = knowledge::outside_questions(parse, text);
            let asking_words =
                text.split_whitespace().count().saturating_sub(rest.split_whitespace().count());
            let time_asked =
                timed(parse, text) && !timed(&rest_parse, &rest) && asking_words <= TIME_ASKED_WORDS;
            let offers_time = self.slot_type(slot) == "datetime"
                && (answers::asks_if_free(text) && timed(parse, text) || time_asked);
            if classified && knowledge::is_question(text) && asked.is_none() && !offers_time {
                self.kb().answer(state, entry, score, text, t).await;
                let (rest_parse, rest) = knowledge::outside_questions(parse, text);
                let filled = self.absorb(state, &rest_parse, &rest, Some(slot), t);
                if filled.any() {
                    state.failures = 0;
                    return self.resume(state, &filled, t).await;
                }
                self.ask_again(state, t);
                return Ok(());
            }
        }
        if let Some(asked) = self.first_or_last_asked(parse, text) {
            // "what's the earliest you have wed?": that day's first free
            // time; "as late as you can do": its last, at any prompt.
            let mut filled = self.absorb(state, parse, text, Some(slot), t);
            if self.take_first_or_last(state, text, asked == TimesAsked::Latest, t).await {
                match self.slot_type(slot) {
                    "datetime" => filled.new.push(slot.to_string()),
                    _ => filled.changed.push("datetime".to_string()),
                }
                state.failures = 0;
                return self.resume(state, &filled, t).await;
            }
        }
        let filled = self.absorb(state, parse, text, Some(slot), t);
        if filled.any() {
            state.failures = 0;
            return self.resume(state, &filled, t).await;
        }
        if let Some(asked) = asked {
            return self.offer_times(state, asked, t).await;
        }
        self.digress(state, meaning, parse, text, t).await
    }

    /// Whether a message the classifier reads as moving a booking
    /// ("sorry i meant thursday not tuesday, same time") changes the booking
    /// being made: nothing is booked yet in this conversation, the active
    /// flow books, and the message says when or what.
    fn corrects_booking_in_progress(
        &self,
        state: &ConversationState,
        other: usize,
        parse: &Parse,
        text: &str,
    ) -> bool {
        let active_books = state
            .stack
            .last()
            .and_then(|fr| self.flow_index(&fr.flow))
            .is_some_and(|f| self.flows[f].runs("create_booking"));
        let other_moves = self.flows[other].runs("reschedule_booking");
        // "actually deep tissue is better for my neck, can we change to
        // that?" changes the service of the booking being made.
        let says_what = parse.entities.iter().any(|e| e.entity == "service");
        active_books
            && other_moves
            && state.bookings.is_empty()
            && (says_what || !when::read(parse, text, self.tz, &self.spec.business.hours, false).is_empty())
    }

    fn is_other_flow(&self, state: &ConversationState, flow: usize) -> bool {
        state.stack.last().and_then(|fr| self.flow_index(&fr.flow)) != Some(flow)
    }

    /// Runs the active flow on after an answer: from the earliest step a
    /// correction touched, else from the step that waited (which moves on
    /// once its slot is filled).
    async fn resume(
        &self,
        state: &mut ConversationState,
        filled: &Filled,
        t: &mut TurnBuilder<'_>,
    ) -> Result<(), EngineError> {
        let Some(frame) = state.stack.last() else {
            return Ok(());
        };
        let Some(f) = self.flow_index(&frame.flow) else {
            return Ok(());
        };
        let step = self.rewind_step(&self.flows[f], filled, frame);
        self.rewind(state, step, t).await
    }

    pub(super) async fn answer_confirmation(
        &self,
        state: &mut ConversationState,
        parse: &Parse,
        text: &str,
        t: &mut TurnBuilder<'_>,
    ) -> Result<(), EngineError> {
        let intent = parse.intent.as_ref().map(|i| i.intent.as_str());
        // "Smashing, thank you" to "Shall I book it?" is a yes.
        let yes = yes_no(text, intent, &self.spec).or_else(|| answers::only_thanks(text).then_some(true));
        if let (None, Meaning::StartFlow(f)) = (yes, self.meaning(state, parse, text)) {
            // "oh wait, can we do Saturday instead?" before anything is
            // booked changes this booking.
            if self.is_other_flow(state, f) && !self.corrects_booking_in_progress(state, f, parse, text) {
                return self.digress(state, Meaning::StartFlow(f), parse, text, t).await;
            }
        }
        // "No, make it 4pm": a correction, then the question again.
        let filled = self.absorb(state, parse, text, None, t);
        if filled.any() {
            state.failures = 0;
            return self.resume(state, &filled, t).await;
        }
        let Some(yes) = yes else {
            if let Some(asked) = answers::asks_for_times(text) {
                return self.offer_times(state, asked, t).await;
            }
            let meaning = self.meaning(state, parse, text);
            return self.digress(state, meaning, parse, text, t).await;
        };
        state.failures = 0;
        let Some(frame) = state.stack.last_mut() else {
            return Ok(());
        };
        frame.waiting = None;
        frame.attempts = 0;
        let flow = &self.flows[self.flow_index(&frame.flow).expect("frames name compiled flows")];
        let (on_yes, on_no) = match &flow.steps[frame.step] {
            Step::Confirm { on_yes, on_no, .. } => (*on_yes, *on_no),
            _ => (None, None),
        };
        if !yes && on_no.is_none() {
            // Ask what to change rather than drop everything.
            frame.waiting = Some(Waiting::Change);
            t.say(self.renderer.render("change_what", &state.slots, t.seed()));
            return Ok(());
        }
        let next = if yes { on_yes.unwrap_or(flow.next[frame.step]) } else { on_no.unwrap_or(Target::End) };
        self.jump(state, next);
        self.run(state, t).await
    }

    /// The answer to "what would you like to change?": the corrected
    /// values, a "nothing, go ahead" or a "forget it".
    pub(super) async fn answer_change(
        &self,
        state: &mut ConversationState,
        parse: &Parse,
        text: &str,
        t: &mut TurnBuilder<'_>,
    ) -> Result<(), EngineError> {
        let filled = self.absorb(state, parse, text, None, t);
        if filled.any() {
            state.failures = 0;
            return self.resume(state, &filled, t).await;
        }
        let intent = parse.intent.as_ref().map(|i| i.intent.as_str());
        match yes_no(text, intent, &self.spec) {
            Some(false) => {
                if let Some(frame) = state.stack.pop() {
                    t.event(Event::FlowCancelled { flow: frame.flow });
                }
                t.say(self.renderer.render("stopped", &state.slots, t.seed()));
                self.ask_again(state, t);
                Ok(())
            }
            Some(true) => {
                if let Some(frame) = state.stack.last_mut() {
                    frame.waiting = None;
                }
                self.run(state, t).await
            }
            None => {
                let meaning = self.meaning(state, parse, text);
                self.digress(state, meaning, parse, text, t).await
            }
        }
    }

    /// A message that does not answer the pending question.
    async fn digress(
        &self,
        state: &mut ConversationState,
        meaning: Meaning,
        parse: &Parse,
        text: &str,
        t: &mut TurnBuilder<'_>,
    ) -> Result<(), EngineError> {
        match meaning {
            Meaning::StartFlow(f) => {
                let current = state.stack.last().and_then(|fr| self.flow_index(&fr.flow));
                if current == Some(f) {
                    self.ask_again(state, t);
                    return Ok(());
                }
                self.start_flow(state, f, parse, text, t).await
            }
            Meaning::Knowledge { entry, score } => {
                self.kb().answer(state, entry, score, text, t).await;
                self.ask_again(state, t);
                Ok(())
            }
            Meaning::KnowledgeChoices(entries) => {
                self.kb().offer_choices(state, &entries, t);
                Ok(())
            }
            Meaning::Respond(name) => {
                t.say(self.renderer.render(&name, &state.slots, t.seed()));
                self.ask_again(state, t);
                Ok(())
            }
            Meaning::Nothing | Meaning::KnowledgeUnknown => {
                let Some(frame) = state.stack.last_mut() else {
                    return Ok(());
                };
                frame.attempts += 1;
                let attempts = frame.attempts;
                let flow = &self.flows[self.flow_index(&frame.flow).expect("frames name compiled flows")];
                let day_only = matches!(state.slots.get("datetime"), Some(EntityValue::Time { grain, .. }) if *grain >= Grain::Day);
                let (max, reprompt) = match (&flow.steps[frame.step], &frame.waiting) {
                    (Step::Collect { slot, max_attempts, .. }, _) if slot == "datetime" && day_only => {
                        (*max_attempts, "ask_time".to_string())
                    }
                    (Step::Collect { max_attempts, reprompt, prompt, .. }, _) => {
                        (*max_attempts, reprompt.clone().unwrap_or_else(|| prompt.clone()))
                    }
                    (_, Some(Waiting::Change)) => (3, "change_what".to_string()),
                    _ => (3, "ask_yes_no".to_string()),
                };
                if attempts >= max {
                    let name = flow.name.clone();
                    state.stack.pop();
                    t.event(Event::FlowCancelled { flow: name });
                    t.event(Event::OutOfScope { text: text.to_string() });
                    t.say(self.renderer.render("flow_failed", &state.slots, t.seed()));
                    state.failures = self.spec.dialog.handoff_after_failures.max(1) - 1;
                    self.not_understood_offer(state, t);
                    return Ok(());
                }
                let mut reply = self.renderer.render(&reprompt, &state.slots, t.seed());
                // The service asked for again: the services to choose from.
                let asks_service = matches!(&flow.steps[frame.step], Step::Collect { slot, .. }
                    if self.is_service_entity(self.slot_type(slot)));
                if asks_service && reply.buttons.is_empty() {
                    reply.buttons = self
                        .spec
                        .business
                        .services
                        .iter()
                        .map(|s| Button { title: s.name.clone(), payload: s.name.clone() })
                        .collect();
                }
                t.say(reply);
                Ok(())
            }
        }
    }
}
