//! Analytics: the report of a tenant's conversations over a range of
//! business days ([`Report`], its formulas on [`DayFigures`]), computed from
//! the conversation logs the store reads for it ([`ReportInputs`]); customer
//! ratings ([`Rating`]); and daily counters kept by hosts ([`DailyRollup`]).

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// One counter for one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DailyRollup {
    /// The day (UTC).
    pub day: NaiveDate,
    /// What is counted (`conversations`, `bookings`, `handoffs`, ...).
    pub metric: String,
    /// The count.
    pub value: i64,
}

/// The UTC bounds `[start, end)` of a day.
pub(crate) fn day_bounds(day: NaiveDate) -> (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>) {
    let start = day.and_time(chrono::NaiveTime::MIN).and_utc();
    (start, start + chrono::Duration::days(1))
}

/// The counters [`crate::AnalyticsStore::rebuild_daily_rollups`] owns, as a SQL condition on `metric`.
pub(crate) const REBUILT_METRICS: &str =
    "(metric IN ('conversations.started', 'turns', 'bookings.created') OR metric LIKE 'events.%')";

/// A customer's satisfaction rating of one conversation (CSAT).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rating {
    /// The conversation rated.
    pub conversation_id: String,
    /// 1 (very unsatisfied) to 5 (very satisfied).
    pub score: i32,
    /// What the customer added, if anything.
    pub comment: Option<String>,
    /// When it was given.
    pub created_at: DateTime<Utc>,
}

/// The longest comment a rating keeps, in bytes.
pub const MAX_RATING_COMMENT: usize = 2000;

/// What the report needs of one conversation, read from its log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationFacts {
    /// The conversation.
    pub id: String,
    /// Where it happened (`web`, `whatsapp`, ...).
    pub channel: String,
    /// When it started.
    pub created_at: DateTime<Utc>,
    /// When anything last happened in it.
    pub updated_at: DateTime<Utc>,
    /// Messages from the customer.
    pub customer_messages: i64,
    /// Replies from the bot.
    pub bot_replies: i64,
    /// Messages from people of the business.
    pub agent_messages: i64,
    /// When it first went to a person: a handoff asked for, or a person
    /// taking it over unasked, whichever came first.
    pub handed_off_at: Option<DateTime<Utc>>,
    /// When a person of the business first wrote in it.
    pub first_agent_message_at: Option<DateTime<Utc>>,
    /// When it was closed, if it was.
    pub closed_at: Option<DateTime<Utc>>,
    /// Bookings confirmed in it.
    pub bookings_made: i64,
    /// Bookings cancelled in it.
    pub bookings_cancelled: i64,
    /// Bookings moved in it.
    pub bookings_rescheduled: i64,
    /// The customer's rating, if they gave one.
    pub rating: Option<i32>,
}

/// How often something was said, over a report's range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Count {
    /// What (an intent's name, a question's text).
    pub key: String,
    /// How many times.
    pub count: i64,
    /// The last time.
    pub last_at: DateTime<Utc>,
}

/// Everything [`Report::compute`] reads, as the store gives it for a range
/// of instants `[from, to)`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportInputs {
    /// Conversations started in the range.
    pub conversations: Vec<ConversationFacts>,
    /// Intents detected in the range, most frequent first.
    pub top_intents: Vec<Count>,
    /// Messages not understood or not answered (out of scope, or a
    /// question the knowledge base had no answer for) in the range,
    /// grouped by their lower-cased text, most frequent first.
    pub unanswered: Vec<Count>,
    /// Start times of bookings in the range marked as no-shows.
    pub no_shows: Vec<DateTime<Utc>>,
}

/// A conversation with no handoff counts as resolved by the bot once it is
/// closed or nothing has happened in it for this long.
pub const IDLE_ENDS_CONVERSATION: chrono::Duration = chrono::Duration::hours(1);

