//! Structured logs: tracing to stderr, one JSON object per line by default,
//! filtered by `RUST_LOG` (default `info`). Every request runs in a span
//! carrying its `request_id` (the `x-request-id` header, generated when
//! absent and echoed in the response).

use tracing_subscriber::EnvFilter;

use super::config::LogFormat;

/// Installs the global subscriber (once; later calls do nothing).
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => builder.json().with_current_span(true).with_span_list(false).try_init(),
        LogFormat::Text => builder.try_init(),
    };
}
