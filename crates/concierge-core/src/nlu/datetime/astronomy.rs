//! The sun and moon, to the precision holidays need: new moons (Meeus,
//! "Astronomical Algorithms", ch. 49; a few minutes), the moon's longitude
//! (ch. 47, largest terms; about 0.01 degree) and the sun's (ch. 25; with
//! the Lahiri ayanamsa for sidereal longitude). Used for the Islamic
//! months (a month starts the day after a conjunction that happens before
//! sunset in Mecca, the Umm al-Qura rule, approximated at 15:00 UTC),
//! Chinese New Year (the first new moon on or after January 21, Beijing
//! time), Hindu lunar days (tithis, twelve degrees of moon-sun elongation)
//! and the sun's entry into a sidereal sign (sankranti). Sunrise and
//! evening in India are taken as 06:00 and 18:00.

use chrono::{Duration, NaiveDate, NaiveDateTime};

use super::calendar::{add_days, ymd};

const SYNODIC_MONTH: f64 = 29.530_588_861;

fn j2000() -> Option<NaiveDateTime> {
    ymd(2000, 1, 1)?.and_hms_opt(12, 0, 0)
}

/// The `k`th new moon after January 2000 (UTC, ignoring ΔT).
fn new_moon(k: f64) -> Option<NaiveDateTime> {
    let t = k / 1236.85;
    let jde = 2_451_550.097_66 + SYNODIC_MONTH * k + 0.000_154_37 * t * t - 0.000_000_15 * t.powi(3)
        + 0.000_000_000_73 * t.powi(4);
    let e = 1.0 - 0.002_516 * t - 0.000_007_4 * t * t;
    let m = (2.5534 + 29.105_356_70 * k - 0.000_001_4 * t * t - 0.000_000_11 * t.powi(3)).to_radians();
    let mp = (201.5643 + 385.816_935_28 * k + 0.010_758_2 * t * t + 0.000_012_38 * t.powi(3)
        - 0.000_000_058 * t.powi(4))
    .to_radians();
    let f = (160.7108 + 390.670_502_84 * k - 0.001_611_8 * t * t - 0.000_002_27 * t.powi(3)
        + 0.000_000_011 * t.powi(4))
    .to_radians();
    let o = (124.7746 - 1.563_755_88 * k + 0.002_067_2 * t * t + 0.000_002_15 * t.powi(3)).to_radians();
    let (a1, a2, a3, a4, a5, a6, a7) = (-0.40720, 0.17241, 0.01608, 0.01039, 0.00739, -0.00514, 0.00208);
    let c = a1 * mp.sin()
        + a2 * e * m.sin()
        + a3 * (2.0 * mp).sin()
        + a4 * (2.0 * f).sin()
        + a5 * e * (mp - m).sin()
        + a6 * e * (mp + m).sin()
        + a7 * e * e * (2.0 * m).sin()
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

/// When a Hindu festival is observed: on the day whose sunrise, or whose
/// evening, falls in its lunar day (tithi).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Observed {
    Sunrise,
    Evening,
}

/// Periodic terms of the moon's longitude (Meeus, table 47.A, the largest
/// ones): multiples of D, M, M', F and the coefficient in 1e-6 degrees.
const MOON_TERMS: [(f64, f64, f64, f64, f64); 34] = [
    (0.0, 0.0, 1.0, 0.0, 6_288_774.0),
    (2.0, 0.0, -1.0, 0.0, 1_274_027.0),
    (2.0, 0.0, 0.0, 0.0, 658_314.0),
    (0.0, 0.0, 2.0, 0.0, 213_618.0),
    (0.0, 1.0, 0.0, 0.0, -185_116.0),
    (0.0, 0.0, 0.0, 2.0, -114_332.0),
    (2.0, 0.0, -2.0, 0.0, 58_793.0),
    (2.0, -1.0, -1.0, 0.0, 57_066.0),
    (2.0, 0.0, 1.0, 0.0, 53_322.0),
    (2.0, -1.0, 0.0, 0.0, 45_758.0),
    (0.0, 1.0, -1.0, 0.0, -40_923.0),
    (1.0, 0.0, 0.0, 0.0, -34_720.0),
    (0.0, 1.0, 1.0, 0.0, -30_383.0),
    (2.0, 0.0, 0.0, -2.0, 15_327.0),
    (0.0, 0.0, 1.0, 2.0, -12_528.0),
    (0.0, 0.0, 1.0, -2.0, 10_980.0),
    (4.0, 0.0, -1.0, 0.0, 10_675.0),
    (0.0, 0.0, 3.0, 0.0, 10_034.0),
    (4.0, 0.0, -2.0, 0.0, 8_548.0),
    (2.0, 1.0, -1.0, 0.0, -7_888.0),
    (2.0, 1.0, 0.0, 0.0, -6_766.0),
    (1.0, 0.0, -1.0, 0.0, -5_163.0),
    (1.0, 1.0, 0.0, 0.0, 4_987.0),
    (2.0, -1.0, 1.0, 0.0, 4_036.0),
    (2.0, 0.0, 2.0, 0.0, 3_994.0),
    (4.0, 0.0, 0.0, 0.0, 3_861.0),
    (2.0, 0.0, -3.0, 0.0, 3_665.0),
    (0.0, 1.0, -2.0, 0.0, -2_689.0),
    (2.0, 0.0, -1.0, 2.0, -2_602.0),
    (2.0, -1.0, -2.0, 0.0, 2_390.0),
    (1.0, 0.0, 1.0, 0.0, -2_348.0),
    (2.0, -2.0, 0.0, 0.0, 2_236.0),
    (0.0, 1.0, 2.0, 0.0, -2_120.0),
    (0.0, 2.0, 0.0, 0.0, -2_069.0),
];