/// The figures of one day (or of a whole range). The formulas, next to
/// Chatwoot's reports (which count per conversation the same way):
///
/// - `conversations`: conversations started that day in which the customer
///   wrote at least once (a widget opened and left silent is none).
///   Chatwoot: conversations created.
/// - `messages`: the customer's messages in them.
/// - `handoffs`: those that went to a person (a handoff asked for, or a
///   person taking over unasked); `handoff_rate` = handoffs / conversations.
/// - `resolved_by_bot`: those with no handoff that ended: closed, or idle
///   for [`IDLE_ENDS_CONVERSATION`]. Chatwoot counts resolutions by agents;
///   this is the bot's share.
/// - `first_response_seconds`: the mean, over handed-off conversations a
///   person wrote in, of the time from the handoff to that person's first
///   message. Chatwoot: first response time, from creation to the first
///   agent reply; here the bot answers at once, so the clock starts at
///   the handoff.
/// - `resolution_seconds`: the mean, over closed conversations, of the
///   time from start to closing. Chatwoot: resolution time.
/// - `bookings_made`, `bookings_cancelled`, `bookings_rescheduled`: in
///   those conversations; `no_shows`: bookings starting that day marked as
///   no-shows.
/// - `ratings`, `csat_average` (mean score, 1 to 5) and `csat_satisfied`
///   (share of ratings of 4 or 5: Chatwoot's satisfaction score), over
///   ratings of those conversations.
///
/// Days are the business's calendar days, in its time zone.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DayFigures {
    /// Conversations in which the customer wrote.
    pub conversations: i64,
    /// The customer's messages.
    pub messages: i64,
    /// Conversations handed to a person.
    pub handoffs: i64,
    /// Handoffs per conversation (0 to 1), when there were conversations.
    pub handoff_rate: Option<f64>,
    /// Conversations ended without a person.
    pub resolved_by_bot: i64,
    /// Mean seconds from handoff to a person's first message.
    pub first_response_seconds: Option<f64>,
    /// Mean seconds from start to closing.
    pub resolution_seconds: Option<f64>,
    /// Bookings confirmed.
    pub bookings_made: i64,
    /// Bookings cancelled.
    pub bookings_cancelled: i64,
    /// Bookings moved.
    pub bookings_rescheduled: i64,
    /// Bookings marked as no-shows.
    pub no_shows: i64,
    /// Ratings given.
    pub ratings: i64,
    /// Mean rating (1 to 5).
    pub csat_average: Option<f64>,
    /// Share of ratings of 4 or 5 (0 to 1).
    pub csat_satisfied: Option<f64>,
}

/// One day of a [`Report`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportDay {
    /// The business's calendar day.
    pub day: NaiveDate,
    /// Its figures.
    #[serde(flatten)]
    pub figures: DayFigures,
}

/// A tenant's analytics over a range of days.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// The first day.
    pub from: NaiveDate,
    /// The last day (included).
    pub to: NaiveDate,
    /// The business's time zone the days are in.
    pub time_zone: String,
    /// The whole range.
    pub totals: DayFigures,
    /// Each day, in order, every day of the range present.
    pub days: Vec<ReportDay>,
    /// Intents most often detected.
    pub top_intents: Vec<Count>,
    /// Messages most often left unanswered (each a candidate for a new
    /// knowledge entry).
    pub unanswered: Vec<Count>,
}

/// The longest range a report covers, in days.
pub const MAX_REPORT_DAYS: i64 = 366;

/// The UTC instants `[start, end)` of the business days `from..=to` in `tz`.
pub(crate) fn range_bounds(tz: Tz, from: NaiveDate, to: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
    (local_midnight(tz, from), local_midnight(tz, to.succ_opt().unwrap_or(to)))
}

/// The instant a business day starts in `tz` (the first valid local time
/// on a day whose midnight a clock change skips).
fn local_midnight(tz: Tz, day: NaiveDate) -> DateTime<Utc> {
    use chrono::TimeZone;
    let mut time = day.and_time(NaiveTime::MIN);
    for _ in 0..4 {
        if let Some(at) = tz.from_local_datetime(&time).earliest() {
            return at.with_timezone(&Utc);
        }
        time += chrono::Duration::minutes(30);
    }
    day.and_time(NaiveTime::MIN).and_utc()
}

