//! Holidays whose date follows a rule: fixed days, nth weekdays of a
//! month, days counted from Western or Orthodox Easter, the Hebrew calendar
//! (exact arithmetic; Jewish holidays start on the eve, as in Duckling),
//! Islamic months from new moons, Chinese New Year, Hindu festivals from
//! lunar days (tithis; where calendars disagree on the day, this can be
//! a day off) and from the sun's entry into a sidereal sign (sankranti).

use std::collections::HashMap;
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate, Weekday};

use super::astronomy::{
    self,
    Observed::{Evening, Sunrise},
};
use super::calendar::{add_days, easter, nth_weekday, orthodox_easter, ymd};
use super::tokens::{Kind, Token};

/// How a holiday's date is found in a given year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rule {
    /// The same day every year.
    Fixed(u32, u32),
    /// The nth weekday of a month (negative from the end), plus some days.
    NthWeekday(u32, i32, Weekday, i64),
    /// Days from Western Easter Sunday.
    Easter(i64),
    /// Days from Orthodox Easter Sunday.
    OrthodoxEaster(i64),
    /// A fixed day moved to the nearest weekday when it falls on a weekend
    /// (Boss's Day, October 16).
    FixedWeekday(u32, u32),
    /// A fixed day moved one day earlier when it falls on a Sunday (King's Day).
    FixedNotSunday(u32, u32),
    /// Days from the eve of Rosh Hashanah in the Gregorian year.
    HebrewAutumn(i64),
    /// Days from the eve of Passover in the Gregorian year.
    HebrewSpring(i64),
    /// The eve of Hanukkah (25 Kislev).
    Hanukkah,
    /// The eve of Tu BiShvat (15 Shevat).
    TuBishvat,
    /// The eve of Yom HaShoah (27 Nisan, moved off Friday and Sunday).
    YomHashoah,
    /// A day of the tabular Islamic calendar (month, day).
    Islamic(u32, u32),
    /// The last Friday of Ramadan.
    JamatUlVida,
    /// Chinese New Year.
    ChineseNewYear,
    /// The day the sun enters a sidereal sign (month to search from, degrees), plus some days.
    Sankranti(u32, u16, i64),
    /// The last Saturday of March, a week earlier when it is Holy Saturday.
    EarthHour,
    /// A Hindu festival: new-moon window of its month, tithi, observance, and days added.
    Hindu((u32, u32, u32, u32), u32, astronomy::Observed, i64),
    /// A day of the 365-day Shahenshahi calendar, given by its date in 2018.
    Shahenshahi(u32, u32),
}

/// A holiday: its rule and how many days it lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Holiday {
    pub(crate) rule: Rule,
    pub(crate) days: u32,
}

impl Holiday {
    /// The hours it covers, for holidays shorter than a day.
    pub(crate) fn hours(self) -> Option<((u32, u32), (u32, u32))> {
        (self.rule == Rule::EarthHour).then_some(((20, 30), (21, 30)))
    }

    /// How many days it lasts when it starts on `start` (a month of the
    /// Islamic calendar runs to the next new moon).
    pub(crate) fn length(self, start: NaiveDate) -> u32 {
        if let (Rule::Islamic(_, 1), 30) = (self.rule, self.days) {
            let next = add_days(start, 29).and_then(astronomy::islamic_month_start);
            if let Some(next) = next {
                if let Ok(days) = u32::try_from(next.signed_duration_since(start).num_days()) {
                    return days;
                }
            }
        }
        self.days
    }

