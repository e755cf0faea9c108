//! The module's tokio runtime, for the async store.
//!
//! sqlx needs tokio. The module owns one multi-thread runtime, created on
//! first use and kept for the life of the process; calls from Python block
//! on it with the GIL released (never from inside the runtime's own
//! threads, which only run sqlx's background tasks).

use std::future::Future;
use std::sync::OnceLock;

use tokio::runtime::{Builder, Runtime};

use crate::error::Failure;

static RUNTIME: OnceLock<Result<Runtime, String>> = OnceLock::new();

/// Runs `future` to completion on the module's runtime.
pub(crate) fn block_on<T>(future: impl Future<Output = Result<T, Failure>>) -> Result<T, Failure> {
    let runtime = RUNTIME.get_or_init(|| {
        Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("concierge-store")
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the store's runtime: {e}"))
    });
    match runtime {
        Ok(runtime) => runtime.block_on(future),
        Err(message) => Err(Failure::Runtime(message.clone())),
    }
}
