//! The placeholder check: a response may only name a slot that can have
//! been filled when it is said.
//!
//! For each flow this computes, for each step, the slots that MAY be filled
//! when the step runs: the union over every path from the flow's start (a
//! "may" data-flow analysis, so it rejects only what can never be filled).
//! Along a path:
//! * a built-in action fills its slots on its success outcome only (see
//!   [`BUILTIN_FILLS`]); its failure outcomes fill nothing;
//! * a host action may fill anything, so after one nothing is rejected;
//! * a correction ("actually make it 4pm") may send a waiting step back to
//!   an earlier collect step or to the first action, as the engine does,
//!   keeping what is filled.
//!
//! Some names may be filled at any point of any conversation and are never
//! rejected: `business` and `business.name`; the slots the engine itself
//! sets ([`ENGINE_SLOTS`]); and a declared slot that a message can fill
//! (every declared slot whose type is not `text`, since a message fills
//! every slot it carries at any step) or that a collect step of any flow
//! fills (it can carry over from an earlier flow).
//!
//! A response said by a step is checked against that step; a response no
//! step says (one named after an intent, or one the engine says itself) is
//! checked against everything any flow can fill.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::{BotSpec, ButtonSpec, FlowSpec, Problems, ResponseSpec, StepSpec, VariationSpec};

/// Slots each built-in action fills, by the outcome that fills them. This
/// mirrors `dialog/actions.rs`.
pub(super) const BUILTIN_FILLS: [(&str, &str, &[&str]); 5] = [
    ("check_availability", "available", &["staff", "datetime"]),
    ("create_booking", "booked", BOOKING_SLOTS),
    ("find_booking", "found", BOOKING_SLOTS),
    ("reschedule_booking", "rescheduled", BOOKING_SLOTS),
    ("cancel_booking", "cancelled", &[]),
];

/// The slots that describe the booking an action acted on.
const BOOKING_SLOTS: &[&str] =
    &["booking_id", "booking_reference", "booking_service", "booking_time", "booking_staff"];

/// Slots the engine sets outside any action's success: when a time is not
/// available, when it offers free times, and a time window being narrowed.
pub(super) const ENGINE_SLOTS: [&str; 5] =
    ["requested_time", "unavailable_reason", "alternatives", "free_times", "time_window"];

/// What may be filled at a point of a flow.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Filled {
    /// These slots, beyond those always available.
    Some(BTreeSet<String>),
    /// Anything: a host action has run.
    Anything,
}

impl Filled {
    fn none() -> Filled {
        Filled::Some(BTreeSet::new())
    }

    fn contains(&self, slot: &str) -> bool {
        match self {
            Filled::Some(s) => s.contains(slot),
            Filled::Anything => true,
        }
    }

    /// Adds `other`; true when something was added.
    fn absorb(&mut self, other: &Filled) -> bool {
        match (&mut *self, other) {
            (Filled::Anything, _) => false,
            (_, Filled::Anything) => {
                *self = Filled::Anything;
                true
            }
            (Filled::Some(a), Filled::Some(b)) => {
                let before = a.len();
                a.extend(b.iter().cloned());
                a.len() != before
            }
        }
    }

    fn with<'a>(&self, slots: impl IntoIterator<Item = &'a str>) -> Filled {
        let mut out = self.clone();
        if let Filled::Some(s) = &mut out {
            s.extend(slots.into_iter().map(str::to_string));
        }
        out
    }
}

/// The placeholders a template names, as the renderer reads them: `{`,
/// letters, digits, `_` or `.`, `}`.
pub(crate) fn placeholders(template: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close)
                if close > 0
                    && after[..close].chars().all(|c| c.is_alphanumeric() || c == '_' || c == '.') =>
            {
                out.push(&after[..close]);
                rest = &after[close + 1..];
            }
            _ => rest = after,
        }
    }
    out
}