    /// Its first day in `year`.
    pub(crate) fn in_year(self, year: i32) -> Option<NaiveDate> {
        match self.rule {
            Rule::Fixed(m, d) => ymd(year, m, d),
            Rule::NthWeekday(m, n, w, plus) => add_days(nth_weekday(year, m, w, n)?, plus),
            Rule::Easter(plus) => add_days(easter(year)?, plus),
            Rule::OrthodoxEaster(plus) => add_days(orthodox_easter(year)?, plus),
            Rule::FixedWeekday(m, d) => {
                let day = ymd(year, m, d)?;
                match day.weekday() {
                    Weekday::Sat => add_days(day, -1),
                    Weekday::Sun => add_days(day, 1),
                    _ => Some(day),
                }
            }
            Rule::HebrewAutumn(plus) => add_days(rosh_hashanah(year)?, plus - 1),
            Rule::HebrewSpring(plus) => add_days(passover(year)?, plus - 1),
            Rule::Hanukkah => {
                let rh = rosh_hashanah(year)?;
                let next = rosh_hashanah(year + 1)?;
                let long_heshvan = next.signed_duration_since(rh).num_days() % 10 == 5;
                add_days(rh, 30 + if long_heshvan { 30 } else { 29 } + 23)
            }
            Rule::TuBishvat => {
                // Shevat 15 of the Hebrew year that began the autumn before.
                let rh = rosh_hashanah(year - 1)?;
                let length = rosh_hashanah(year)?.signed_duration_since(rh).num_days();
                let heshvan_kislev = match length % 10 {
                    3 => 58,
                    5 => 60,
                    _ => 59,
                };
                add_days(rh, 30 + heshvan_kislev + 29 + 14 - 1)
            }
            Rule::YomHashoah => {
                let mut day = add_days(passover(year)?, 12)?;
                match day.weekday() {
                    Weekday::Fri => day = add_days(day, -1)?,
                    Weekday::Sun => day = add_days(day, 1)?,
                    _ => {}
                }
                add_days(day, -1)
            }
            Rule::Islamic(m, d) => islamic_in_year(year, m, d),
            Rule::JamatUlVida => {
                let eid = islamic_in_year(year, 10, 1)?;
                let back =
                    (eid.weekday().num_days_from_monday() + 7 - Weekday::Fri.num_days_from_monday()) % 7;
                add_days(eid, -i64::from(if back == 0 { 7 } else { back }))
            }
            Rule::ChineseNewYear => astronomy::chinese_new_year(year),
            Rule::Sankranti(month, degrees, plus) => {
                add_days(astronomy::sankranti(year, month, f64::from(degrees))?, plus)
            }
            Rule::EarthHour => {
                let day = nth_weekday(year, 3, Weekday::Sat, -1)?;
                if Some(day) == add_days(easter(year)?, -1) {
                    add_days(day, -7)
                } else {
                    Some(day)
                }
            }
            Rule::Hindu(window, tithi, observed, plus) => {
                add_days(astronomy::hindu_festival(year, window, tithi, observed)?, plus)
            }
            Rule::Shahenshahi(m, d) => {
                let base = ymd(2018, m, d)?;
                let day = add_days(base, 365 * (i64::from(year) - 2018))?;
                if day.year() == year {
                    Some(day)
                } else {
                    add_days(day, if day.year() < year { 365 } else { -365 })
                }
            }
            Rule::FixedNotSunday(m, d) => {
                let day = ymd(year, m, d)?;
                if day.weekday() == Weekday::Sun {
                    add_days(day, -1)
                } else {
                    Some(day)
                }
            }
        }
    }
}

/// Days since 0001-01-01 (day 1) of the first day of the Hebrew year, by
/// the molad and the postponement rules (Reingold & Dershowitz).
fn hebrew_elapsed_days(year: i64) -> i64 {
    let months = (235 * year - 234).div_euclid(19);
    let parts = 12084 + 13753 * months;
    let days = 29 * months + parts.div_euclid(25920);
    if (3 * (days + 1)).rem_euclid(7) < 3 {
        days + 1
    } else {
        days
    }
}

/// Rosh Hashanah (1 Tishrei) falling in Gregorian `year`.
fn rosh_hashanah(year: i32) -> Option<NaiveDate> {
    const EPOCH: i64 = -1_373_427;
    let h = i64::from(year) + 3761;
    let (ny0, ny1, ny2) = (hebrew_elapsed_days(h - 1), hebrew_elapsed_days(h), hebrew_elapsed_days(h + 1));
    let correction = if ny2 - ny1 == 356 {
        2
    } else if ny1 - ny0 == 382 {
        1
    } else {
        0
    };
    let day = i32::try_from(EPOCH + ny1 + correction).ok()?;
    NaiveDate::from_num_days_from_ce_opt(day).filter(|d| d.year() == year)
}

