//! The validated model of what a business sells, who works there and when.
//!
//! A [`Catalog`] is built once from the spec's business section and cannot
//! hold an unknown time zone, a service nobody can do, or a zero interval;
//! the slot computation relies on that instead of re-checking.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, LocalResult, NaiveDate, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;

use super::BookingError;
use crate::spec::business::{DateOverride, TimeRange, WeeklyHours};
use crate::spec::{BookingPolicies, BusinessSpec, Problems};

/// A bookable service, resolved from its spec.
#[derive(Debug, Clone, PartialEq)]
pub struct Service {
    /// Stable identifier.
    pub id: String,
    /// Display name.
    pub name: String,
    /// How long it takes.
    pub duration: Duration,
    /// Time kept free before it.
    pub buffer_before: Duration,
    /// Time kept free after it.
    pub buffer_after: Duration,
    /// Price in the business's currency.
    pub price: Option<f64>,
    /// Other names customers use for it.
    pub synonyms: Vec<String>,
    /// Ids of the staff who can do it, in catalog order (never empty).
    pub staff: Vec<String>,
    /// How many customers one staff member takes at once (seats).
    pub capacity: u32,
}

/// A staff member with their hours resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct Staff {
    /// Stable identifier.
    pub id: String,
    /// Display name.
    pub name: String,
    /// The zone their hours are written in.
    pub timezone: Tz,
    /// Weekly working hours (the business's when the spec gives none).
    pub hours: WeeklyHours,
    /// Dates with other hours than the weekly ones, in their zone.
    pub date_overrides: BTreeMap<NaiveDate, Vec<TimeRange>>,
    /// Days off, in their zone.
    pub time_off: BTreeSet<NaiveDate>,
    /// Whether their hours are the business's (so business date overrides apply).
    pub follows_business_hours: bool,
}

/// The validated model of a business.
#[derive(Debug, Clone, PartialEq)]
pub struct Catalog {
    name: String,
    timezone: Tz,
    closures: BTreeSet<NaiveDate>,
    policies: BookingPolicies,
    services: Vec<Service>,
    staff: Vec<Staff>,
}

impl Catalog {
    /// Builds and validates a catalog from the spec's business section.
    pub fn from_spec(spec: &BusinessSpec) -> Result<Catalog, BookingError> {
        let mut problems = Problems::default();
        spec.validate("business", &mut problems);
        problems.into_result()?;
        let timezone = spec.tz();
        let business_overrides = overrides_map(&spec.date_overrides);
        let staff: Vec<Staff> = spec
            .staff
            .iter()
            .map(|s| {
                let follows = s.hours.is_none();
                let mut date_overrides = if follows { business_overrides.clone() } else { BTreeMap::new() };
                date_overrides.extend(overrides_map(&s.date_overrides));
                Staff {
                    id: s.id.clone(),
                    name: s.name.clone(),
                    timezone: s.timezone.as_deref().and_then(|t| t.parse().ok()).unwrap_or(timezone),
                    hours: s.hours.clone().unwrap_or_else(|| spec.hours.clone()),
                    date_overrides,
                    time_off: s.time_off.iter().copied().collect(),
                    follows_business_hours: follows,
                }
            })
            .collect();
        let services = spec
            .services
            .iter()
            .map(|s| Service {
                id: s.id.clone(),
                name: s.name.clone(),
                duration: Duration::minutes(s.duration_minutes.into()),
                buffer_before: Duration::minutes(s.buffer_before_minutes.into()),
                buffer_after: Duration::minutes(s.buffer_after_minutes.into()),
                price: s.price,
                synonyms: s.synonyms.clone(),
                staff: if s.staff.is_empty() {
                    staff.iter().map(|st| st.id.clone()).collect()
                } else {
                    // Keep catalog order so "any" assignment is stable.
                    staff.iter().filter(|st| s.staff.contains(&st.id)).map(|st| st.id.clone()).collect()
                },
                capacity: s.capacity,
            })
            .collect();
        Ok(Catalog {
            name: spec.name.clone(),
            timezone,
            closures: spec.closures.iter().copied().collect(),
            policies: spec.policies.clone(),
            services,
            staff,
        })
    }

    /// The business's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The business's time zone.
    pub fn timezone(&self) -> Tz {
        self.timezone
    }

    /// The booking rules.
    pub fn policies(&self) -> &BookingPolicies {
        &self.policies
    }

    /// Days the whole business is closed, in its zone.
    pub fn closures(&self) -> &BTreeSet<NaiveDate> {
        &self.closures
    }

    /// Every service, in spec order.
    pub fn services(&self) -> &[Service] {
        &self.services
    }