impl Report {
    /// The report of the days `from..=to` in `tz`, at `now`, from what the
    /// store read for [`range_bounds`] (see [`DayFigures`] for the formulas).
    pub fn compute(
        inputs: ReportInputs,
        tz: Tz,
        from: NaiveDate,
        to: NaiveDate,
        now: DateTime<Utc>,
    ) -> Report {
        let day_of = |at: DateTime<Utc>| at.with_timezone(&tz).date_naive();
        let mut days: Vec<ReportDay> = from
            .iter_days()
            .take_while(|d| *d <= to)
            .map(|day| ReportDay { day, figures: DayFigures::default() })
            .collect();
        let index = |day: NaiveDate| days.binary_search_by_key(&day, |d| d.day).ok();
        let mut sums = vec![Sums::default(); days.len()];
        let mut total = Sums::default();
        for c in inputs.conversations.iter().filter(|c| c.customer_messages > 0) {
            if let Some(i) = index(day_of(c.created_at)) {
                sums[i].add(c, now);
                total.add(c, now);
            }
        }
        for at in &inputs.no_shows {
            if let Some(i) = index(day_of(*at)) {
                sums[i].no_shows += 1;
                total.no_shows += 1;
            }
        }
        for (day, sum) in days.iter_mut().zip(&sums) {
            day.figures = sum.figures();
        }
        Report {
            from,
            to,
            time_zone: tz.name().to_owned(),
            totals: total.figures(),
            days,
            top_intents: inputs.top_intents,
            unanswered: inputs.unanswered,
        }
    }
}

/// Running sums behind one [`DayFigures`].
#[derive(Debug, Clone, Default)]
struct Sums {
    figures: DayFigures,
    no_shows: i64,
    first_responses: Vec<f64>,
    resolutions: Vec<f64>,
    scores: Vec<i32>,
}

impl Sums {
    fn add(&mut self, c: &ConversationFacts, now: DateTime<Utc>) {
        let f = &mut self.figures;
        f.conversations += 1;
        f.messages += c.customer_messages;
        f.bookings_made += c.bookings_made;
        f.bookings_cancelled += c.bookings_cancelled;
        f.bookings_rescheduled += c.bookings_rescheduled;
        match c.handed_off_at {
            Some(handed_off) => {
                f.handoffs += 1;
                if let Some(reply) = c.first_agent_message_at.filter(|at| *at >= handed_off) {
                    self.first_responses.push(seconds(reply - handed_off));
                }
            }
            None => {
                if c.closed_at.is_some() || now - c.updated_at >= IDLE_ENDS_CONVERSATION {
                    f.resolved_by_bot += 1;
                }
            }
        }
        if let Some(closed) = c.closed_at {
            self.resolutions.push(seconds(closed - c.created_at));
        }
        self.scores.extend(c.rating);
    }

    fn figures(&self) -> DayFigures {
        let n = self.figures.conversations;
        let satisfied = self.scores.iter().filter(|s| **s >= 4).count();
        DayFigures {
            handoff_rate: (n > 0).then(|| self.figures.handoffs as f64 / n as f64),
            first_response_seconds: mean(&self.first_responses),
            resolution_seconds: mean(&self.resolutions),
            no_shows: self.no_shows,
            ratings: self.scores.len() as i64,
            csat_average: mean(&self.scores.iter().map(|s| f64::from(*s)).collect::<Vec<_>>()),
            csat_satisfied: (!self.scores.is_empty()).then(|| satisfied as f64 / self.scores.len() as f64),
            ..self.figures.clone()
        }
    }
}

fn seconds(d: chrono::Duration) -> f64 {
    d.num_milliseconds() as f64 / 1000.0
}

fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}
