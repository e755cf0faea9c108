//! Responses: picking a variation and filling its placeholders.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset};

use super::event::{Button, Reply};
use crate::nlu::datetime::Grain;
use crate::nlu::EntityValue;
use crate::spec::{BotSpec, ButtonSpec, ResponseSpec, VariationSpec};

/// Texts the engine falls back to when a spec does not define a response.
const DEFAULTS: &[(&str, &str)] = &[
    ("out_of_scope", "Sorry, I can't help with that. I can answer questions about {business} and book, move or cancel appointments."),
    ("offer_handoff", "Would you like me to connect you with someone from our team?"),
    ("handoff", "I'm passing you to a member of our team. They'll reply here shortly."),
    ("stopped", "Okay, I've stopped that. Anything else I can help with?"),
    ("help", "I can answer questions about {business} and book, move or cancel appointments. What would you like to do?"),
    ("restart", "Let's start over. How can I help?"),
    ("flow_failed", "Sorry, I couldn't get that. Let's leave it there for now."),
    ("ask_yes_no", "Sorry, was that a yes or a no?"),
    ("ask_time", "What time on {datetime} would suit you?"),
    ("unavailable", "Sorry, {requested_time} isn't available ({unavailable_reason}). The nearest times I can offer are {alternatives}. Which would suit you, or would you like another time?"),
    ("no_alternatives", "Sorry, {requested_time} isn't available ({unavailable_reason}) and I found no time close to it. Could you suggest another day?"),
    ("handoff_declined", "No problem. What else can I help with?"),
    ("kb_choices", "I'm not sure which of these you mean. Pick one, or ask me another way:"),
    ("kb_unknown", "Sorry, I don't know the answer to that, and I'd rather not guess."),
    ("booking_failed", "Sorry, something went wrong while booking. Please try again in a moment."),
    ("action_failed", "Sorry, I couldn't complete that just now. Please try again, or ask to talk to a person."),
    ("booking_not_found", "I couldn't find an upcoming appointment. Would you like to book one?"),
    ("change_what", "No problem. What would you like to change: the service, the day or time, or your name or number?"),
    ("free_times", "I have {free_times}. Which would suit you?"),
    ("no_free_times", "Sorry, I have nothing free then. Would another day or time suit you?"),
];

/// Renders responses for one bot.
#[derive(Debug, Clone)]
pub(crate) struct Renderer {
    responses: BTreeMap<String, ResponseSpec>,
    business: String,
    tz: chrono_tz::Tz,
    service_names: BTreeMap<String, String>,
    staff_names: BTreeMap<String, String>,
}

impl Renderer {
    pub(crate) fn new(spec: &BotSpec) -> Renderer {
        Renderer {
            responses: spec.responses.clone(),
            business: spec.business.name.clone(),
            tz: spec.business.tz(),
            service_names: spec.business.services.iter().map(|s| (s.id.clone(), s.name.clone())).collect(),
            staff_names: spec.business.staff.iter().map(|s| (s.id.clone(), s.name.clone())).collect(),
        }
    }

    /// Whether the spec defines `name`.
    pub(crate) fn has(&self, name: &str) -> bool {
        self.responses.contains_key(name)
    }

    /// The display name of a service id (the id itself when unknown).
    pub(crate) fn service_name<'a>(&'a self, id: &'a str) -> &'a str {
        self.service_names.get(id).map_or(id, String::as_str)
    }

    /// The display name of a staff id (the id itself when unknown).
    pub(crate) fn staff_name<'a>(&'a self, id: &'a str) -> &'a str {
        self.staff_names.get(id).map_or(id, String::as_str)
    }

    /// Renders response `name`, choosing a variation with `seed`.
    pub(crate) fn render(&self, name: &str, slots: &BTreeMap<String, EntityValue>, seed: u64) -> Reply {
        let (text, buttons) = match self.responses.get(name) {
            Some(ResponseSpec::Text(t)) => (t.clone(), Vec::new()),
            Some(ResponseSpec::Variations(v)) if !v.is_empty() => {
                match &v[(seed % v.len() as u64) as usize] {
                    VariationSpec::Text(t) => (t.clone(), Vec::new()),
                    VariationSpec::Rich { text, buttons } => (text.clone(), buttons.clone()),
                }
            }
            _ => {
                let text = DEFAULTS.iter().find(|(n, _)| *n == name).map_or(name, |(_, t)| t);
                (text.to_string(), Vec::new())
            }
        };
        Reply {
            text: self.fill(&text, slots),
            buttons: buttons
                .into_iter()
                .map(|b| match b {
                    ButtonSpec::Title(t) => Button { title: self.fill(&t, slots), payload: t },
                    ButtonSpec::Full { title, payload } => {
                        Button { title: self.fill(&title, slots), payload }
                    }
                })
                .collect(),
        }
    }

    /// Replaces `{slot}` and `{business}` placeholders; unknown ones stay as written.
    pub(crate) fn fill(&self, template: &str, slots: &BTreeMap<String, EntityValue>) -> String {
        let mut out = String::with_capacity(template.len());
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            match after.find('}') {
                Some(close)
                    if after[..close].chars().all(|c| c.is_alphanumeric() || c == '_' || c == '.') =>
                {
                    let key = &after[..close];
                    match self.value(key, slots) {
                        Some(v) => out.push_str(&v),
                        None => out.push_str(&rest[open..open + close + 2]),
                    }
                    rest = &after[close + 1..];
                }
                _ => {
                    out.push('{');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }

    fn value(&self, key: &str, slots: &BTreeMap<String, EntityValue>) -> Option<String> {
        if key == "business" || key == "business.name" {
            return Some(self.business.clone());
        }
        let value = slots.get(key)?;
        Some(match value {
            EntityValue::Text { value } if key == "staff" || key.ends_with("_staff") => {
                self.staff_name(value).to_string()
            }
            EntityValue::Text { value } => {
                self.service_names.get(value).cloned().unwrap_or_else(|| value.clone())
            }
            EntityValue::Time { value, grain } => self.when(*value, *grain),
            other => other.display(),
        })
    }

    /// A time in words, in the business's zone: "Tuesday, March 3 at 3:00 PM".
    pub(crate) fn when(&self, at: DateTime<FixedOffset>, grain: Grain) -> String {
        let local = at.with_timezone(&self.tz);
        if grain >= Grain::Day {
            local.format("%A, %B %-d").to_string()
        } else {
            local.format("%A, %B %-d at %-I:%M %p").to_string()
        }
    }

    /// A time of day in words: "3:00 PM".
    pub(crate) fn time_of_day(&self, at: DateTime<FixedOffset>) -> String {
        at.with_timezone(&self.tz).format("%-I:%M %p").to_string()
    }
}
