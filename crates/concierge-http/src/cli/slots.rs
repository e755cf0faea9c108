//! `concierge slots`: the bookable slots of a service over local dates.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use concierge_core::booking::{find_slots, Catalog, Slot, SlotQuery, StaffPreference};
use concierge_core::spec::BotSpec;

use super::Format;

/// Arguments of `concierge slots`.
#[derive(Debug, clap::Args)]
pub(crate) struct SlotsArgs {
    /// The bot spec (YAML, or JSON when the name ends in `.json`).
    #[arg(long)]
    bot: PathBuf,
    /// The service's id, name or synonym, such as "women's haircut".
    #[arg(long)]
    service: String,
    /// First local date (YYYY-MM-DD) in the business's time zone.
    #[arg(long)]
    from: NaiveDate,
    /// Last local date, inclusive: `--from 2026-03-06 --to 2026-03-11` covers
    /// the 6th to the 11th.
    #[arg(long)]
    to: NaiveDate,
    /// A staff member's id; anyone free when absent.
    #[arg(long)]
    staff: Option<String>,
    /// The current time (RFC 3339); the system clock when absent. Minimum
    /// notice and the booking horizon count from it.
    #[arg(long)]
    now: Option<DateTime<chrono::FixedOffset>>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

pub(crate) fn run(args: SlotsArgs) -> anyhow::Result<ExitCode> {
    let text =
        std::fs::read_to_string(&args.bot).with_context(|| format!("cannot read {}", args.bot.display()))?;
    let is_json = args.bot.extension().is_some_and(|e| e == "json");
    let spec = if is_json { BotSpec::from_json(&text) } else { BotSpec::from_yaml(&text) }
        .with_context(|| format!("cannot load {}", args.bot.display()))?;
    let now = args.now.map(|t| t.with_timezone(&Utc)).unwrap_or_else(Utc::now);
    let catalog = Catalog::from_spec(&spec.business)?;
    let slots = slots_between(&catalog, &args, now)?;
    let out = match args.format {
        Format::Json => render_json(&catalog, &slots),
        Format::Text => render_text(&catalog, &slots),
    };
    outln!("{out}");
    Ok(ExitCode::SUCCESS)
}

fn slots_between(catalog: &Catalog, args: &SlotsArgs, now: DateTime<Utc>) -> anyhow::Result<Vec<Slot>> {
    let (from, to) = catalog.local_days(args.from, args.to)?;
    let query = SlotQuery {
        service: args.service.clone(),
        from,
        to,
        staff: match &args.staff {
            Some(id) => StaffPreference::Specific(id.clone()),
            None => StaffPreference::Any,
        },
    };
    Ok(find_slots(catalog, &query, &[], now)?)
}

/// `{"slots": [{"start", "end", "staff"}]}` with times at the business's offset.
fn render_json(catalog: &Catalog, slots: &[Slot]) -> String {
    let tz = catalog.timezone();
    let local = |t: DateTime<Utc>| t.with_timezone(&tz).to_rfc3339_opts(SecondsFormat::Secs, false);
    let slots =
        slots.iter().map(|s| SlotOut { start: local(s.start), end: local(s.end), staff: &s.staff }).collect();
    serde_json::to_string(&SlotsOut { slots }).expect("strings serialize")
}

#[derive(serde::Serialize)]
struct SlotsOut<'a> {
    slots: Vec<SlotOut<'a>>,
}

#[derive(serde::Serialize)]
struct SlotOut<'a> {
    start: String,
    end: String,
    staff: &'a str,
}

fn render_text(catalog: &Catalog, slots: &[Slot]) -> String {
    let tz = catalog.timezone();
    if slots.is_empty() {
        return "no slots".to_string();
    }
    slots
        .iter()
        .map(|s| {
            format!(
                "{}-{} {}",
                s.start.with_timezone(&tz).format("%a %Y-%m-%d %H:%M"),
                s.end.with_timezone(&tz).format("%H:%M %Z"),
                s.staff
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    const SALON: &str = r#"
version: 1
business:
  name: Salon Nova
  timezone: America/New_York
  hours:
    tuesday: ["09:00-19:00"]
    wednesday: ["09:00-19:00"]
    thursday: ["09:00-19:00"]
    friday: ["09:00-19:00"]
    saturday: ["09:00-19:00"]
  policies: { slot_interval_minutes: 30 }
  services:
    - { id: womens_haircut, name: "Women's haircut", duration_minutes: 60 }
    - { id: mens_haircut, name: "Men's haircut", duration_minutes: 30 }
    - { id: colour, name: Colour, duration_minutes: 120 }
    - { id: blow_dry, name: Blow-dry, duration_minutes: 45 }
  staff:
    - { id: maria, name: Maria }
    - { id: ana, name: Ana }
"#;

    fn args(service: &str, from: &str, to: &str) -> SlotsArgs {
        SlotsArgs {
            bot: PathBuf::new(),
            service: service.into(),
            from: from.parse().unwrap(),
            to: to.parse().unwrap(),
            staff: None,
            now: None,
            format: Format::Json,
        }
    }

    #[test]
    fn json_slots_use_the_business_offset_on_each_side_of_the_dst_change() {
        let spec = BotSpec::from_yaml(SALON).unwrap();
        let catalog = Catalog::from_spec(&spec.business).unwrap();
        let now = "2026-03-02T14:00:00Z".parse().unwrap();
        let slots =
            slots_between(&catalog, &args("women's haircut", "2026-03-06", "2026-03-11"), now).unwrap();
        let json: serde_json::Value = serde_json::from_str(&render_json(&catalog, &slots)).unwrap();
        let list = json["slots"].as_array().unwrap();
        let starts: Vec<&str> = list.iter().map(|s| s["start"].as_str().unwrap()).collect();
        let first_of_day: Vec<&str> = starts.iter().copied().filter(|s| s.contains("T09:00:00")).collect();
        assert_eq!(
            first_of_day,
            [
                "2026-03-06T09:00:00-05:00",
                "2026-03-07T09:00:00-05:00",
                "2026-03-10T09:00:00-04:00",
                "2026-03-11T09:00:00-04:00"
            ]
        );
        assert!(starts.iter().all(|s| !s.starts_with("2026-03-08") && !s.starts_with("2026-03-09")));
        assert_eq!(list.last().unwrap()["end"], "2026-03-11T19:00:00-04:00");
        assert_eq!(list.len(), 4 * 19);
    }

    #[test]
    fn an_unknown_service_is_an_error_naming_it() {
        let spec = BotSpec::from_yaml(SALON).unwrap();
        let catalog = Catalog::from_spec(&spec.business).unwrap();
        let err = slots_between(&catalog, &args("perm", "2026-03-06", "2026-03-07"), Utc::now()).unwrap_err();
        assert_eq!(err.to_string(), "unknown service \"perm\"");
    }
}
