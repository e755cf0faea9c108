//! Prometheus metrics, in a registry of the server's own (not a process
//! global, so several servers in one test process keep separate counts).
//!
//! Served as text at `GET /metrics`:
//! - `concierge_http_requests_total{route,method,status}` and
//!   `concierge_http_request_duration_seconds{route}` for every request;
//! - per tenant: `concierge_conversations_started_total`,
//!   `concierge_turns_total`, `concierge_intents_total{intent}`,
//!   `concierge_handoffs_total{kind}` (`bot`: the bot handed the
//!   conversation to a person; `takeover`: a person took it over from the
//!   admin API), `concierge_handoff_releases_total` (handed back to the bot),
//!   `concierge_bookings_total{kind}`
//!   (confirmed, cancelled, rescheduled) and
//!   `concierge_rate_limited_total{scope}`;
//! - `concierge_turn_duration_seconds` (engine plus store, per message),
//!   `concierge_websocket_connections` and
//!   `concierge_connections_refused_total` (closed on accept at the
//!   per-address connection cap).

use concierge_core::dialog::Event;
use prometheus::{
    Encoder as _, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, Opts, Registry,
    TextEncoder,
};

/// Latency buckets in seconds: 0.5 ms to 2.5 s.
const BUCKETS: &[f64] = &[0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5];

/// How a conversation came to a person (the `kind` label of
/// `concierge_handoffs_total`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum HandoffKind {
    /// The bot handed the conversation over (asked for, or after failures).
    Bot,
    /// A person took it over from the admin API.
    Takeover,
}

impl HandoffKind {
    /// The label value.
    pub(super) fn label(self) -> &'static str {
        match self {
            HandoffKind::Bot => "bot",
            HandoffKind::Takeover => "takeover",
        }
    }
}

/// The server's metrics.
#[derive(Debug, Clone)]
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    request_seconds: HistogramVec,
    conversations: IntCounterVec,
    turns: IntCounterVec,
    turn_seconds: HistogramVec,
    intents: IntCounterVec,
    handoffs: IntCounterVec,
    releases: IntCounterVec,
    bookings: IntCounterVec,
    rate_limited: IntCounterVec,
    websockets: IntGauge,
    connections_refused: IntCounter,
}

fn counter(registry: &Registry, name: &str, help: &str, labels: &[&str]) -> IntCounterVec {
    let metric = IntCounterVec::new(Opts::new(name, help), labels).expect("valid metric definition");
    registry.register(Box::new(metric.clone())).expect("metric names are unique");
    metric
}