/// The first day of Passover (15 Nisan) in Gregorian `year`.
fn passover(year: i32) -> Option<NaiveDate> {
    add_days(rosh_hashanah(year)?, -163)
}

/// The Gregorian date of an Islamic month and day falling in Gregorian
/// `year` (the earliest if two do): the tabular calendar places the month,
/// the new moon fixes its first day.
fn islamic_in_year(year: i32, month: u32, day: u32) -> Option<NaiveDate> {
    const EPOCH: i64 = 227_015;
    let approx = (i64::from(year) - 622) * 33 / 32;
    (approx - 1..=approx + 2).find_map(|y| {
        let m = i64::from(month);
        let fixed = EPOCH - 1 + (y - 1) * 354 + (3 + 11 * y).div_euclid(30) + 29 * (m - 1) + m / 2 + 1;
        let tabular = NaiveDate::from_num_days_from_ce_opt(i32::try_from(fixed).ok()?)?;
        let start = astronomy::islamic_month_start(tabular)?;
        add_days(start, i64::from(day) - 1).filter(|g| g.year() == year)
    })
}

const fn one(rule: Rule) -> Holiday {
    Holiday { rule, days: 1 }
}

const fn lasting(rule: Rule, days: u32) -> Holiday {
    Holiday { rule, days }
}

// New moons starting a Hindu lunar month, by the sun's sidereal sign.
const PISCES: (u32, u32, u32, u32) = (3, 14, 4, 13);
const ARIES: (u32, u32, u32, u32) = (4, 14, 5, 14);
const CANCER: (u32, u32, u32, u32) = (7, 16, 8, 16);
const LEO: (u32, u32, u32, u32) = (8, 17, 9, 16);
const VIRGO: (u32, u32, u32, u32) = (9, 17, 10, 16);
const CAPRICORN: (u32, u32, u32, u32) = (1, 14, 2, 12);
const AQUARIUS: (u32, u32, u32, u32) = (2, 13, 3, 13);
const CHAITRA_1: Rule = Rule::Hindu(PISCES, 1, Sunrise, 0);
const HOLIKA: Rule = Rule::Hindu(AQUARIUS, 15, Evening, 0);
const MAGHA_15: Rule = Rule::Hindu(CAPRICORN, 15, Sunrise, 0);
const GEMINI: (u32, u32, u32, u32) = (6, 15, 7, 15);
const LIBRA: (u32, u32, u32, u32) = (10, 17, 11, 15);
const MAKAR: Rule = Rule::Sankranti(1, 270, 0);
const MESHA: Rule = Rule::Sankranti(4, 0, 0);
const DIWALI: Rule = Rule::Hindu(VIRGO, 30, Evening, 0);
const VAISAKHA_15: Rule = Rule::Hindu(ARIES, 15, Sunrise, 0);

