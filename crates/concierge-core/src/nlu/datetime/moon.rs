//! New moons (Meeus, "Astronomical Algorithms", ch. 49; accurate to a few
//! minutes), used for lunar holidays: the Islamic months (a month starts
//! the day after a conjunction that happens before sunset in Mecca, the
//! Umm al-Qura rule, approximated at 15:00 UTC) and Chinese New Year (the
//! first new moon on or after January 21, Beijing time).

use chrono::{Duration, NaiveDate, NaiveDateTime};

use super::calendar::{add_days, ymd};

const SYNODIC_MONTH: f64 = 29.530_588_861;

fn j2000() -> Option<NaiveDateTime> {
    ymd(2000, 1, 1)?.and_hms_opt(12, 0, 0)
}

/// The `k`th new moon after January 2000 (UTC, ignoring ΔT).
fn new_moon(k: f64) -> Option<NaiveDateTime> {
    let t = k / 1236.85;
    let jde = 2_451_550.097_66 + SYNODIC_MONTH * k + 0.000_154_37 * t * t
        - 0.000_000_15 * t.powi(3)
        + 0.000_000_000_73 * t.powi(4);
    let e = 1.0 - 0.002_516 * t - 0.000_007_4 * t * t;
    let m =
        (2.5534 + 29.105_356_70 * k - 0.000_001_4 * t * t - 0.000_000_11 * t.powi(3)).to_radians();
    let mp = (201.5643 + 385.816_935_28 * k + 0.010_758_2 * t * t + 0.000_012_38 * t.powi(3)
        - 0.000_000_058 * t.powi(4))
    .to_radians();
    let f = (160.7108 + 390.670_502_84 * k - 0.001_611_8 * t * t - 0.000_002_27 * t.powi(3)
        + 0.000_000_011 * t.powi(4))
    .to_radians();
    let o =
        (124.7746 - 1.563_755_88 * k + 0.002_067_2 * t * t + 0.000_002_15 * t.powi(3)).to_radians();
    let c = -0.40720 * mp.sin()
        + 0.17241 * e * m.sin()
        + 0.01608 * (2.0 * mp).sin()
        + 0.01039 * (2.0 * f).sin()
        + 0.00739 * e * (mp - m).sin()
        - 0.00514 * e * (mp + m).sin()
        + 0.00208 * e * e * (2.0 * m).sin()
        - 0.00111 * (mp - 2.0 * f).sin()
        - 0.00057 * (mp + 2.0 * f).sin()
        + 0.00056 * e * (2.0 * mp + m).sin()
        - 0.00042 * (3.0 * mp).sin()
        + 0.00042 * e * (m + 2.0 * f).sin()
        + 0.00038 * e * (m - 2.0 * f).sin()
        - 0.00024 * e * (2.0 * mp - m).sin()
        - 0.00017 * o.sin()
        - 0.00007 * (mp + 2.0 * m).sin();
    let seconds = (jde + c - 2_451_545.0) * 86_400.0;
    if !seconds.is_finite() || seconds.abs() > 1e11 {
        return None;
    }
    // Bounded above, so the cast is exact enough.
    #[allow(clippy::cast_possible_truncation)]
    let delta = Duration::try_seconds(seconds.round() as i64)?;
    j2000()?.checked_add_signed(delta)
}

/// The new moon closest to `day` (UTC).
pub(crate) fn new_moon_near(day: NaiveDate) -> Option<NaiveDateTime> {
    let base = ymd(2000, 1, 6)?;
    let days = day.signed_duration_since(base).num_days() as f64;
    let k = (days / SYNODIC_MONTH).round();
    let candidates = [k - 1.0, k, k + 1.0];
    candidates
        .iter()
        .filter_map(|k| new_moon(*k))
        .min_by_key(|t| (t.date().signed_duration_since(day).num_days()).abs())
}

/// The first day of the lunar month whose conjunction is nearest `day`.
pub(crate) fn islamic_month_start(day: NaiveDate) -> Option<NaiveDate> {
    let conjunction = new_moon_near(day)?;
    let before_sunset = conjunction.time() < chrono::NaiveTime::from_hms_opt(15, 0, 0)?;
    add_days(conjunction.date(), if before_sunset { 1 } else { 2 })
}

/// Chinese New Year in Gregorian `year`.
pub(crate) fn chinese_new_year(year: i32) -> Option<NaiveDate> {
    let from = ymd(year, 1, 21)?;
    let mut day = ymd(year, 1, 14)?;
    for _ in 0..3 {
        let moon = new_moon_near(day)?;
        let beijing = (moon + Duration::hours(8)).date();
        if beijing >= from {
            return Some(beijing);
        }
        day = add_days(day, 29)?;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_new_years_match_published_dates() {
        for (y, m, d) in [
            (2013, 2, 10),
            (2014, 1, 31),
            (2017, 1, 28),
            (2020, 1, 25),
            (2033, 1, 31),
        ] {
            assert_eq!(chinese_new_year(y), ymd(y, m, d), "{y}");
        }
    }

    #[test]
    fn new_moon_of_a_known_date() {
        // New moon of 2013-02-10 07:20 UTC.
        let moon = new_moon_near(ymd(2013, 2, 12).unwrap()).unwrap();
        assert_eq!(moon.date(), ymd(2013, 2, 10).unwrap());
    }
}
