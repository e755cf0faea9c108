//! The business section of a spec: who the business is, when it is open,
//! what it sells and who works there.

use chrono::{NaiveDate, NaiveTime, Weekday};
use serde::{Deserialize, Serialize};

use super::Problems;

/// The business a bot speaks for.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct BusinessSpec {
    /// The business's name, as customers know it.
    pub name: String,
    /// IANA time zone, such as `America/New_York`.
    pub timezone: String,
    /// BCP 47 locale, such as `en-US`.
    #[serde(default = "default_locale")]
    pub locale: String,
    /// ISO 4217 currency of prices, such as `USD`.
    #[serde(default)]
    pub currency: Option<String>,
    /// Weekly opening hours: day name to ranges such as `"09:00-19:00"`.
    #[serde(default)]
    pub hours: WeeklyHours,
    /// Whole days the business is closed.
    #[serde(default)]
    pub closures: Vec<NaiveDate>,
    /// Dates with opening hours other than the weekly ones (holiday hours).
    #[serde(default)]
    pub date_overrides: Vec<DateOverride>,
    /// Booking rules.
    #[serde(default)]
    pub policies: BookingPolicies,
    /// What customers can book.
    #[serde(default)]
    pub services: Vec<ServiceSpec>,
    /// The people who do the work.
    #[serde(default)]
    pub staff: Vec<StaffSpec>,
}

fn default_locale() -> String {
    "en-US".to_string()
}

/// Opening ranges for each day of the week; a missing day is closed.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct WeeklyHours {
    /// Monday's ranges.
    #[serde(default)]
    pub monday: Vec<TimeRange>,
    /// Tuesday's ranges.
    #[serde(default)]
    pub tuesday: Vec<TimeRange>,
    /// Wednesday's ranges.
    #[serde(default)]
    pub wednesday: Vec<TimeRange>,
    /// Thursday's ranges.
    #[serde(default)]
    pub thursday: Vec<TimeRange>,
    /// Friday's ranges.
    #[serde(default)]
    pub friday: Vec<TimeRange>,
    /// Saturday's ranges.
    #[serde(default)]
    pub saturday: Vec<TimeRange>,
    /// Sunday's ranges.
    #[serde(default)]
    pub sunday: Vec<TimeRange>,
}

impl WeeklyHours {
    /// The ranges of one weekday.
    pub fn day(&self, day: Weekday) -> &[TimeRange] {
        match day {
            Weekday::Mon => &self.monday,
            Weekday::Tue => &self.tuesday,
            Weekday::Wed => &self.wednesday,
            Weekday::Thu => &self.thursday,
            Weekday::Fri => &self.friday,
            Weekday::Sat => &self.saturday,
            Weekday::Sun => &self.sunday,
        }
    }

    /// True when no day has any range.
    pub fn is_empty(&self) -> bool {
        ALL_WEEKDAYS.iter().all(|d| self.day(*d).is_empty())
    }

    fn validate(&self, path: &str, problems: &mut Problems) {
        for day in ALL_WEEKDAYS {
            let ranges = self.day(day);
            for (i, r) in ranges.iter().enumerate() {
                for other in &ranges[i + 1..] {
                    if r.start < other.end && other.start < r.end {
                        problems.push(
                            format!("{path}.{}[{i}]", weekday_name(day)),
                            format!("{r} overlaps {other}"),
                        );
                    }
                }
            }
        }
    }
}

/// Monday to Sunday.
pub const ALL_WEEKDAYS: [Weekday; 7] =
    [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun];

/// The lower-case English name of a weekday, as used in specs.
pub fn weekday_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "monday",
        Weekday::Tue => "tuesday",
        Weekday::Wed => "wednesday",
        Weekday::Thu => "thursday",
        Weekday::Fri => "friday",
        Weekday::Sat => "saturday",
        Weekday::Sun => "sunday",
    }
}

/// A wall-clock range within one day, written `"09:00-19:00"`; `start < end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TimeRange {
    /// When the range opens.
    pub start: NaiveTime,
    /// When the range closes (exclusive).
    pub end: NaiveTime,
}

impl std::fmt::Display for TimeRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", self.start.format("%H:%M"), self.end.format("%H:%M"))
    }
}

impl TryFrom<String> for TimeRange {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        let (a, b) =
            s.split_once('-').ok_or_else(|| format!("expected a range like \"09:00-19:00\", got {s:?}"))?;
        let parse = |t: &str| {
            NaiveTime::parse_from_str(t.trim(), "%H:%M")
                .map_err(|_| format!("expected a time like \"09:00\", got {:?}", t.trim()))
        };
        let (start, end) = (parse(a)?, parse(b)?);
        if start >= end {
            return Err(format!("range {s:?} ends before it starts"));
        }
        Ok(TimeRange { start, end })
    }
}

impl From<TimeRange> for String {
    fn from(r: TimeRange) -> String {
        r.to_string()
    }
}

/// Rules that every booking follows.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct BookingPolicies {
    /// How long before its start a slot can still be booked.
    pub min_notice_minutes: u32,
    /// How far ahead bookings are taken.
    pub max_days_ahead: u32,
    /// The step between offered slot starts.
    pub slot_interval_minutes: u32,
    /// How long before its start a booking can still be cancelled or moved.
    pub cancellation_cutoff_hours: u32,
    /// How long a held slot stays reserved before it is released.
    pub hold_minutes: u32,
}

