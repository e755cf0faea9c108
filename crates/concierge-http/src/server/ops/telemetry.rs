//! Structured logs: tracing to stderr, one JSON object per line by default,
//! filtered by `RUST_LOG` (default `info`). Every request runs in a span
//! carrying its `request_id` (the `x-request-id` header, generated when
//! absent and echoed in the response).
//!
//! Lines are written by a background thread, so a request never waits for
//! stderr; none are dropped (a full buffer makes loggers wait instead).

use tracing_appender::non_blocking::{NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::EnvFilter;

use crate::server::config::LogFormat;

/// Installs the global subscriber (once; later calls do nothing). Keep the
/// returned guard until exit: dropping it flushes the remaining lines.
#[must_use = "dropping the guard stops the log writer"]
pub fn init(format: LogFormat) -> WorkerGuard {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let (writer, guard) = NonBlockingBuilder::default().lossy(false).finish(std::io::stderr());
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(writer);
    let _ = match format {
        LogFormat::Json => builder.json().with_current_span(true).with_span_list(false).try_init(),
        LogFormat::Text => builder.try_init(),
    };
    guard
}