/// Names (as lowercase words without apostrophes) and their holidays.
const NAMES: &[(&str, Holiday)] = &[
    ("christmas", one(Rule::Fixed(12, 25))),
    ("christmas day", one(Rule::Fixed(12, 25))),
    ("xmas", one(Rule::Fixed(12, 25))),
    ("xmas day", one(Rule::Fixed(12, 25))),
    ("christmas eve", one(Rule::Fixed(12, 24))),
    ("xmas eve", one(Rule::Fixed(12, 24))),
    ("boxing day", one(Rule::Fixed(12, 26))),
    ("new years eve", one(Rule::Fixed(12, 31))),
    ("new year eve", one(Rule::Fixed(12, 31))),
    ("new years day", one(Rule::Fixed(1, 1))),
    ("new year day", one(Rule::Fixed(1, 1))),
    ("new years", one(Rule::Fixed(1, 1))),
    ("new year", one(Rule::Fixed(1, 1))),
    ("valentines day", one(Rule::Fixed(2, 14))),
    ("valentine day", one(Rule::Fixed(2, 14))),
    ("valentines", one(Rule::Fixed(2, 14))),
    ("groundhog day", one(Rule::Fixed(2, 2))),
    ("st patricks day", one(Rule::Fixed(3, 17))),
    ("saint patricks day", one(Rule::Fixed(3, 17))),
    ("st paddys day", one(Rule::Fixed(3, 17))),
    ("april fools day", one(Rule::Fixed(4, 1))),
    ("april fools", one(Rule::Fixed(4, 1))),
    ("earth day", one(Rule::Fixed(4, 22))),
    ("cinco de mayo", one(Rule::Fixed(5, 5))),
    ("juneteenth", one(Rule::Fixed(6, 19))),
    ("independence day", one(Rule::Fixed(7, 4))),
    ("halloween", one(Rule::Fixed(10, 31))),
    ("all saints day", one(Rule::Fixed(11, 1))),
    ("veterans day", one(Rule::Fixed(11, 11))),
    ("bosss day", one(Rule::FixedWeekday(10, 16))),
    ("boss day", one(Rule::FixedWeekday(10, 16))),
    ("bosses day", one(Rule::FixedWeekday(10, 16))),
    ("kings day", one(Rule::FixedNotSunday(4, 27))),
    ("koningsdag", one(Rule::FixedNotSunday(4, 27))),
    ("martin luther king day", one(Rule::NthWeekday(1, 3, Weekday::Mon, 0))),
    ("martin luther king jr day", one(Rule::NthWeekday(1, 3, Weekday::Mon, 0))),
    ("mlk day", one(Rule::NthWeekday(1, 3, Weekday::Mon, 0))),
    ("presidents day", one(Rule::NthWeekday(2, 3, Weekday::Mon, 0))),
    ("washingtons birthday", one(Rule::NthWeekday(2, 3, Weekday::Mon, 0))),
    ("mothers day", one(Rule::NthWeekday(5, 2, Weekday::Sun, 0))),
    ("memorial day", one(Rule::NthWeekday(5, -1, Weekday::Mon, 0))),
    ("fathers day", one(Rule::NthWeekday(6, 3, Weekday::Sun, 0))),
    ("labor day", one(Rule::NthWeekday(9, 1, Weekday::Mon, 0))),
    ("labour day", one(Rule::NthWeekday(9, 1, Weekday::Mon, 0))),
    ("columbus day", one(Rule::NthWeekday(10, 2, Weekday::Mon, 0))),
    ("thanksgiving", one(Rule::NthWeekday(11, 4, Weekday::Thu, 0))),
    ("thanksgiving day", one(Rule::NthWeekday(11, 4, Weekday::Thu, 0))),
    ("black friday", one(Rule::NthWeekday(11, 4, Weekday::Thu, 1))),
    ("cyber monday", one(Rule::NthWeekday(11, 4, Weekday::Thu, 4))),
    ("easter", one(Rule::Easter(0))),
    ("easter sunday", one(Rule::Easter(0))),
    ("easter monday", one(Rule::Easter(1))),
    ("easter mon", one(Rule::Easter(1))),
    ("good friday", one(Rule::Easter(-2))),
    ("holy saturday", one(Rule::Easter(-1))),
    ("maundy thursday", one(Rule::Easter(-3))),
    ("holy thursday", one(Rule::Easter(-3))),
    ("covenant thursday", one(Rule::Easter(-3))),
    ("covenant thu", one(Rule::Easter(-3))),
    ("thursday of mysteries", one(Rule::Easter(-3))),
    ("thu of mysteries", one(Rule::Easter(-3))),
    ("palm sunday", one(Rule::Easter(-7))),
    ("branch sunday", one(Rule::Easter(-7))),
    ("ash wednesday", one(Rule::Easter(-46))),
    ("mardi gras", one(Rule::Easter(-47))),
    ("shrove tuesday", one(Rule::Easter(-47))),
    ("pancake day", one(Rule::Easter(-47))),
    ("pancake tuesday", one(Rule::Easter(-47))),
    ("fat tuesday", one(Rule::Easter(-47))),
    ("ascension day", one(Rule::Easter(39))),
    ("ascension thursday", one(Rule::Easter(39))),
    ("pentecost", one(Rule::Easter(49))),
    ("whit sunday", one(Rule::Easter(49))),
    ("whitsunday", one(Rule::Easter(49))),
    ("whit monday", one(Rule::Easter(50))),
    ("whitmonday", one(Rule::Easter(50))),
    ("pentecost monday", one(Rule::Easter(50))),
    ("monday of the holy spirit", one(Rule::Easter(50))),
    ("trinity sunday", one(Rule::Easter(56))),
    ("corpus christi", one(Rule::Easter(60))),
    ("orthodox easter", one(Rule::OrthodoxEaster(0))),
    ("orthodox easter sunday", one(Rule::OrthodoxEaster(0))),
    ("orthodox good friday", one(Rule::OrthodoxEaster(-2))),
    ("clean monday", one(Rule::OrthodoxEaster(-48))),
    ("orthodox shrove monday", one(Rule::OrthodoxEaster(-48))),
    ("pure monday", one(Rule::OrthodoxEaster(-48))),
    ("lazarus saturday", one(Rule::OrthodoxEaster(-8))),
    ("great fast", Holiday { rule: Rule::OrthodoxEaster(-48), days: 40 }),
    ("great lent", Holiday { rule: Rule::OrthodoxEaster(-48), days: 40 }),
    ("rosh hashanah", lasting(Rule::HebrewAutumn(0), 3)),
    ("rosh hashana", lasting(Rule::HebrewAutumn(0), 3)),
    ("rosh hashanna", lasting(Rule::HebrewAutumn(0), 3)),
    ("rosh ha shana", lasting(Rule::HebrewAutumn(0), 3)),
    ("yom kippur", one(Rule::HebrewAutumn(9))),
    ("sukkot", lasting(Rule::HebrewAutumn(14), 8)),
    ("succot", lasting(Rule::HebrewAutumn(14), 8)),
    ("shemini atzeret", one(Rule::HebrewAutumn(21))),
    ("simchat torah", one(Rule::HebrewAutumn(22))),
    ("chanukah", lasting(Rule::Hanukkah, 8)),
    ("chanukkah", lasting(Rule::Hanukkah, 8)),
    ("hanukkah", lasting(Rule::Hanukkah, 8)),
    ("hanukah", lasting(Rule::Hanukkah, 8)),
    ("hannukah", lasting(Rule::Hanukkah, 8)),
    ("hannukkah", lasting(Rule::Hanukkah, 8)),
    ("hanukka", lasting(Rule::Hanukkah, 8)),
    ("passover", lasting(Rule::HebrewSpring(0), 9)),
    ("pesach", lasting(Rule::HebrewSpring(0), 9)),
    ("shavuot", lasting(Rule::HebrewSpring(50), 3)),
    ("shavuos", lasting(Rule::HebrewSpring(50), 3)),
    ("purim", one(Rule::HebrewSpring(-30))),
    ("shushan purim", one(Rule::HebrewSpring(-29))),
    ("lag baomer", one(Rule::HebrewSpring(33))),
    ("lag b omer", one(Rule::HebrewSpring(33))),
    ("tisha bav", one(Rule::HebrewSpring(112))),
    ("tisha b av", one(Rule::HebrewSpring(112))),
    ("tu bishvat", one(Rule::TuBishvat)),
    ("tu bshvat", one(Rule::TuBishvat)),
    ("tu b shvat", one(Rule::TuBishvat)),
    ("yom hashoah", one(Rule::YomHashoah)),
    ("yom ha shoah", one(Rule::YomHashoah)),
    ("holocaust day", one(Rule::YomHashoah)),
    ("holocaust remembrance day", one(Rule::YomHashoah)),
    ("eid al fitr", one(Rule::Islamic(10, 1))),
    ("eid ul fitr", one(Rule::Islamic(10, 1))),
    ("id al fitr", one(Rule::Islamic(10, 1))),
    ("id ul fitr", one(Rule::Islamic(10, 1))),
    ("eid al adha", one(Rule::Islamic(12, 10))),
    ("eid ul adha", one(Rule::Islamic(12, 10))),
    ("id al adha", one(Rule::Islamic(12, 10))),
    ("id ul adha", one(Rule::Islamic(12, 10))),
    ("sacrifice feast", one(Rule::Islamic(12, 10))),
    ("bakr id", one(Rule::Islamic(12, 10))),
    ("bakrid", one(Rule::Islamic(12, 10))),
    ("islamic new year", one(Rule::Islamic(1, 1))),
    ("hijri new year", one(Rule::Islamic(1, 1))),
    ("amun jadid", one(Rule::Islamic(1, 1))),
    ("ashura", one(Rule::Islamic(1, 10))),
    ("day of ashura", one(Rule::Islamic(1, 10))),
    ("mawlid", one(Rule::Islamic(3, 12))),
    ("mawlid al nabawi", one(Rule::Islamic(3, 12))),
    ("mawlid an nabi", one(Rule::Islamic(3, 12))),
    ("prophets birthday", one(Rule::Islamic(3, 12))),
    ("isra and miraj", one(Rule::Islamic(7, 27))),
    ("isra miraj", one(Rule::Islamic(7, 27))),
    ("prophets ascension", one(Rule::Islamic(7, 27))),
    ("night journey", one(Rule::Islamic(7, 27))),
    ("ascension to heaven", one(Rule::Islamic(7, 27))),
    ("ramadan", lasting(Rule::Islamic(9, 1), 30)),
    ("laylat al qadr", one(Rule::Islamic(9, 27))),
    ("night of power", one(Rule::Islamic(9, 27))),
    ("jamat ul vida", one(Rule::JamatUlVida)),
    ("earth hour", one(Rule::EarthHour)),
    ("makar sankranti", one(MAKAR)),
    ("maghi", one(MAKAR)),
    ("pongal", one(MAKAR)),
    ("thai pongal", one(MAKAR)),
    ("uttarayan", one(MAKAR)),
    ("lohri", one(Rule::Sankranti(1, 270, -1))),
    ("bhogi", one(Rule::Sankranti(1, 270, -1))),
    ("bogi", one(Rule::Sankranti(1, 270, -1))),
    ("bhogi pandigai", one(Rule::Sankranti(1, 270, -1))),
    ("bogi pandigai", one(Rule::Sankranti(1, 270, -1))),
    ("mattu pongal", one(Rule::Sankranti(1, 270, 1))),
    ("kaanum pongal", one(Rule::Sankranti(1, 270, 2))),
    ("kanum pongal", one(Rule::Sankranti(1, 270, 2))),
    ("kanni pongal", one(Rule::Sankranti(1, 270, 2))),
    ("vaisakhi", one(MESHA)),
    ("baisakhi", one(MESHA)),
    ("mesha sankranti", one(MESHA)),
    ("tamil new year", one(MESHA)),
    ("puthandu", one(MESHA)),
    ("vishu", one(MESHA)),
    ("global youth service day", lasting(Rule::NthWeekday(4, -1, Weekday::Fri, 0), 3)),
    ("gysd", lasting(Rule::NthWeekday(4, -1, Weekday::Fri, 0), 3)),
    ("chinese new year", one(Rule::ChineseNewYear)),
    ("chinese new years", one(Rule::ChineseNewYear)),
    ("chinese new years day", one(Rule::ChineseNewYear)),
    ("chinese lunar new year", one(Rule::ChineseNewYear)),
    ("chinese lunar new years day", one(Rule::ChineseNewYear)),
    ("lunar new year", one(Rule::ChineseNewYear)),
    ("lunar new years day", one(Rule::ChineseNewYear)),
    ("parsi new year", one(Rule::Shahenshahi(8, 17))),
    ("ugadi", one(CHAITRA_1)),
    ("yugadi", one(CHAITRA_1)),
    ("gudi padwa", one(CHAITRA_1)),
    ("samvatsaradi", one(CHAITRA_1)),
    ("chaitra sukladi", one(CHAITRA_1)),
    ("chaitra sukhladi", one(CHAITRA_1)),
    ("mahavir jayanti", one(Rule::Hindu(PISCES, 13, Sunrise, 0))),
    ("mahaveer jayanti", one(Rule::Hindu(PISCES, 13, Sunrise, 0))),
    ("mahavir janma kalyanak", one(Rule::Hindu(PISCES, 13, Sunrise, 0))),
    ("mahaveer janma kalyanak", one(Rule::Hindu(PISCES, 13, Sunrise, 0))),
    ("holika dahan", one(HOLIKA)),
    ("chhoti holi", one(HOLIKA)),
    ("choti holi", one(HOLIKA)),
    ("kamudu pyre", one(HOLIKA)),
    ("holi", one(Rule::Hindu(AQUARIUS, 15, Evening, 1))),
    ("raksha bandhan", one(Rule::Hindu(CANCER, 15, Sunrise, 0))),
    ("rakhi", one(Rule::Hindu(CANCER, 15, Sunrise, 0))),
    ("ganesh chaturthi", one(Rule::Hindu(LEO, 4, Sunrise, 0))),
    ("vinayaka chaturthi", one(Rule::Hindu(LEO, 4, Sunrise, 0))),
    ("guru ravidas jayanti", one(MAGHA_15)),
    ("guru ravidass jayanti", one(MAGHA_15)),
    ("guru ravidas birthday", one(MAGHA_15)),
    ("guru ravidass birthday", one(MAGHA_15)),
    ("magha purnima", one(MAGHA_15)),
    ("vasant panchami", one(Rule::Hindu(CAPRICORN, 5, Sunrise, 0))),
    ("basant panchami", one(Rule::Hindu(CAPRICORN, 5, Sunrise, 0))),
    ("valmiki jayanti", one(Rule::Hindu(VIRGO, 15, Sunrise, 0))),
    ("pargat diwas", one(Rule::Hindu(VIRGO, 15, Sunrise, 0))),
    ("navaratri", one(Rule::Hindu(VIRGO, 1, Sunrise, 0))),
    ("navratri", one(Rule::Hindu(VIRGO, 1, Sunrise, 0))),
    ("dussehra", one(Rule::Hindu(VIRGO, 10, Sunrise, 0))),
    ("dasara", one(Rule::Hindu(VIRGO, 10, Sunrise, 0))),
    ("vijayadashami", one(Rule::Hindu(VIRGO, 10, Sunrise, 0))),
    ("diwali", one(DIWALI)),
    ("deepavali", one(DIWALI)),
    ("lakshmi puja", one(DIWALI)),
    ("dhanteras", one(Rule::Hindu(VIRGO, 30, Evening, -2))),
    ("dhanatrayodashi", one(Rule::Hindu(VIRGO, 30, Evening, -2))),
    ("naraka chaturdashi", one(Rule::Hindu(VIRGO, 30, Evening, -1))),
    ("govardhan puja", one(Rule::Hindu(VIRGO, 30, Evening, 1))),
    ("bhai dooj", one(Rule::Hindu(VIRGO, 30, Evening, 2))),
    ("bhaiya dooj", one(Rule::Hindu(VIRGO, 30, Evening, 2))),
    ("guru purnima", one(Rule::Hindu(GEMINI, 15, Sunrise, 0))),
    ("rath yatra", one(Rule::Hindu(GEMINI, 2, Sunrise, 0))),
    ("ratha yatra", one(Rule::Hindu(GEMINI, 2, Sunrise, 0))),
    ("krishna janmashtami", one(Rule::Hindu(CANCER, 23, Sunrise, 0))),
    ("janmashtami", one(Rule::Hindu(CANCER, 23, Sunrise, 0))),
    ("maha shivaratri", one(Rule::Hindu(CAPRICORN, 29, Evening, 0))),
    ("mahashivaratri", one(Rule::Hindu(CAPRICORN, 29, Evening, 0))),
    ("maha shivratri", one(Rule::Hindu(CAPRICORN, 29, Evening, 0))),
    ("karva chauth", one(Rule::Hindu(VIRGO, 19, Sunrise, 0))),
    ("karwa chauth", one(Rule::Hindu(VIRGO, 19, Sunrise, 0))),
    ("sharad purnima", one(Rule::Hindu(VIRGO, 15, Sunrise, 0))),
    ("hanuman jayanti", one(Rule::Hindu(PISCES, 15, Sunrise, 0))),
    ("ram navami", one(Rule::Hindu(PISCES, 9, Sunrise, 0))),
    ("rama navami", one(Rule::Hindu(PISCES, 9, Sunrise, 0))),
    ("akshaya tritiya", one(Rule::Hindu(ARIES, 3, Sunrise, 0))),
    ("chhath", one(Rule::Hindu(LIBRA, 6, Sunrise, 0))),
    ("chhath puja", one(Rule::Hindu(LIBRA, 6, Sunrise, 0))),
    ("kali puja", one(DIWALI)),
    ("buddha purnima", one(VAISAKHA_15)),
    ("buddha day", one(VAISAKHA_15)),
    ("vesak", one(VAISAKHA_15)),
    ("vaisakha", one(VAISAKHA_15)),
    ("jamshedi navroz", one(Rule::Shahenshahi(8, 17))),
    ("jumuatul wida", one(Rule::JamatUlVida)),
];