    /// Every staff member, in spec order.
    pub fn staff(&self) -> &[Staff] {
        &self.staff
    }

    /// A service by id, or by name or synonym ignoring case and surrounding
    /// spaces (ids first, then names, then synonyms).
    pub fn service(&self, key: &str) -> Result<&Service, BookingError> {
        let wanted = normalize(key);
        self.services
            .iter()
            .find(|s| s.id == key)
            .or_else(|| self.services.iter().find(|s| normalize(&s.id) == wanted))
            .or_else(|| self.services.iter().find(|s| normalize(&s.name) == wanted))
            .or_else(|| self.services.iter().find(|s| s.synonyms.iter().any(|syn| normalize(syn) == wanted)))
            .ok_or_else(|| BookingError::UnknownService(key.to_string()))
    }

    /// A staff member by id.
    pub fn staff_member(&self, id: &str) -> Result<&Staff, BookingError> {
        self.staff.iter().find(|s| s.id == id).ok_or_else(|| BookingError::UnknownStaff(id.to_string()))
    }

    /// The instant of a wall-clock time in the business's zone.
    ///
    /// A time the clocks skip (inside a daylight-saving gap) is an error; a
    /// time that happens twice (when the clocks go back) is the first one.
    pub fn local_to_utc(&self, local: NaiveDateTime) -> Result<DateTime<Utc>, BookingError> {
        match self.timezone.from_local_datetime(&local) {
            LocalResult::Single(t) => Ok(t.with_timezone(&Utc)),
            LocalResult::Ambiguous(first, _) => Ok(first.with_timezone(&Utc)),
            LocalResult::None => {
                Err(BookingError::NonexistentLocalTime { local, timezone: self.timezone.name().to_string() })
            }
        }
    }

    /// The instants from the start of local day `from` to the start of the
    /// local day after `to_inclusive`, in the business's zone.
    pub fn local_days(
        &self,
        from: NaiveDate,
        to_inclusive: NaiveDate,
    ) -> Result<(DateTime<Utc>, DateTime<Utc>), BookingError> {
        let start = start_of_day(self.timezone, from);
        if to_inclusive < from {
            let end = start_of_day(self.timezone, to_inclusive);
            return Err(BookingError::EndBeforeStart { start, end });
        }
        Ok((start, start_of_day(self.timezone, to_inclusive + Duration::days(1))))
    }
}

impl Staff {
    /// The ranges this person works on a date of their zone, before the
    /// business's closures are applied.
    pub fn ranges_on(&self, date: NaiveDate) -> &[TimeRange] {
        if self.time_off.contains(&date) {
            return &[];
        }
        match self.date_overrides.get(&date) {
            Some(ranges) => ranges,
            None => self.hours.day(chrono::Datelike::weekday(&date)),
        }
    }
}

/// The first instant of a local date (midnight, or the end of a gap that
/// swallows midnight).
pub(crate) fn start_of_day(tz: Tz, date: NaiveDate) -> DateTime<Utc> {
    wall_clock_to_utc(tz, date.and_time(chrono::NaiveTime::MIN), Edge::Start)
}

/// Which end of a range a wall-clock time is, deciding how a time that
/// happens twice resolves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Edge {
    /// An opening: the first occurrence.
    Start,
    /// A closing: the last occurrence.
    End,
}

/// Converts a wall-clock bound of working hours to an instant. A bound inside
/// a gap moves forward by the gap's length (02:30 on a spring-forward night
/// is 03:30); a repeated time resolves by `edge`, so ranges only widen.
pub(crate) fn wall_clock_to_utc(tz: Tz, local: NaiveDateTime, edge: Edge) -> DateTime<Utc> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(a, b) => match edge {
            Edge::Start => a.with_timezone(&Utc),
            Edge::End => b.with_timezone(&Utc),
        },
        LocalResult::None => {
            // Read the time with the offset in force before the gap: the
            // instant lands after the gap, as far past it as `local` is.
            let before = local - Duration::hours(6);
            let offset = tz
                .from_local_datetime(&before)
                .earliest()
                .map(|t| t.offset().fix())
                .unwrap_or_else(|| chrono::FixedOffset::east_opt(0).expect("zero offset"));
            (local - Duration::seconds(offset.local_minus_utc().into())).and_utc()
        }
    }
}

fn overrides_map(overrides: &[DateOverride]) -> BTreeMap<NaiveDate, Vec<TimeRange>> {
    overrides.iter().map(|o| (o.date, o.hours.clone())).collect()
}

