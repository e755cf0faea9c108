//! Running the active flow: its steps until it waits for the customer or
//! ends, where action outcomes lead, starting, rewinding and failing flows,
//! and asking the pending question again.

use std::collections::BTreeMap;

use super::{Engine, EngineError, MAX_STEPS_PER_TURN};
use crate::dialog::actions::BUILTIN_ACTIONS;
use crate::dialog::answers::TimesAsked;
use crate::dialog::event::{Event, Reply};
use crate::dialog::flow::{Flow, Step, Target};
use crate::dialog::render::yes_no_buttons;
use crate::dialog::state::{ConversationState, FlowFrame, Waiting, WINDOW_SLOT};
use crate::dialog::turn::TurnBuilder;
use crate::nlu::datetime::Grain;
use crate::nlu::{EntityValue, Parse};

impl Engine {
    /// Asks the pending question of the active flow again, if there is one.
    pub(super) fn ask_again(&self, state: &mut ConversationState, t: &mut TurnBuilder<'_>) {
        let Some(frame) = state.stack.last() else {
            return;
        };
        if frame.waiting.is_none() {
            return;
        }
        let Some(flow) = self.flow_index(&frame.flow).map(|f| &self.flows[f]) else {
            return;
        };
        let reply = match &flow.steps[frame.step] {
            Step::Collect { prompt, .. } => self.renderer.render(prompt, &state.slots, t.seed()),
            Step::Confirm { .. } if frame.waiting == Some(Waiting::Change) => {
                self.renderer.render("change_what", &state.slots, t.seed())
            }
            Step::Confirm { response, .. } => self.confirm_reply(response, &state.slots, t.seed()),
            _ => return,
        };
        t.say(reply);
    }

    fn confirm_reply(&self, response: &str, slots: &BTreeMap<String, EntityValue>, seed: u64) -> Reply {
        let mut reply = self.renderer.render(response, slots, seed);
        if reply.buttons.is_empty() {
            reply.buttons = yes_no_buttons();
        }
        reply
    }

    pub(super) async fn start_flow(
        &self,
        state: &mut ConversationState,
        flow: usize,
        parse: &Parse,
        text: &str,
        t: &mut TurnBuilder<'_>,
    ) -> Result<(), EngineError> {
        state.failures = 0;
        self.forget_old_answers(state, &self.flows[flow]);
        self.push_flow(state, flow, t);
        self.absorb(state, parse, text, None, t);
        // "whats the earliest i can get a womens cut friday": the first
        // free time, as the same words do at any prompt.
        if self.flows[flow].runs("create_booking") {
            if let Some(asked) = self.first_or_last_asked(parse, text) {
                self.take_first_or_last(state, text, asked == TimesAsked::Latest, t).await;
            }
        }
        self.run(state, t).await
    }

    /// Puts flow `flow` on top of the stack, at its first step.
    pub(super) fn push_flow(&self, state: &mut ConversationState, flow: usize, t: &mut TurnBuilder<'_>) {
        let name = self.flows[flow].name.clone();
        t.event(Event::FlowStarted { flow: name.clone() });
        state.stack.push(FlowFrame {
            flow: name,
            step: 0,
            waiting: None,
            attempts: 0,
            started_turn: state.turns,
            visited: Vec::new(),
        });
    }

    pub(super) async fn rewind(
        &self,
        state: &mut ConversationState,
        step: usize,
        t: &mut TurnBuilder<'_>,
    ) -> Result<(), EngineError> {
        if let Some(frame) = state.stack.last_mut() {
            frame.step = step;
            frame.waiting = None;
            frame.attempts = 0;
        }
        state.failures = 0;
        self.run(state, t).await
    }