/// Holidays named at token `i`, longest name first, with the index after the name.
pub(crate) fn names_at(tokens: &[Token], i: usize) -> Vec<(Holiday, usize)> {
    let mut found: Vec<(Holiday, usize)> = Vec::new();
    let Some(first) = tokens.get(i).filter(|t| t.kind == Kind::Word) else {
        return found;
    };
    // This runs at several places of every token of every message: the
    // names are looked up by their first word, not scanned.
    let Some(names) = by_first_word().get(first.text.as_str()) else {
        return found;
    };
    for (name, holiday) in names {
        if let Some(end) = match_words(tokens, i, name) {
            found.push((*holiday, end));
        }
    }
    found.sort_by_key(|f| std::cmp::Reverse(f.1));
    found
}

/// [`NAMES`] grouped by their first word, built once.
fn by_first_word() -> &'static HashMap<&'static str, Vec<(&'static str, Holiday)>> {
    static INDEX: OnceLock<HashMap<&'static str, Vec<(&'static str, Holiday)>>> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut index: HashMap<&'static str, Vec<(&'static str, Holiday)>> = HashMap::new();
        for &(name, holiday) in NAMES {
            let first = name.split(' ').next().unwrap_or(name);
            index.entry(first).or_default().push((name, holiday));
        }
        index
    })
}

