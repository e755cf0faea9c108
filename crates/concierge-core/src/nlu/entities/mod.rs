//! Extraction of built-in and spec-declared entities.
//!
//! (Placeholder, replaced by the NLU work.)

use chrono::{DateTime, TimeZone};
use chrono_tz::Tz;

use crate::nlu::datetime::{self, DateTimeOptions, TimeValue};
use crate::nlu::{Entity, EntityValue};
use crate::spec::{BotSpec, SpecError};

/// Finds entities in messages.
#[derive(Debug, Clone)]
pub struct EntityExtractor {
    lists: Vec<(String, String, String)>,
}

impl EntityExtractor {
    /// Builds the extractor for a spec.
    pub fn new(spec: &BotSpec) -> Result<EntityExtractor, SpecError> {
        let mut lists = Vec::new();
        for e in &spec.entities {
            if e.from_services {
                for s in &spec.business.services {
                    for n in std::iter::once(&s.name).chain(&s.synonyms) {
                        lists.push((e.name.clone(), s.id.clone(), n.to_lowercase()));
                    }
                }
            }
            for v in &e.values {
                for n in std::iter::once(&v.value).chain(&v.synonyms) {
                    lists.push((e.name.clone(), v.value.clone(), n.to_lowercase()));
                }
            }
        }
        lists.sort_by_key(|l| std::cmp::Reverse(l.2.len()));
        Ok(EntityExtractor { lists })
    }

    /// Every entity in `text`.
    pub fn extract(&self, text: &str, now: DateTime<Tz>) -> Vec<Entity> {
        let mut out = Vec::new();
        let lower = text.to_lowercase();
        for (name, value, surface) in &self.lists {
            if let Some(i) = lower.find(surface.as_str()) {
                if !out.iter().any(|e: &Entity| e.entity == *name) {
                    out.push(Entity {
                        entity: name.clone(),
                        value: EntityValue::Text { value: value.clone() },
                        text: text[i..i + surface.len()].to_string(),
                        start: i,
                        end: i + surface.len(),
                    });
                }
            }
        }
        let digits: String = text.chars().filter(|c| c.is_ascii_digit()).collect();
        if digits.len() == 11 && digits.starts_with('1') || digits.len() == 10 {
            let d = if digits.len() == 10 { format!("1{digits}") } else { digits };
            out.push(Entity {
                entity: "phone".into(),
                value: EntityValue::Phone { value: format!("+{d}") },
                text: text.to_string(),
                start: 0,
                end: text.len(),
            });
            return out;
        }
        let tz = now.timezone();
        for m in datetime::parse(text, now.naive_local(), &DateTimeOptions::default()) {
            if let TimeValue::Instant { value, grain } = m.value {
                if let Some(v) = tz.from_local_datetime(&value).earliest() {
                    out.push(Entity {
                        entity: "datetime".into(),
                        value: EntityValue::Time { value: v.fixed_offset(), grain },
                        text: text[m.start..m.end].to_string(),
                        start: m.start,
                        end: m.end,
                    });
                }
            }
        }
        out
    }
}