/// Julian centuries since J2000 at `t` (UTC).
fn centuries(t: NaiveDateTime) -> Option<f64> {
    Some(t.signed_duration_since(j2000()?).num_seconds() as f64 / 86_400.0 / 36_525.0)
}

/// The moon's geocentric longitude in degrees (about 0.01 degree).
fn moon_longitude(t: NaiveDateTime) -> Option<f64> {
    let c = centuries(t)?;
    let l = 218.316_447_7 + 481_267.881_234_21 * c - 0.001_578_6 * c * c;
    let d = (297.850_192_1 + 445_267.111_403_4 * c - 0.001_881_9 * c * c).to_radians();
    let m = (357.529_109_2 + 35_999.050_290_9 * c - 0.000_153_6 * c * c).to_radians();
    let mp = (134.963_396_4 + 477_198.867_505_5 * c + 0.008_741_4 * c * c).to_radians();
    let f = (93.272_095_0 + 483_202.017_523_3 * c - 0.003_653_9 * c * c).to_radians();
    let e = 1.0 - 0.002_516 * c - 0.000_007_4 * c * c;
    let mut sum: f64 = MOON_TERMS
        .iter()
        .map(|(kd, km, kmp, kf, coef)| {
            coef * e.powi(km.abs() as i32) * (kd * d + km * m + kmp * mp + kf * f).sin()
        })
        .sum();
    let a1 = (119.75 + 131.849 * c).to_radians();
    let a2 = (53.09 + 479_264.290 * c).to_radians();
    sum += 3958.0 * a1.sin() + 1962.0 * (l.to_radians() - f).sin() + 318.0 * a2.sin();
    Some((l + sum / 1e6).rem_euclid(360.0))
}

/// The sun's geometric longitude in degrees (about 0.01 degree).
fn sun_longitude(t: NaiveDateTime) -> Option<f64> {
    let c = centuries(t)?;
    let l0 = 280.466_46 + 36_000.769_83 * c + 0.000_303_2 * c * c;
    let m = (357.529_11 + 35_999.050_29 * c - 0.000_153_7 * c * c).to_radians();
    let center = (1.914_602 - 0.004_817 * c - 0.000_014 * c * c) * m.sin()
        + (0.019_993 - 0.000_101 * c) * (2.0 * m).sin()
        + 0.000_289 * (3.0 * m).sin();
    Some((l0 + center).rem_euclid(360.0))
}

/// The lunar day (1-30) at `t` (UTC): twelve degrees of moon-sun elongation each.
fn tithi(t: NaiveDateTime) -> Option<u32> {
    let elongation = (moon_longitude(t)? - sun_longitude(t)?).rem_euclid(360.0);
    // In [0, 360), so the cast is exact.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Some((elongation / 12.0) as u32 + 1)
}

/// A Hindu festival: the first day (in India) whose sunrise, or evening,
/// falls in lunar day `tithi` (1-15 waxing, 16-30 waning) of the lunar
/// month that starts with the new moon falling between `window` start and
/// end (month, day), which is when the sun is in a given sidereal sign.
pub(crate) fn hindu_festival(
    year: i32,
    window: (u32, u32, u32, u32),
    tithi_wanted: u32,
    observed: Observed,
) -> Option<NaiveDate> {
    let india = Duration::minutes(330);
    let (m1, d1, m2, d2) = window;
    let (from, to) = (ymd(year, m1, d1)?, ymd(year, m2, d2)?);
    let base = ymd(2000, 1, 6)?;
    let k0 = (from.signed_duration_since(base).num_days() as f64 / SYNODIC_MONTH).floor() - 1.0;
    let start = (0..4)
        .map(|n| k0 + f64::from(n))
        .filter_map(|k| new_moon(k)?.checked_add_signed(india))
        .find(|t| t.date() >= from && t.date() <= to)?;
    let hour = match observed {
        Observed::Sunrise => 6,
        Observed::Evening => 18,
    };
    (1..32).find_map(|k| {
        let day = add_days(start.date(), k)?;
        let moment = day.and_hms_opt(hour, 0, 0)?.checked_sub_signed(india)?;
        (tithi(moment)? == tithi_wanted).then_some(day)
    })
}