/// Matches the space-separated words of `phrase`, allowing hyphens between them.
fn match_words(tokens: &[Token], mut i: usize, phrase: &str) -> Option<usize> {
    for (n, word) in phrase.split(' ').enumerate() {
        if n > 0 && tokens.get(i).is_some_and(|t| t.is_punct('-')) {
            i += 1;
        }
        let t = tokens.get(i)?;
        if t.kind != Kind::Word || t.text != word {
            return None;
        }
        i += 1;
    }
    Some(i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nlu::datetime::tokens::tokenize;

    fn date_of(name: &str, year: i32) -> Option<NaiveDate> {
        let tokens = tokenize(name);
        let (holiday, _) = names_at(&tokens, 0).into_iter().next()?;
        holiday.in_year(year)
    }

    #[test]
    fn rules_give_known_dates() {
        assert_eq!(date_of("Thanksgiving", 2017), ymd(2017, 11, 23));
        assert_eq!(date_of("black friday", 2013), ymd(2013, 11, 29));
        assert_eq!(date_of("Boss's Day", 2021), ymd(2021, 10, 15));
        assert_eq!(date_of("whit-monday", 2013), ymd(2013, 5, 20));
        assert_eq!(date_of("clean monday", 2018), ymd(2018, 2, 19));
        assert_eq!(date_of("King's Day", 2014), ymd(2014, 4, 26));
        assert_eq!(date_of("yom kippur", 2018), ymd(2018, 9, 18));
        assert_eq!(date_of("hanukkah", 2018), ymd(2018, 12, 2));
        assert_eq!(date_of("passover", 2018), ymd(2018, 3, 30));
        assert_eq!(date_of("purim", 2013), ymd(2013, 2, 23));
        assert_eq!(date_of("Eid al-Fitr", 2018), ymd(2018, 6, 15));
        assert_eq!(date_of("diwali", 2019), ymd(2019, 10, 27));
        assert_eq!(date_of("chinese new year", 2014), ymd(2014, 1, 31));
    }
}