impl Default for BookingPolicies {
    fn default() -> Self {
        BookingPolicies {
            min_notice_minutes: 60,
            max_days_ahead: 90,
            slot_interval_minutes: 30,
            cancellation_cutoff_hours: 0,
            hold_minutes: 10,
        }
    }
}

/// Something customers can book.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ServiceSpec {
    /// Stable identifier, such as `womens_haircut`.
    pub id: String,
    /// Display name, such as `Women's haircut`.
    pub name: String,
    /// How long it takes.
    pub duration_minutes: u32,
    /// Time kept free before it.
    #[serde(default)]
    pub buffer_before_minutes: u32,
    /// Time kept free after it.
    #[serde(default)]
    pub buffer_after_minutes: u32,
    /// Price in the business's currency.
    #[serde(default)]
    pub price: Option<f64>,
    /// Other names customers use for it.
    #[serde(default)]
    pub synonyms: Vec<String>,
    /// Ids of the staff who can do it; empty means everyone.
    #[serde(default)]
    pub staff: Vec<String>,
    /// How many customers one staff member can take at once.
    #[serde(default = "one")]
    pub capacity: u32,
}

fn one() -> u32 {
    1
}

/// Someone who does the work.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct StaffSpec {
    /// Stable identifier, such as `maria`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Working hours; the business's opening hours when absent.
    #[serde(default)]
    pub hours: Option<WeeklyHours>,
    /// Days off.
    #[serde(default)]
    pub time_off: Vec<NaiveDate>,
    /// Dates on which this person works other hours than their weekly ones.
    #[serde(default)]
    pub date_overrides: Vec<DateOverride>,
    /// IANA time zone their hours are written in; the business's when absent.
    #[serde(default)]
    pub timezone: Option<String>,
}

/// Hours for one date that replace the weekly hours of that date; no
/// ranges means closed (or off) that day.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DateOverride {
    /// The date, in the zone the hours are written in.
    pub date: NaiveDate,
    /// Ranges such as `"10:00-14:00"`; empty means closed.
    #[serde(default)]
    pub hours: Vec<TimeRange>,
}

fn validate_overrides(overrides: &[DateOverride], path: &str, problems: &mut Problems) {
    let mut dates = std::collections::HashSet::new();
    for (i, o) in overrides.iter().enumerate() {
        if !dates.insert(o.date) {
            problems.push(format!("{path}[{i}].date"), format!("{} has more than one override", o.date));
        }
        for (j, r) in o.hours.iter().enumerate() {
            for other in &o.hours[j + 1..] {
                if r.start < other.end && other.start < r.end {
                    problems.push(format!("{path}[{i}].hours[{j}]"), format!("{r} overlaps {other}"));
                }
            }
        }
    }
}

impl BusinessSpec {
    /// Records every problem in the business section under `path`.
    pub fn validate(&self, path: &str, problems: &mut Problems) {
        if self.name.trim().is_empty() {
            problems.push(format!("{path}.name"), "must not be empty");
        }
        if self.timezone.parse::<chrono_tz::Tz>().is_err() {
            problems.push(
                format!("{path}.timezone"),
                format!(
                    "unknown time zone {:?} (use an IANA name such as \"America/New_York\")",
                    self.timezone
                ),
            );
        }
        self.hours.validate(&format!("{path}.hours"), problems);
        validate_overrides(&self.date_overrides, &format!("{path}.date_overrides"), problems);
        if self.policies.slot_interval_minutes == 0 {
            problems.push(format!("{path}.policies.slot_interval_minutes"), "must be at least 1");
        }
        let mut seen = std::collections::HashSet::new();
        for (i, s) in self.staff.iter().enumerate() {
            if !seen.insert(s.id.as_str()) {
                problems.push(format!("{path}.staff[{i}].id"), format!("duplicate staff id {:?}", s.id));
            }
            if let Some(h) = &s.hours {
                h.validate(&format!("{path}.staff[{i}].hours"), problems);
            }
            validate_overrides(&s.date_overrides, &format!("{path}.staff[{i}].date_overrides"), problems);
            if let Some(tz) = &s.timezone {
                if tz.parse::<chrono_tz::Tz>().is_err() {
                    problems.push(format!("{path}.staff[{i}].timezone"), format!("unknown time zone {tz:?}"));
                }
            }
        }
        let mut seen_services = std::collections::HashSet::new();
        for (i, s) in self.services.iter().enumerate() {
            let at = format!("{path}.services[{i}]");
            if !seen_services.insert(s.id.as_str()) {
                problems.push(format!("{at}.id"), format!("duplicate service id {:?}", s.id));
            }
            if s.duration_minutes == 0 {
                problems.push(format!("{at}.duration_minutes"), "must be at least 1");
            }
            if s.capacity == 0 {
                problems.push(format!("{at}.capacity"), "must be at least 1");
            }
            for (j, st) in s.staff.iter().enumerate() {
                if !seen.contains(st.as_str()) {
                    problems.push(format!("{at}.staff[{j}]"), format!("unknown staff {st:?}"));
                }
            }
        }
        if !self.services.is_empty() && self.staff.is_empty() {
            problems.push(format!("{path}.staff"), "services are listed but no staff can do them");
        }
    }

    /// The business's time zone (falls back to UTC only for specs that failed validation).
    pub fn tz(&self) -> chrono_tz::Tz {
        self.timezone.parse().unwrap_or(chrono_tz::UTC)
    }
}
