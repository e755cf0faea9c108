//! Which times can be booked: the slot computation.
//!
//! It follows the shape of cal.com's: each staff member's working hours are
//! expanded day by day in *their* zone (weekly hours, or a date override, or
//! nothing on a day off) and turned into instants, the business's closures
//! (whole days in the business's zone) are cut out, slot starts are stepped
//! by the policy interval from the start of each working window, and a
//! start is offered when the service fits the window, its buffers clear
//! every busy time, it respects the minimum notice and the booking horizon,
//! and a seat is left. Everything is computed on instants, so a slot never
//! shifts by an hour around a daylight-saving change.
//!
//! The functions are pure: the clock and the busy times are arguments, and
//! the same arguments always give the same slots in the same order.

use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::catalog::{start_of_day, wall_clock_to_utc, Catalog, Edge, Service, Staff};
use super::{BookingError, Slot, Unavailable};

/// The longest range [`find_slots`] accepts, in days.
pub const MAX_RANGE_DAYS: i64 = 366;

/// How far around a requested time [`nearest_alternatives`] looks.
const ALTERNATIVES_BEFORE: i64 = 3;
const ALTERNATIVES_AFTER: i64 = 14;

/// Who should do the work.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum StaffPreference {
    /// Whoever is free, in the order the spec lists them.
    #[default]
    Any,
    /// This staff member (by id) and nobody else.
    Specific(String),
    /// Whoever is free with the fewest bookings among the busy times given
    /// (ties go to the one listed first), to spread the work.
    RoundRobin,
}

/// A request for slots: a service in a range of instants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotQuery {
    /// The service's id, name or synonym.
    pub service: String,
    /// Slots start at or after this instant.
    pub from: DateTime<Utc>,
    /// Slots start before this instant.
    pub to: DateTime<Utc>,
    /// Who should do it.
    pub staff: StaffPreference,
}

/// Time that cannot be booked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BusyTime {
    /// Time blocked outside the booking system, such as a calendar event;
    /// `staff: None` blocks everyone.
    Blocked {
        /// Whose time it is, or everyone's.
        staff: Option<String>,
        /// When it starts.
        start: DateTime<Utc>,
        /// When it ends.
        end: DateTime<Utc>,
    },
    /// An existing booking (held or confirmed); its service's buffers are
    /// added around it, and its seats can be shared by the same service at
    /// the same time.
    Booked {
        /// The staff member's id.
        staff: String,
        /// The service's id.
        service: String,
        /// When it starts (buffers not included).
        start: DateTime<Utc>,
        /// When it ends (buffers not included).
        end: DateTime<Utc>,
    },
}

impl BusyTime {
    fn applies_to(&self, staff_id: &str) -> bool {
        match self {
            BusyTime::Blocked { staff, .. } => staff.as_deref().is_none_or(|s| s == staff_id),
            BusyTime::Booked { staff, .. } => staff == staff_id,
        }
    }

    /// The time it keeps others out of, buffers included.
    fn blocked_span(&self, catalog: &Catalog) -> (DateTime<Utc>, DateTime<Utc>) {
        match self {
            BusyTime::Blocked { start, end, .. } => (*start, *end),
            BusyTime::Booked { service, start, end, .. } => match catalog.service(service) {
                Ok(s) => (*start - s.buffer_before, *end + s.buffer_after),
                Err(_) => (*start, *end),
            },
        }
    }
}

/// Every bookable slot of `query.service` starting in `[query.from, query.to)`,
/// sorted by start then staff; with [`StaffPreference::Any`] or
/// [`StaffPreference::RoundRobin`] each start appears once, with the staff
/// member assigned.
pub fn find_slots(
    catalog: &Catalog,
    query: &SlotQuery,
    busy: &[BusyTime],
    now: DateTime<Utc>,
) -> Result<Vec<Slot>, BookingError> {
    check_range(query.from, query.to)?;
    let service = catalog.service(&query.service)?;
    let staff = candidate_staff(catalog, service, &query.staff)?;
    let earliest = query.from.max(earliest_start(catalog, now));
    let latest = query.to.min(latest_start(catalog, now) + Duration::nanoseconds(1));
    if earliest >= latest {
        return Ok(Vec::new());
    }
    // (start, position of the staff member in `staff`)
    let mut found: Vec<(DateTime<Utc>, usize)> = Vec::new();
    for (index, member) in staff.iter().enumerate() {
        let calendar = StaffCalendar::new(catalog, member, service, busy, earliest, latest);
        for window in &calendar.windows {
            let mut start = window.0;
            while start + service.duration <= window.1 && start < latest {
                if start >= earliest && calendar.is_free(start, start + service.duration) {
                    found.push((start, index));
                }
                start += interval(catalog);
            }
        }
    }
    found.sort();
    Ok(assign(service, &staff, &query.staff, busy, found))
}

