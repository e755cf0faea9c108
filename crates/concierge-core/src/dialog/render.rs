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

/// What is said instead of a response whose placeholders cannot all be
/// filled: a reply never carries a raw `{slot}`.
const UNRENDERABLE: &str =
    "Sorry, I lost track of a detail there. Could you tell me again, or ask for a person?";

/// How a business writes dates and times, from its locale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DateStyle {
    /// "Wednesday 3 June" rather than "Wednesday, June 3".
    pub(crate) day_first: bool,
    /// "14:30" rather than "2:30 PM".
    pub(crate) clock_24h: bool,
}

impl DateStyle {
    /// The style of a BCP 47 locale such as `en-US` or `en-GB`: month first
    /// and a 12-hour clock in the United States (the default), day first
    /// elsewhere, a 24-hour clock outside the regions that use 12 hours.
    pub(crate) fn of_locale(locale: &str) -> DateStyle {
        let region = locale.split(['-', '_']).nth(1).unwrap_or("US").to_ascii_uppercase();
        let month_first = matches!(region.as_str(), "US" | "PH" | "CA" | "FM" | "MH" | "PW");
        let twelve_hour = matches!(
            region.as_str(),
            "US" | "CA" | "AU" | "NZ" | "IN" | "PH" | "PK" | "EG" | "SA" | "BD" | "MY" | "FM" | "MH" | "PW"
        );
        DateStyle { day_first: !month_first, clock_24h: !twelve_hour }
    }
}

/// Renders responses for one bot.
#[derive(Debug, Clone)]
pub(crate) struct Renderer {
    responses: BTreeMap<String, ResponseSpec>,
    business: String,
    tz: chrono_tz::Tz,
    style: DateStyle,
    service_names: BTreeMap<String, String>,
    staff_names: BTreeMap<String, String>,
}

impl Renderer {
    pub(crate) fn new(spec: &BotSpec) -> Renderer {
        Renderer {
            responses: spec.responses.clone(),
            business: spec.business.name.clone(),
            tz: spec.business.tz(),
            style: DateStyle::of_locale(&spec.business.locale),
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

    /// Renders response `name`, choosing a variation with `seed`. A
    /// variation whose placeholders cannot all be filled is refused: another
    /// variation that can be is used, else the built-in text, else an
    /// apology that claims nothing.
    pub(crate) fn render(&self, name: &str, slots: &BTreeMap<String, EntityValue>, seed: u64) -> Reply {
        let variations: Vec<(String, Vec<ButtonSpec>)> = match self.responses.get(name) {
            Some(ResponseSpec::Text(t)) => vec![(t.clone(), Vec::new())],
            Some(ResponseSpec::Variations(v)) if !v.is_empty() => {
                let start = (seed % v.len() as u64) as usize;
                (0..v.len())
                    .map(|i| match &v[(start + i) % v.len()] {
                        VariationSpec::Text(t) => (t.clone(), Vec::new()),
                        VariationSpec::Rich { text, buttons } => (text.clone(), buttons.clone()),
                    })
                    .collect()
            }
            _ => Vec::new(),
        };
        let fallback = DEFAULTS.iter().find(|(n, _)| *n == name).map(|(_, t)| (t.to_string(), Vec::new()));
        for (text, buttons) in variations.into_iter().chain(fallback) {
            let Some(text) = self.fill(&text, slots) else { continue };
            let buttons: Option<Vec<Button>> = buttons
                .into_iter()
                .map(|b| match b {
                    ButtonSpec::Title(t) => Some(Button { title: self.fill(&t, slots)?, payload: t }),
                    ButtonSpec::Full { title, payload } => {
                        Some(Button { title: self.fill(&title, slots)?, payload })
                    }
                })
                .collect();
            if let Some(buttons) = buttons {
                return Reply { text, buttons };
            }
        }
        Reply { text: UNRENDERABLE.to_string(), buttons: Vec::new() }
    }

    /// Replaces `{slot}` and `{business}` placeholders; `None` when one
    /// names nothing the conversation has.
    pub(crate) fn fill(&self, template: &str, slots: &BTreeMap<String, EntityValue>) -> Option<String> {
        let mut out = String::with_capacity(template.len());
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            match after.find('}') {
                Some(close)
                    if close > 0
                        && after[..close].chars().all(|c| c.is_alphanumeric() || c == '_' || c == '.') =>
                {
                    out.push_str(&self.value(&after[..close], slots)?);
                    rest = &after[close + 1..];
                }
                _ => {
                    out.push('{');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        Some(out)
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

    /// A time in words, in the business's zone and style: "Tuesday, March 3
    /// at 3:00 PM" (en-US), "Tuesday 3 March at 15:00" (en-GB).
    pub(crate) fn when(&self, at: DateTime<FixedOffset>, grain: Grain) -> String {
        let local = at.with_timezone(&self.tz);
        let day = if self.style.day_first { "%A %-d %B" } else { "%A, %B %-d" };
        if grain >= Grain::Day {
            local.format(day).to_string()
        } else {
            format!("{} at {}", local.format(day), self.time_of_day(at))
        }
    }

    /// A time of day in words: "3:00 PM", or "15:00" on a 24-hour clock.
    pub(crate) fn time_of_day(&self, at: DateTime<FixedOffset>) -> String {
        let clock = if self.style.clock_24h { "%H:%M" } else { "%-I:%M %p" };
        at.with_timezone(&self.tz).format(clock).to_string()
    }
}

/// The quick replies under a yes/no question.
pub(crate) fn yes_no_buttons() -> Vec<Button> {
    vec![
        Button { title: "Yes".into(), payload: "yes".into() },
        Button { title: "No".into(), payload: "no".into() },
    ]
}

/// "a, b or c".
pub(crate) fn list_words(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::DateStyle;

    #[test]
    fn a_locale_decides_the_order_of_dates_and_the_clock() {
        assert_eq!(DateStyle::of_locale("en-US"), DateStyle { day_first: false, clock_24h: false });
        assert_eq!(DateStyle::of_locale("en-GB"), DateStyle { day_first: true, clock_24h: true });
        assert_eq!(DateStyle::of_locale("en-AU"), DateStyle { day_first: true, clock_24h: false });
        assert_eq!(DateStyle::of_locale("en"), DateStyle { day_first: false, clock_24h: false });
    }
}