/// Every placeholder of a response: in its texts and its button titles.
fn response_placeholders(response: &ResponseSpec) -> BTreeSet<&str> {
    let mut out = BTreeSet::new();
    match response {
        ResponseSpec::Text(t) => out.extend(placeholders(t)),
        ResponseSpec::Variations(vs) => {
            for v in vs {
                match v {
                    VariationSpec::Text(t) => out.extend(placeholders(t)),
                    VariationSpec::Rich { text, buttons } => {
                        out.extend(placeholders(text));
                        for b in buttons {
                            match b {
                                ButtonSpec::Title(t) | ButtonSpec::Full { title: t, .. } => {
                                    out.extend(placeholders(t))
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    out
}

/// Where a step may go next, with what the move itself fills.
fn successors(flow: &FlowSpec, i: usize, ids: &HashMap<&str, usize>) -> Vec<(Option<usize>, Filled)> {
    let step = &flow.steps[i];
    let target = |name: &str| if name == "end" { None } else { ids.get(name).copied() };
    let next = match &step.goto {
        Some(g) => target(g),
        None if i + 1 < flow.steps.len() => Some(i + 1),
        None => None,
    };
    let mut out = Vec::new();
    if let Some(slot) = &step.collect {
        out.push((next, Filled::none().with([slot.as_str()])));
    } else if step.confirm.is_some() {
        out.push((step.on_yes.as_deref().map_or(next, target), Filled::none()));
        // "No" ends the flow or goes to `on_no`; the engine may instead ask
        // what to change, which the correction edges cover.
        out.push((step.on_no.as_deref().and_then(target), Filled::none()));
    } else if let Some(action) = &step.action {
        match BUILTIN_FILLS.iter().find(|(name, _, _)| name == action) {
            Some((_, success, fills)) => {
                let filled = Filled::none().with(fills.iter().copied());
                // An outcome the step routes goes there; the success outcome
                // goes on when unrouted; other unrouted outcomes go back to a
                // question (corrections cover those) or end the flow.
                match step.on.get(*success) {
                    Some(t) => out.push((target(t), filled)),
                    None => out.push((next, filled)),
                }
                for (outcome, t) in &step.on {
                    if outcome != success {
                        out.push((target(t), Filled::none()));
                    }
                }
            }
            None => {
                for t in step.on.values() {
                    out.push((target(t), Filled::Anything));
                }
                out.push((next, Filled::Anything));
            }
        }
    } else if let Some(arms) = &step.branch {
        for arm in arms {
            out.push((target(&arm.goto), Filled::none()));
        }
        out.push((next, Filled::none()));
    } else if step.end.is_none() {
        // say, handoff
        out.push((next, Filled::none()));
    }
    out
}

/// Whether the engine waits for the user at this step (where a correction
/// can send the flow back).
fn waits(step: &StepSpec) -> bool {
    step.collect.is_some() || step.confirm.is_some()
}

/// For each step, what may be filled when it runs (`None` for a step no
/// path reaches), and everything the flow may have filled by its end.
fn may_be_filled(flow: &FlowSpec) -> (Vec<Option<Filled>>, Filled) {
    let n = flow.steps.len();
    let ids: HashMap<&str, usize> =
        flow.steps.iter().enumerate().filter_map(|(i, s)| s.id.as_deref().map(|id| (id, i))).collect();
    // Where a correction at a waiting step may send the flow: the first
    // step collecting each slot, and the first action (for a slot no step
    // collects), when earlier than the waiting step.
    let mut rewinds: Vec<usize> = Vec::new();
    let mut collected = BTreeSet::new();
    for (i, s) in flow.steps.iter().enumerate() {
        if let Some(slot) = &s.collect {
            if collected.insert(slot.as_str()) {
                rewinds.push(i);
            }
        }
    }
    if let Some(first_action) = flow.steps.iter().position(|s| s.action.is_some()) {
        rewinds.push(first_action);
    }

    let mut filled: Vec<Option<Filled>> = vec![None; n];
    let mut everything = Filled::none();
    if n == 0 {
        return (filled, everything);
    }
    filled[0] = Some(Filled::none());
    let mut work = vec![0];
    while let Some(i) = work.pop() {
        let here = filled[i].clone().expect("queued steps are reached");
        let mut moves = successors(flow, i, &ids);
        if waits(&flow.steps[i]) {
            moves.extend(rewinds.iter().filter(|r| **r <= i).map(|r| (Some(*r), Filled::none())));
        }
        for (to, adds) in moves {
            let mut arriving = here.clone();
            arriving.absorb(&adds);
            everything.absorb(&arriving);
            let Some(to) = to else { continue };
            let changed = match &mut filled[to] {
                Some(f) => f.absorb(&arriving),
                slot @ None => {
                    *slot = Some(arriving);
                    true
                }
            };
            if changed && !work.contains(&to) {
                work.push(to);
            }
        }
    }
    (filled, everything)
}

/// Rejects responses naming slots that cannot have been filled.
pub(super) fn check(spec: &BotSpec, problems: &mut Problems) {
    let declared: BTreeMap<&str, &str> =
        spec.slots.iter().map(|s| (s.name.as_str(), s.entity.as_str())).collect();
    let collected: BTreeSet<&str> =
        spec.flows.iter().flat_map(|f| &f.steps).filter_map(|s| s.collect.as_deref()).collect();
    let always = |name: &str| {
        name == "business"
            || name == "business.name"
            || ENGINE_SLOTS.contains(&name)
            || declared.get(name).is_some_and(|kind| *kind != "text")
            || collected.contains(name)
    };

    // Everything any flow can fill, for responses no step says.
    let mut anywhere = Filled::none();
    let mut said_by_steps = BTreeSet::new();
    for flow in &spec.flows {
        let (filled, everything) = may_be_filled(flow);
        anywhere.absorb(&everything);
        for (i, step) in flow.steps.iter().enumerate() {
            let Some(here) = &filled[i] else { continue };
            for (field, name) in [
                ("prompt", &step.prompt),
                ("reprompt", &step.reprompt),
                ("confirm", &step.confirm),
                ("say", &step.say),
            ] {
                let Some(name) = name else { continue };
                said_by_steps.insert(name.as_str());
                let Some(response) = spec.responses.get(name) else { continue };
                for p in response_placeholders(response) {
                    if !always(p) && !here.contains(p) {
                        problems.push(
                            format!("flows.{}.steps[{i}].{field}", flow.name),
                            format!("response {name:?} names {{{p}}}, which no step before it can fill"),
                        );
                    }
                }
            }
        }
    }
    for (name, response) in &spec.responses {
        if said_by_steps.contains(name.as_str()) {
            continue;
        }
        for p in response_placeholders(response) {
            if !always(p) && !anywhere.contains(p) {
                problems.push(
                    format!("responses.{name}"),
                    format!("names {{{p}}}, which no step of any flow can fill"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::SpecProblem;

    /// A small bot with `flows` and `responses` (YAML, indented two spaces).
    fn spec(flows: &str, responses: &str) -> Result<BotSpec, Vec<SpecProblem>> {
        let yaml = format!(
            r#"
version: 1
business:
  name: Test Salon
  timezone: America/New_York
  hours:
    tuesday: ["09:00-17:00"]
  services:
    - id: cut
      name: Haircut
      duration_minutes: 30
  staff:
    - id: ann
      name: Ann
intents:
  - name: book
    examples: ["book a cut"]
  - name: greet
    examples: [hi]
entities:
  - name: service
    from_services: true
slots:
  - name: service
    type: service
  - name: datetime
    type: datetime
  - name: note
    type: text
  - name: customer_name
    type: name
flows:
{flows}
responses:
  ask_service: Which service?
  ask_time: When?
  ask_name: Your name?
{responses}
"#
        );
        BotSpec::from_yaml(&yaml).map_err(|e| e.problems)
    }

    fn problems(flows: &str, responses: &str) -> Vec<String> {
        match spec(flows, responses) {
            Ok(_) => Vec::new(),
            Err(p) => p.iter().map(ToString::to_string).collect(),
        }
    }

    #[test]
    fn reads_placeholders_as_the_renderer_does() {
        assert_eq!(placeholders("a {x} b {business.name} {y_2}"), ["x", "business.name", "y_2"]);
        assert!(placeholders("{} { x } {a-b} {").is_empty());
        assert_eq!(placeholders("{{x}}"), ["x"]);
        assert_eq!(placeholders("{née}"), ["née"]);
    }

    #[test]
    fn the_salon_loads() {
        let yaml = include_str!("../../../../examples/salon/bot.yaml");
        BotSpec::from_yaml(yaml).unwrap();
    }

    #[test]
    fn an_unknown_slot_in_a_say_step_is_rejected() {
        let p = problems(
            "  - name: book\n    triggers: [book]\n    steps:\n      - collect: service\n        prompt: ask_service\n      - say: done\n",
            "  done: \"Booked your {foo}.\"\n",
        );
        assert_eq!(
            p,
            ["flows.book.steps[1].say: response \"done\" names {foo}, which no step before it can fill"]
        );
    }

    #[test]
    fn an_unknown_slot_in_a_response_no_step_says_is_rejected() {
        let p = problems(
            "  - name: book\n    triggers: [book]\n    steps:\n      - collect: service\n        prompt: ask_service\n",
            "  greet:\n    - text: \"Hi {customer}!\"\n      buttons: [\"Book at {business}\", \"{colour}\"]\n",
        );
        assert_eq!(
            p,
            [
                "responses.greet: names {colour}, which no step of any flow can fill",
                "responses.greet: names {customer}, which no step of any flow can fill",
            ]
        );
    }

    #[test]
    fn always_available_names_pass() {
        let p = problems(
            "  - name: book\n    triggers: [book]\n    steps:\n      - say: hello\n",
            "  hello: \"{business} {business.name} {service} {datetime} {customer_name} {requested_time} {alternatives} {free_times} {unavailable_reason}\"\n",
        );
        assert!(p.is_empty(), "{p:?}");
    }

    #[test]
    fn a_booking_slot_needs_an_action_that_found_it() {
        let flows = "  - name: check
    triggers: [book]
    steps:
      - say: early
      - action: find_booking
        on:
          none: missing
      - say: yours
      - end: true
      - id: missing
        say: not_found
";
        let responses = "  early: \"Looking for {booking_time}\"
  yours: \"Your {booking_service} on {booking_time} with {booking_staff}\"
  not_found: \"No booking {booking_reference}\"
";
        assert_eq!(
            problems(flows, responses),
            [
                "flows.check.steps[0].say: response \"early\" names {booking_time}, which no step before it can fill",
                "flows.check.steps[4].say: response \"not_found\" names {booking_reference}, which no step before it can fill",
            ]
        );
    }

    #[test]
    fn a_routed_success_fills_and_a_failure_does_not() {
        let flows = "  - name: book
    triggers: [book]
    steps:
      - collect: service
        prompt: ask_service
      - action: check_availability
        on:
          available: ok
          unavailable: sorry
      - id: sorry
        say: sorry
      - end: true
      - id: ok
        say: ok
";
        let responses = "  sorry: \"Not with {staff}\"\n  ok: \"With {staff}\"\n";
        assert_eq!(
            problems(flows, responses),
            ["flows.book.steps[2].say: response \"sorry\" names {staff}, which no step before it can fill"]
        );
    }

    #[test]
    fn a_slot_from_another_flow_carries_over_to_responses_no_step_says() {
        let flows = "  - name: book
    triggers: [book]
    steps:
      - collect: service
        prompt: ask_service
      - action: create_booking
";
        // `greet` may come after the booking was made.
        assert!(problems(flows, "  greet: \"Welcome back, see you on {booking_time}\"\n").is_empty());
    }

    #[test]
    fn anything_goes_after_a_host_action() {
        let flows = "  - name: order
    triggers: [book]
    steps:
      - say: before
      - action: quote_price
      - say: after
";
        let responses = "  before: \"{total}\"\n  after: \"{total} {anything}\"\n";
        let spec = spec(flows, responses);
        // The host action is unknown to the spec (the engine builder checks
        // it); only the step before it is rejected.
        assert_eq!(
            spec.unwrap_err().iter().map(ToString::to_string).collect::<Vec<_>>(),
            ["flows.order.steps[0].say: response \"before\" names {total}, which no step before it can fill"]
        );
    }

    #[test]
    fn a_text_slot_is_filled_only_by_a_step() {
        // `note` is a declared text slot: a message fills it only when a
        // step asks for it, so before any collect of it (anywhere) it is empty.
        let flows = "  - name: book\n    triggers: [book]\n    steps:\n      - say: echo\n";
        assert_eq!(
            problems(flows, "  echo: \"{note}\"\n"),
            ["flows.book.steps[0].say: response \"echo\" names {note}, which no step before it can fill"]
        );
        let collected = "  - name: book
    triggers: [book]
    steps:
      - say: echo
  - name: note
    triggers: [greet]
    steps:
      - collect: note
        prompt: ask_name
";
        assert!(problems(collected, "  echo: \"{note}\"\n").is_empty());
    }

    #[test]
    fn a_correction_can_go_back_with_what_it_has() {
        // The prompt of the first step may be said again after the action
        // filled `staff`, when the customer corrects the service later.
        let flows = "  - name: book
    triggers: [book]
    steps:
      - collect: service
        prompt: ask_service_with
      - action: check_availability
      - confirm: sure
";
        assert!(problems(flows, "  ask_service_with: \"Which service with {staff}?\"\n  sure: \"Sure?\"\n")
            .is_empty());
    }

    #[test]
    fn builtin_fills_cover_every_builtin_action() {
        let mut ours: Vec<&str> = BUILTIN_FILLS.iter().map(|(a, _, _)| *a).collect();
        let mut engine: Vec<&str> = crate::dialog::BUILTIN_ACTIONS.to_vec();
        ours.sort_unstable();
        engine.sort_unstable();
        assert_eq!(ours, engine);
    }
}