    /// Where a flow goes after an action outcome its step does not route:
    /// on for a success (or any outcome of a host action but `failed`), back
    /// to the question whose answer is missing or unavailable, the step's
    /// `failed` branch otherwise; `None` when the flow must end there.
    fn unhandled_outcome(
        &self,
        flow: &Flow,
        action: &str,
        outcome: &str,
        t: &TurnBuilder<'_>,
    ) -> Option<Target> {
        const SUCCESS: [(&str, &str); 5] = [
            ("check_availability", "available"),
            ("create_booking", "booked"),
            ("find_booking", "found"),
            ("cancel_booking", "cancelled"),
            ("reschedule_booking", "rescheduled"),
        ];
        let index = flow.steps.iter().position(|s| matches!(s, Step::Action { name, .. } if name == action));
        let on_next = index.map_or(Target::End, |i| flow.next[i]);
        let builtin = BUILTIN_ACTIONS.contains(&action);
        if SUCCESS.contains(&(action, outcome)) || !builtin && outcome != "failed" {
            return Some(on_next);
        }
        let back = match outcome {
            "missing" => t.missing.as_deref().and_then(|slot| flow.collect_step(slot)),
            "needs_time" | "unavailable" => flow.collect_step("datetime"),
            "unknown_service" => flow.collect_step("service"),
            _ => None,
        };
        back.map(Target::Step).or_else(|| match &flow.steps[index?] {
            Step::Action { on, .. } => on.get("failed").copied(),
            _ => None,
        })
    }

    /// After a nested flow ended: when it took a slot the waiting flow had
    /// (both collect a time), the waiting flow goes back to the first step
    /// on its path whose slot is now missing instead of asking a question
    /// that names it. Returns whether it did.
    fn recollect(&self, state: &mut ConversationState) -> bool {
        let Some(frame) = state.stack.last_mut() else {
            return false;
        };
        let Some(flow) = self.flows.iter().find(|f| f.name == frame.flow) else {
            return false;
        };
        let lost = frame.visited.iter().copied().filter(|&i| i < frame.step).find(
            |&i| matches!(&flow.steps[i], Step::Collect { slot, .. } if !state.slots.contains_key(slot)),
        );
        match lost {
            Some(step) => {
                frame.step = step;
                frame.waiting = None;
                frame.attempts = 0;
                true
            }
            None => false,
        }
    }

    /// Ends the active flow after an action failed, saying so.
    fn fail_flow(&self, state: &mut ConversationState, response: &str, t: &mut TurnBuilder<'_>) {
        if let Some(frame) = state.stack.pop() {
            t.event(Event::FlowCancelled { flow: frame.flow });
        }
        t.say(self.renderer.render(response, &state.slots, t.seed()));
        self.ask_again(state, t);
    }

    pub(super) fn jump(&self, state: &mut ConversationState, target: Target) {
        if let Some(frame) = state.stack.last_mut() {
            frame.step = match target {
                Target::Step(i) => i,
                Target::End => usize::MAX,
            };
        }
    }