fn histogram(registry: &Registry, name: &str, help: &str, labels: &[&str]) -> HistogramVec {
    let opts = HistogramOpts::new(name, help).buckets(BUCKETS.to_vec());
    let metric = HistogramVec::new(opts, labels).expect("valid metric definition");
    registry.register(Box::new(metric.clone())).expect("metric names are unique");
    metric
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    /// Fresh metrics in a new registry.
    pub fn new() -> Self {
        let registry = Registry::new();
        let websockets = IntGauge::new("concierge_websocket_connections", "Open chat WebSocket connections.")
            .expect("valid metric definition");
        registry.register(Box::new(websockets.clone())).expect("metric names are unique");
        let connections_refused = IntCounter::new(
            "concierge_connections_refused_total",
            "Connections closed on accept because their address held server.max_connections_per_ip.",
        )
        .expect("valid metric definition");
        registry.register(Box::new(connections_refused.clone())).expect("metric names are unique");
        Metrics {
            requests: counter(
                &registry,
                "concierge_http_requests_total",
                "HTTP requests by route, method and status.",
                &["route", "method", "status"],
            ),
            request_seconds: histogram(
                &registry,
                "concierge_http_request_duration_seconds",
                "HTTP request latency by route.",
                &["route"],
            ),
            conversations: counter(
                &registry,
                "concierge_conversations_started_total",
                "Conversations started, by tenant.",
                &["tenant"],
            ),
            turns: counter(&registry, "concierge_turns_total", "Messages handled, by tenant.", &["tenant"]),
            turn_seconds: histogram(
                &registry,
                "concierge_turn_duration_seconds",
                "Time to handle one message (engine and store), by channel.",
                &["channel"],
            ),
            intents: counter(
                &registry,
                "concierge_intents_total",
                "Detected intents, by tenant and intent.",
                &["tenant", "intent"],
            ),
            handoffs: counter(
                &registry,
                "concierge_handoffs_total",
                "Conversations handed to a person, by tenant and kind (bot: the bot asked for \
                 a person; takeover: a person took over from the admin API).",
                &["tenant", "kind"],
            ),
            releases: counter(
                &registry,
                "concierge_handoff_releases_total",
                "Conversations handed back to the bot from the admin API, by tenant.",
                &["tenant"],
            ),
            bookings: counter(
                &registry,
                "concierge_bookings_total",
                "Bookings confirmed, cancelled or rescheduled in conversations, by tenant.",
                &["tenant", "kind"],
            ),
            rate_limited: counter(
                &registry,
                "concierge_rate_limited_total",
                "Requests refused by a rate limit, by tenant.",
                &["tenant"],
            ),
            websockets,
            connections_refused,
            registry,
        }
    }

    /// Counts a finished HTTP request.
    pub fn observe_request(&self, route: &str, method: &str, status: u16, seconds: f64) {
        self.requests.with_label_values(&[route, method, &status.to_string()]).inc();
        self.request_seconds.with_label_values(&[route]).observe(seconds);
    }

    /// Counts a started conversation.
    pub fn conversation_started(&self, tenant: &str) {
        self.conversations.with_label_values(&[tenant]).inc();
    }

    /// Counts a handled message and what happened in it.
    pub fn observe_turn(&self, tenant: &str, channel: &str, events: &[Event], seconds: f64) {
        self.turns.with_label_values(&[tenant]).inc();
        self.turn_seconds.with_label_values(&[channel]).observe(seconds);
        for event in events {
            match event {
                Event::IntentDetected { name, .. } => self.intents.with_label_values(&[tenant, name]).inc(),
                Event::HandoffRequested { .. } => {
                    self.handoffs.with_label_values(&[tenant, HandoffKind::Bot.label()]).inc()
                }
                Event::BookingConfirmed { .. } => {
                    self.bookings.with_label_values(&[tenant, "confirmed"]).inc()
                }
                Event::BookingCancelled { .. } => {
                    self.bookings.with_label_values(&[tenant, "cancelled"]).inc()
                }
                Event::BookingRescheduled { .. } => {
                    self.bookings.with_label_values(&[tenant, "rescheduled"]).inc()
                }
                _ => {}
            }
        }
    }

    /// Counts a person taking a conversation over from the admin API.
    pub fn handoff_taken_over(&self, tenant: &str) {
        self.handoffs.with_label_values(&[tenant, HandoffKind::Takeover.label()]).inc();
    }

    /// Counts a conversation handed back to the bot from the admin API.
    pub fn handoff_released(&self, tenant: &str) {
        self.releases.with_label_values(&[tenant]).inc();
    }

    /// Counts a request refused by a rate limit.
    pub fn rate_limited(&self, tenant: &str) {
        self.rate_limited.with_label_values(&[tenant]).inc();
    }

    /// The open WebSocket gauge.
    pub fn websockets(&self) -> &IntGauge {
        &self.websockets
    }

    /// Connections refused on accept at the per-address cap (counted by the
    /// accept loop, which has no tenant).
    pub fn connections_refused(&self) -> &IntCounter {
        &self.connections_refused
    }

    /// The registry, for metrics defined elsewhere (the admin API).
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Everything in the Prometheus text format.
    pub fn render(&self) -> String {
        let mut buffer = Vec::new();
        // Encoding in-memory families into a Vec cannot fail.
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut buffer);
        String::from_utf8(buffer).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handoffs_are_counted_by_kind_and_releases_apart() {
        let metrics = Metrics::new();
        let asked = [Event::HandoffRequested { reason: "asked".into() }];
        metrics.observe_turn("salon", "http", &asked, 0.001);
        metrics.handoff_taken_over("salon");
        metrics.handoff_taken_over("salon");
        metrics.handoff_released("salon");
        let text = metrics.render();
        assert!(text.contains(r#"concierge_handoffs_total{kind="bot",tenant="salon"} 1"#), "{text}");
        assert!(text.contains(r#"concierge_handoffs_total{kind="takeover",tenant="salon"} 2"#), "{text}");
        assert!(text.contains(r#"concierge_handoff_releases_total{tenant="salon"} 1"#), "{text}");
    }
}