/// Lower case, apostrophes dropped, other punctuation as spaces, spaces
/// collapsed: "Women's haircut", "womens haircut" and "womens_haircut" agree.
fn normalize(s: &str) -> String {
    let spaced: String = s
        .chars()
        .filter(|c| !matches!(c, '\'' | '\u{2019}'))
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .flat_map(char::to_lowercase)
        .collect();
    spaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::BusinessSpec;

    fn spec() -> BusinessSpec {
        serde_yaml::from_str(
            r#"
name: Salon
timezone: America/New_York
hours: { tuesday: ["09:00-19:00"] }
services:
  - { id: womens_haircut, name: "Women's haircut", duration_minutes: 60, synonyms: ["ladies cut"] }
  - { id: colour, name: Colour, duration_minutes: 120, staff: [ana] }
staff:
  - { id: maria, name: Maria }
  - { id: ana, name: Ana, timezone: Asia/Kolkata, hours: { monday: ["10:00-12:00"] } }
"#,
        )
        .unwrap()
    }

    #[test]
    fn services_resolve_by_id_name_and_synonym_ignoring_case() {
        let c = Catalog::from_spec(&spec()).unwrap();
        assert_eq!(c.service("womens_haircut").unwrap().id, "womens_haircut");
        assert_eq!(c.service("  WOMEN'S HAIRCUT ").unwrap().id, "womens_haircut");
        assert_eq!(c.service("women’s haircut").unwrap().id, "womens_haircut");
        assert_eq!(c.service("Ladies Cut").unwrap().id, "womens_haircut");
        assert_eq!(c.service("womens haircut").unwrap().id, "womens_haircut");
        assert_eq!(c.service("perm"), Err(BookingError::UnknownService("perm".into())));
        assert_eq!(c.service("womens_haircut").unwrap().staff, ["maria", "ana"]);
        assert_eq!(c.service("colour").unwrap().staff, ["ana"]);
    }

    #[test]
    fn staff_inherit_business_hours_and_zone_unless_given() {
        let c = Catalog::from_spec(&spec()).unwrap();
        let maria = c.staff_member("maria").unwrap();
        assert_eq!(maria.timezone, chrono_tz::America::New_York);
        assert_eq!(maria.hours.tuesday.len(), 1);
        let ana = c.staff_member("ana").unwrap();
        assert_eq!(ana.timezone, chrono_tz::Asia::Kolkata);
        assert!(ana.hours.tuesday.is_empty());
    }

    #[test]
    fn an_invalid_spec_is_a_typed_error() {
        let mut s = spec();
        s.timezone = "Mars/Olympus".into();
        s.staff[1].timezone = Some("Nowhere/Else".into());
        let err = Catalog::from_spec(&s).unwrap_err();
        let BookingError::InvalidSpec(e) = err else { panic!("expected InvalidSpec, got {err:?}") };
        let paths: Vec<_> = e.problems.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(paths, ["business.timezone", "business.staff[1].timezone"]);
    }

    #[test]
    fn local_times_in_a_dst_gap_are_an_error_and_repeated_ones_take_the_first() {
        let c = Catalog::from_spec(&spec()).unwrap();
        let gap = NaiveDate::from_ymd_opt(2026, 3, 8).unwrap().and_hms_opt(2, 30, 0).unwrap();
        assert!(matches!(c.local_to_utc(gap), Err(BookingError::NonexistentLocalTime { .. })));
        let twice = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap().and_hms_opt(1, 30, 0).unwrap();
        assert_eq!(c.local_to_utc(twice).unwrap().to_rfc3339(), "2026-11-01T05:30:00+00:00");
    }

    #[test]
    fn local_days_include_the_last_date_and_refuse_a_reversed_range() {
        let c = Catalog::from_spec(&spec()).unwrap();
        let d = |day| NaiveDate::from_ymd_opt(2026, 3, day).unwrap();
        let (from, to) = c.local_days(d(7), d(8)).unwrap();
        assert_eq!(from.to_rfc3339(), "2026-03-07T05:00:00+00:00");
        // The 8th has 23 hours in New York.
        assert_eq!(to.to_rfc3339(), "2026-03-09T04:00:00+00:00");
        assert!(matches!(c.local_days(d(8), d(7)), Err(BookingError::EndBeforeStart { .. })));
    }

    #[test]
    fn working_hours_bounds_inside_a_gap_move_forward_by_the_gap() {
        let tz = chrono_tz::America::New_York;
        let gap = NaiveDate::from_ymd_opt(2026, 3, 8).unwrap().and_hms_opt(2, 30, 0).unwrap();
        // 02:30 EST would be 07:30 UTC, which is 03:30 EDT.
        assert_eq!(wall_clock_to_utc(tz, gap, Edge::Start).to_rfc3339(), "2026-03-08T07:30:00+00:00");
    }
}