    /// Runs the active flow until it waits for the user or ends.
    pub(super) async fn run(
        &self,
        state: &mut ConversationState,
        t: &mut TurnBuilder<'_>,
    ) -> Result<(), EngineError> {
        // Questions passed over in this run, with the value that let them
        // be: an action that sends the flow back to one (the time asked for
        // is taken) while that value stands gets the question asked, not an
        // endless loop.
        let mut passed: Vec<(String, usize, Option<EntityValue>)> = Vec::new();
        for _ in 0..MAX_STEPS_PER_TURN {
            let Some(frame) = state.stack.last() else {
                return Ok(());
            };
            if frame.waiting.is_some() {
                return Ok(());
            }
            let f = self.flow_index(&frame.flow).expect("frames name compiled flows");
            let flow = &self.flows[f];
            let index = frame.step;
            if index >= flow.steps.len() {
                state.stack.pop();
                t.event(Event::FlowCompleted { flow: flow.name.clone() });
                if self.recollect(state) {
                    continue;
                }
                self.ask_again(state, t);
                if state.stack.last().is_some_and(|fr| fr.waiting.is_some()) {
                    return Ok(());
                }
                continue;
            }
            if let Some(fr) = state.stack.last_mut() {
                if !fr.visited.contains(&index) {
                    fr.visited.push(index);
                }
            }
            let mut next = flow.next[index];
            match &flow.steps[index] {
                Step::Collect { slot, prompt, ask_always, .. } => {
                    // A day and a window ("after 4") where no availability
                    // check follows (moving a booking): its first free time.
                    let day_only = matches!(state.slots.get(slot), Some(EntityValue::Time { grain, .. }) if *grain >= Grain::Day);
                    if slot == "datetime"
                        && day_only
                        && state.slots.contains_key(WINDOW_SLOT)
                        && !flow.runs("check_availability")
                    {
                        self.take_first_in_window(state, t).await;
                    }
                    let needs_time = slot == "datetime"
                        && matches!(state.slots.get(slot), Some(EntityValue::Time { grain, .. }) if *grain >= Grain::Day)
                        && !state.slots.contains_key(WINDOW_SLOT);
                    // `ask_always` asks afresh unless the customer said it
                    // since the flow started.
                    let started = state.stack.last().map_or(state.turns, |fr| fr.started_turn);
                    let fresh =
                        !ask_always || state.slot_turns.get(slot).is_some_and(|turn| *turn >= started);
                    let value = state.slots.get(slot).cloned();
                    let key = (flow.name.clone(), index, value);
                    if key.2.is_some() && fresh && !needs_time && !passed.contains(&key) {
                        passed.push(key);
                        self.jump(state, next);
                        continue;
                    }
                    if needs_time {
                        self.ask_time_of_day(state, t).await;
                    } else {
                        if !std::mem::take(&mut t.asked) {
                            t.say(self.renderer.render(prompt, &state.slots, t.seed()));
                        }
                        if *ask_always {
                            state.slots.remove(slot);
                        }
                    }
                    if let Some(fr) = state.stack.last_mut() {
                        fr.waiting = Some(Waiting::Slot { slot: slot.clone() });
                    }
                    return Ok(());
                }
                Step::Confirm { response, .. } => {
                    t.say(self.confirm_reply(response, &state.slots, t.seed()));
                    if let Some(fr) = state.stack.last_mut() {
                        fr.waiting = Some(Waiting::Confirmation);
                    }
                    return Ok(());
                }
                Step::Action { name, on } => {
                    let outcome = self.actions().run(name, state, t).await;
                    // A value the action cannot use ("before xmas" is no
                    // time to book) is asked for again, not skipped by its
                    // question forever.
                    if outcome == "missing" {
                        if let Some(slot) = t.missing.as_deref() {
                            state.slots.remove(slot);
                        }
                    }
                    next = match on.get(&outcome) {
                        Some(target) => *target,
                        None => match self.unhandled_outcome(flow, name, &outcome, t) {
                            Some(target) => target,
                            None => {
                                let response =
                                    if outcome == "none" { "booking_not_found" } else { "action_failed" };
                                self.fail_flow(state, response, t);
                                continue;
                            }
                        },
                    };
                }
                Step::Branch(arms) => {
                    if let Some((_, target)) = arms.iter().find(|(cond, _)| match cond {
                        None => true,
                        Some(c) => {
                            let value = state.slots.get(&c.slot);
                            c.is_set.is_none_or(|want| value.is_some() == want)
                                && c.equals
                                    .as_ref()
                                    .is_none_or(|want| value.is_some_and(|v| v.display() == *want))
                        }
                    }) {
                        next = *target;
                    }
                }
                Step::Say(response) => t.say(self.renderer.render(response, &state.slots, t.seed())),
                Step::Handoff(reason) => {
                    self.hand_off(state, t, reason);
                    return Ok(());
                }
                Step::End => next = Target::End,
            }
            self.jump(state, next);
        }
        let name = state.stack.last().map(|f| f.flow.clone()).unwrap_or_default();
        Err(EngineError::FlowLoop(name))
    }
}