/// Whether `start` can be booked for `service` with `preference`: the slot
/// it would be, or why not. Any start that fits is accepted, on the slot
/// grid or not.
pub fn check_start(
    catalog: &Catalog,
    service: &str,
    start: DateTime<Utc>,
    preference: &StaffPreference,
    busy: &[BusyTime],
    now: DateTime<Utc>,
) -> Result<Result<Slot, Unavailable>, BookingError> {
    let service = catalog.service(service)?;
    let staff = candidate_staff(catalog, service, preference)?;
    if start < earliest_start(catalog, now) {
        return Ok(Err(Unavailable::TooSoon));
    }
    if start > latest_start(catalog, now) {
        return Ok(Err(Unavailable::TooFarAhead));
    }
    let end = start + service.duration;
    let mut working = false;
    let mut free: Vec<(DateTime<Utc>, usize)> = Vec::new();
    for (index, member) in staff.iter().enumerate() {
        let calendar = StaffCalendar::new(catalog, member, service, busy, start, end);
        if calendar.windows.iter().any(|w| w.0 <= start && end <= w.1) {
            working = true;
            if calendar.is_free(start, end) {
                free.push((start, index));
            }
        }
    }
    if !working {
        return Ok(Err(Unavailable::Closed));
    }
    Ok(assign(service, &staff, preference, busy, free).into_iter().next().ok_or(Unavailable::Taken))
}

/// Up to `limit` bookable slots nearest to `requested` (closest first, the
/// earlier one first on a tie), looking from three days before to two weeks
/// after it. With a specific staff member and nothing free for them, anyone
/// free is offered instead.
pub fn nearest_alternatives(
    catalog: &Catalog,
    service: &str,
    requested: DateTime<Utc>,
    preference: &StaffPreference,
    busy: &[BusyTime],
    now: DateTime<Utc>,
    limit: usize,
) -> Result<Vec<Slot>, BookingError> {
    let mut query = SlotQuery {
        service: service.to_string(),
        from: (requested - Duration::days(ALTERNATIVES_BEFORE)).max(now),
        to: requested.max(now) + Duration::days(ALTERNATIVES_AFTER),
        staff: preference.clone(),
    };
    let mut slots = find_slots(catalog, &query, busy, now)?;
    if slots.is_empty() && matches!(preference, StaffPreference::Specific(_)) {
        query.staff = StaffPreference::Any;
        slots = find_slots(catalog, &query, busy, now)?;
    }
    slots.retain(|s| s.start != requested);
    slots.sort_by_key(|s| ((s.start - requested).abs(), s.start));
    slots.truncate(limit);
    Ok(slots)
}

fn check_range(from: DateTime<Utc>, to: DateTime<Utc>) -> Result<(), BookingError> {
    if to < from {
        return Err(BookingError::EndBeforeStart { start: from, end: to });
    }
    let days = ((to - from).num_seconds() + 86_399) / 86_400;
    if days > MAX_RANGE_DAYS {
        return Err(BookingError::RangeTooLong { days, max_days: MAX_RANGE_DAYS });
    }
    Ok(())
}

fn earliest_start(catalog: &Catalog, now: DateTime<Utc>) -> DateTime<Utc> {
    now + Duration::minutes(catalog.policies().min_notice_minutes.into())
}

fn latest_start(catalog: &Catalog, now: DateTime<Utc>) -> DateTime<Utc> {
    now + Duration::days(catalog.policies().max_days_ahead.into())
}

fn interval(catalog: &Catalog) -> Duration {
    Duration::minutes(catalog.policies().slot_interval_minutes.max(1).into())
}

fn candidate_staff<'c>(
    catalog: &'c Catalog,
    service: &Service,
    preference: &StaffPreference,
) -> Result<Vec<&'c Staff>, BookingError> {
    match preference {
        StaffPreference::Specific(id) => {
            let member = catalog.staff_member(id)?;
            if !service.staff.contains(&member.id) {
                return Err(BookingError::Invalid(format!("{} does not do {}", member.name, service.name)));
            }
            Ok(vec![member])
        }
        StaffPreference::Any | StaffPreference::RoundRobin => {
            service.staff.iter().map(|id| catalog.staff_member(id)).collect()
        }
    }
}