/// The sun's sidereal (Lahiri) longitude in degrees at `t` (UTC).
fn sun_sidereal_longitude(t: NaiveDateTime) -> Option<f64> {
    let days = t.signed_duration_since(j2000()?).num_seconds() as f64 / 86_400.0;
    let c = days / 36_525.0;
    let l0 = 280.466_46 + 36_000.769_83 * c + 0.000_303_2 * c * c;
    let m = (357.529_11 + 35_999.050_29 * c - 0.000_153_7 * c * c).to_radians();
    let center = (1.914_602 - 0.004_817 * c - 0.000_014 * c * c) * m.sin()
        + (0.019_993 - 0.000_101 * c) * (2.0 * m).sin()
        + 0.000_289 * (3.0 * m).sin();
    let omega = (125.04 - 1934.136 * c).to_radians();
    let apparent = l0 + center - 0.005_69 - 0.004_78 * omega.sin();
    let ayanamsa = 23.853 + days / 365.25 * 0.013_966_7;
    Some((apparent - ayanamsa).rem_euclid(360.0))
}

/// The day (in India) the sun enters the sidereal sign starting at
/// `degrees`, searching from the first of `month`; an entry after sunset
/// counts for the next day.
pub(crate) fn sankranti(year: i32, month: u32, degrees: f64) -> Option<NaiveDate> {
    let past = |t: NaiveDateTime| -> Option<bool> {
        let d = (sun_sidereal_longitude(t)? - degrees).rem_euclid(360.0);
        Some(d < 90.0)
    };
    let mut lo = ymd(year, month, 1)?.and_hms_opt(0, 0, 0)?;
    if past(lo)? {
        return None;
    }
    let mut hi = lo;
    for _ in 0..45 {
        hi = hi.checked_add_signed(Duration::days(1))?;
        if past(hi)? {
            break;
        }
    }
    if !past(hi)? {
        return None;
    }
    for _ in 0..20 {
        let mid = lo + (hi - lo) / 2;
        if past(mid)? {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    let india = hi.checked_add_signed(Duration::minutes(330))?;
    if india.time() >= chrono::NaiveTime::from_hms_opt(18, 0, 0)? {
        add_days(india.date(), 1)
    } else {
        Some(india.date())
    }
}

/// Chinese New Year in Gregorian `year`.
pub(crate) fn chinese_new_year(year: i32) -> Option<NaiveDate> {
    let from = ymd(year, 1, 21)?;
    let mut day = ymd(year, 1, 14)?;
    for _ in 0..3 {
        let moon = new_moon_near(day)?;
        let beijing = moon.checked_add_signed(Duration::hours(8))?.date();
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
        for (y, m, d) in [(2013, 2, 10), (2014, 1, 31), (2017, 1, 28), (2020, 1, 25), (2033, 1, 31)] {
            assert_eq!(chinese_new_year(y), ymd(y, m, d), "{y}");
        }
    }

    #[test]
    fn hindu_festivals_fall_on_their_lunar_days() {
        let ashvin = (9, 17, 10, 16);
        // Diwali: the new moon ending Ashvin, observed in the evening.
        assert_eq!(hindu_festival(2019, ashvin, 30, Observed::Evening), ymd(2019, 10, 27));
        // Raksha Bandhan: the full moon of Shravana.
        assert_eq!(hindu_festival(2018, (7, 16, 8, 16), 15, Observed::Sunrise), ymd(2018, 8, 26));
    }

    #[test]
    fn sankranti_follows_the_sun() {
        // Makar Sankranti: 2018-01-14 at 13:45 IST, 2019-01-14 after sunset.
        assert_eq!(sankranti(2018, 1, 270.0), ymd(2018, 1, 14));
        assert_eq!(sankranti(2019, 1, 270.0), ymd(2019, 1, 15));
        assert_eq!(sankranti(2018, 4, 0.0), ymd(2018, 4, 14));
    }

    #[test]
    fn new_moon_of_a_known_date() {
        // New moon of 2013-02-10 07:20 UTC.
        let moon = new_moon_near(ymd(2013, 2, 12).unwrap()).unwrap();
        assert_eq!(moon.date(), ymd(2013, 2, 10).unwrap());
    }
}
