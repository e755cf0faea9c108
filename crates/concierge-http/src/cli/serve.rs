//! `concierge serve`: the reference server.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use chrono::{DateTime, Utc};
use concierge_http::server::config::{Overrides, ServerConfig};
use concierge_http::server::{demo, serve, start, telemetry, warm_engines};

use super::chat::parse_now;

/// Arguments of `concierge serve`.
#[derive(Debug, clap::Args)]
pub(crate) struct ServeArgs {
    /// Where to listen (default 127.0.0.1:8080; env CONCIERGE_ADDR).
    #[arg(long)]
    addr: Option<SocketAddr>,
    /// Database URL: sqlite://FILE or postgres://... (default: SQLite in the data directory).
    #[arg(long)]
    database: Option<String>,
    /// Directory for the SQLite file and the generated secret (default ./concierge-data).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Seed the demo salon (tenant demo-salon, key pk_demo_salon) on first start. Demo only.
    #[arg(long)]
    demo: bool,
    /// A TOML configuration file (see the README's Server section).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Fix the clock at this RFC 3339 time (for tests and demos only).
    #[arg(long, value_parser = parse_now)]
    now: Option<DateTime<Utc>>,
    /// The MiniLM model directory: dense search answers paraphrased knowledge questions BM25 is unsure of (env CONCIERGE_MODEL_PATH).
    #[arg(long)]
    model: Option<PathBuf>,
}

pub(crate) fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let overrides = Overrides {
        addr: args.addr,
        database_url: args.database,
        data_dir: args.data_dir,
        demo: args.demo,
        now: args.now,
        model_path: args.model,
    };
    let config = ServerConfig::load(args.config.as_deref(), |name| std::env::var(name).ok(), overrides)?;
    let _log_writer = telemetry::init(config.log_format);
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting tokio")?;
    runtime.block_on(run_server(config))?;
    Ok(ExitCode::SUCCESS)
}

async fn run_server(config: ServerConfig) -> anyhow::Result<()> {
    let addr = config.addr;
    tracing::info!(config = ?config, "configuration (secrets redacted)");
    let (state, seed) = start(config).await?;
    if let Some(seed) = &seed {
        warm_engines(&state, &seed.tenant).await;
    }
    if let Some(seed) = seed {
        if seed.created {
            outln!(
                "demo: tenant {} with publishable key {} (demo only), admin {}",
                demo::DEMO_TENANT,
                demo::DEMO_KEY,
                demo::DEMO_ADMIN_EMAIL
            );
            if let Some(password) = &seed.generated_password {
                outln!("demo: admin password (shown once): {}", password.expose());
            }
        }
    }
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("binding {addr}"))?;
    let local = listener.local_addr()?;
    outln!("listening on http://{local}");
    tracing::info!(addr = %local, backend = state.store.backend(), "listening");
    serve(state, listener, shutdown_signal()).await.context("serving")?;
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