/// Picks one staff member per start (or keeps the specific one), in start order.
fn assign(
    service: &Service,
    staff: &[&Staff],
    preference: &StaffPreference,
    busy: &[BusyTime],
    found: Vec<(DateTime<Utc>, usize)>,
) -> Vec<Slot> {
    let load: Vec<usize> = staff
        .iter()
        .map(|m| {
            busy.iter().filter(|b| matches!(b, BusyTime::Booked { staff, .. } if *staff == m.id)).count()
        })
        .collect();
    let mut slots: Vec<Slot> = Vec::new();
    let mut i = 0;
    while i < found.len() {
        let start = found[i].0;
        let mut j = i;
        while j < found.len() && found[j].0 == start {
            j += 1;
        }
        let pick = match preference {
            StaffPreference::RoundRobin => found[i..j].iter().min_by_key(|(_, k)| (load[*k], *k)),
            StaffPreference::Any | StaffPreference::Specific(_) => found[i..j].first(),
        };
        if let Some((_, k)) = pick {
            slots.push(Slot { start, end: start + service.duration, staff: staff[*k].id.clone() });
        }
        i = j;
    }
    slots
}

/// One staff member's working windows and busy spans around a range.
struct StaffCalendar<'a> {
    catalog: &'a Catalog,
    service: &'a Service,
    /// Sorted, disjoint working windows.
    windows: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    /// Their busy times that matter.
    busy: Vec<&'a BusyTime>,
}

impl<'a> StaffCalendar<'a> {
    fn new(
        catalog: &'a Catalog,
        member: &'a Staff,
        service: &'a Service,
        busy: &'a [BusyTime],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StaffCalendar<'a> {
        StaffCalendar {
            catalog,
            service,
            windows: working_windows(catalog, member, from, to),
            busy: busy.iter().filter(|b| b.applies_to(&member.id)).collect(),
        }
    }

    /// Whether `[start, end)` with the service's buffers clears every busy
    /// time and a seat is left.
    fn is_free(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> bool {
        let (span_start, span_end) = (start - self.service.buffer_before, end + self.service.buffer_after);
        let mut seats_taken = 0u32;
        for b in &self.busy {
            if let BusyTime::Booked { service, start: s, end: e, .. } = b {
                if *s == start && *e == end && *service == self.service.id {
                    seats_taken += 1;
                    if seats_taken >= self.service.capacity {
                        return false;
                    }
                    continue;
                }
            }
            let (b_start, b_end) = b.blocked_span(self.catalog);
            if b_start < span_end && span_start < b_end {
                return false;
            }
        }
        true
    }
}

/// The windows in which `member` works, as instants, covering at least
/// `[from, to)`: their hours expanded per local date in their zone, minus
/// the business's closed days.
pub(crate) fn working_windows(
    catalog: &Catalog,
    member: &Staff,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let tz = member.timezone;
    let first = from.with_timezone(&tz).date_naive() - Duration::days(1);
    let last = to.with_timezone(&tz).date_naive() + Duration::days(1);
    let mut windows = Vec::new();
    let mut date = first;
    while date <= last {
        for range in member.ranges_on(date) {
            let start = wall_clock_to_utc(tz, date.and_time(range.start), Edge::Start);
            let end = wall_clock_to_utc(tz, date.and_time(range.end), Edge::End);
            if start < end && start < to && from < end {
                windows.push((start, end));
            }
        }
        date += Duration::days(1);
    }
    windows.sort();
    // Touching ranges ("09:00-12:00", "12:00-19:00") form one window.
    let mut merged: Vec<(DateTime<Utc>, DateTime<Utc>)> = Vec::with_capacity(windows.len());
    for (s, e) in windows {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    let windows = merged;
    let closed = closed_spans(catalog, from, to);
    subtract(windows, &closed)
}

fn closed_spans(
    catalog: &Catalog,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let tz = catalog.timezone();
    let first = from.with_timezone(&tz).date_naive() - Duration::days(1);
    let last = to.with_timezone(&tz).date_naive() + Duration::days(1);
    catalog
        .closures()
        .range(first..=last)
        .map(|d: &NaiveDate| (start_of_day(tz, *d), start_of_day(tz, *d + Duration::days(1))))
        .collect()
}

/// `windows` (sorted) minus every span in `holes`.
fn subtract(
    windows: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    holes: &[(DateTime<Utc>, DateTime<Utc>)],
) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let mut out = windows;
    for &(h_start, h_end) in holes {
        out = out
            .into_iter()
            .flat_map(|(s, e)| {
                let mut parts = Vec::with_capacity(2);
                if h_end <= s || e <= h_start {
                    parts.push((s, e));
                } else {
                    if s < h_start {
                        parts.push((s, h_start));
                    }
                    if h_end < e {
                        parts.push((h_end, e));
                    }
                }
                parts
            })
            .collect();
    }
    out
}
