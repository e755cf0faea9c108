//! Server configuration: defaults, then an optional TOML file, then
//! `CONCIERGE_`-prefixed environment variables, then command-line flags.
//!
//! Secrets ([`Secret`]) never show in `Debug` output or logs.
//!
//! | file key | environment variable | default |
//! |---|---|---|
//! | `addr` | `CONCIERGE_ADDR` | `127.0.0.1:8080` |
//! | `database_url` | `CONCIERGE_DATABASE_URL` | `sqlite://<data_dir>/concierge.db` |
//! | `data_dir` | `CONCIERGE_DATA_DIR` | `./concierge-data` |
//! | `demo` | `CONCIERGE_DEMO` | `false` |
//! | `now` | `CONCIERGE_NOW` | the real clock (a fixed clock is for tests and demos only) |
//! | `secret_key` | `CONCIERGE_SECRET_KEY` | generated once into `<data_dir>/secret.key` |
//! | `admin_password` | `CONCIERGE_ADMIN_PASSWORD` | generated and printed once (demo only) |
//! | `log_format` | `CONCIERGE_LOG_FORMAT` | `json` (or `text`) |
//! | `model_path` | `CONCIERGE_MODEL_PATH` | none: knowledge questions are matched by BM25 only (a MiniLM directory, see `scripts/fetch-model.sh`, adds dense search's second opinion on paraphrases) |
//! | `limits.ip_per_second` | `CONCIERGE_RATE_IP_PER_SECOND` | 20 (0 turns the limit off) |
//! | `limits.ip_burst` | `CONCIERGE_RATE_IP_BURST` | 40 |
//! | `limits.tenant_per_second` | `CONCIERGE_RATE_TENANT_PER_SECOND` | 1000 (0 turns the limit off) |
//! | `limits.tenant_burst` | `CONCIERGE_RATE_TENANT_BURST` | 2000 |
//! | `limits.body_bytes` | `CONCIERGE_BODY_LIMIT_BYTES` | 16384 (public chat API) |
//! | `auth.access_token_ttl_seconds` | `CONCIERGE_ACCESS_TOKEN_TTL_SECONDS` | 900 (1 to 86400) |
//! | `auth.refresh_token_ttl_seconds` | `CONCIERGE_REFRESH_TOKEN_TTL_SECONDS` | 1209600, 14 days (60 to 31536000, at least the access lifetime) |
//! | `auth.login_attempts_per_minute` | `CONCIERGE_LOGIN_ATTEMPTS_PER_MINUTE` | 5 per client address and email (up to 600) |
//! | `auth.login_burst` | `CONCIERGE_LOGIN_BURST` | 5 attempts at once (1 to 100) |
//! | `auth.login_attempts_per_minute_per_ip` | `CONCIERGE_LOGIN_ATTEMPTS_PER_MINUTE_PER_IP` | 20 per client address, whatever the email (burst 20) |
//! | `auth.login_attempts_per_minute_per_tenant` | `CONCIERGE_LOGIN_ATTEMPTS_PER_MINUTE_PER_TENANT` | 120 per tenant (burst 120) |
//! | `server.header_read_timeout_seconds` | `CONCIERGE_HEADER_READ_TIMEOUT_SECONDS` | 10 (from the connection's start, or from the first byte of a later request) |
//! | `server.keep_alive_timeout_seconds` | `CONCIERGE_KEEP_ALIVE_TIMEOUT_SECONDS` | 75 (an idle connection between requests; above common load balancers' 60) |
//! | `server.body_read_timeout_seconds` | `CONCIERGE_BODY_READ_TIMEOUT_SECONDS` | 15 (between two pieces of a body; 408 after it) |
//! | `server.request_timeout_seconds` | `CONCIERGE_REQUEST_TIMEOUT_SECONDS` | 60 (408 after it) |
//! | `server.max_connections_per_ip` | `CONCIERGE_MAX_CONNECTIONS_PER_IP` | 64 open connections per address (0 turns it off; trusted proxies exempt) |
//! | `server.websocket_idle_timeout_seconds` | `CONCIERGE_WEBSOCKET_IDLE_TIMEOUT_SECONDS` | 300 |
//! | `server.websocket_ping_seconds` | `CONCIERGE_WEBSOCKET_PING_SECONDS` | 30 |
//! | `server.trusted_proxies` | `CONCIERGE_TRUSTED_PROXIES` (comma-separated) | none: the socket address is the client |
//! | `server.client_ip_header` | `CONCIERGE_CLIENT_IP_HEADER` | `x-forwarded-for` (or `forwarded`, `x-real-ip`) |
//! | `server.metrics_token` | `CONCIERGE_METRICS_TOKEN` | none: `/metrics` answers 404 |
//! | `public_url` | `CONCIERGE_PUBLIC_URL` | `http://<addr>`: the base of links the server hands out (invitations) |
//! | `operator_token` | `CONCIERGE_OPERATOR_TOKEN` | none: the operator API (`/v1/operator/...`) answers 404; at least 32 characters |
//!
//! Values out of range (a zero lifetime, a login limit of 0 or an absurd
//! one) stop the server at start with an error naming the key.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Deserialize;

mod auth;
mod http;

pub use auth::AuthConfig;
pub use http::{Cidr, ClientIpHeader, HttpConfig};

/// A secret value: usable through [`Secret::expose`], redacted in `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret itself; do not log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Secret)
    }
}

/// A token bucket's rate: `per_second` requests on average, `burst` at once.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateConfig {
    /// Sustained requests per second; 0 turns the limit off.
    pub per_second: f64,
    /// Requests that may arrive at once.
    pub burst: u32,
}

impl RateConfig {
    /// A limit that never refuses.
    pub const UNLIMITED: RateConfig = RateConfig { per_second: 0.0, burst: 0 };

    /// Whether the limit applies.
    pub fn is_enabled(&self) -> bool {
        self.per_second > 0.0
    }
}

/// Abuse protection settings.
#[derive(Debug, Clone, PartialEq)]
pub struct LimitsConfig {
    /// Per client IP, over the public chat API (messages, conversations, WebSocket messages).
    pub per_ip: RateConfig,
    /// Per tenant, over the same requests.
    pub per_tenant: RateConfig,
    /// The largest request body of the public chat API, in bytes.
    pub body_bytes: usize,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        LimitsConfig {
            per_ip: RateConfig { per_second: 20.0, burst: 40 },
            per_tenant: RateConfig { per_second: 1000.0, burst: 2000 },
            body_bytes: 16 * 1024,
        }
    }
}

/// How logs are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    /// One JSON object per line (for log collectors).
    #[default]
    Json,
    /// Human-readable lines.
    Text,
}

/// Everything `concierge serve` needs.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Where to listen.
    pub addr: SocketAddr,
    /// `sqlite://...` or `postgres://...`; `None` for a SQLite file in `data_dir`.
    pub database_url: Option<String>,
    /// Where the SQLite file and the generated secret live.
    pub data_dir: PathBuf,
    /// Seed the demo tenant on start.
    pub demo: bool,
    /// A fixed clock, for tests and demos only; `None` for the real clock.
    pub now: Option<DateTime<Utc>>,
    /// The server secret; `None` to use (or create) `<data_dir>/secret.key`.
    pub secret_key: Option<Secret>,
    /// The demo admin's password; `None` to generate one.
    pub admin_password: Option<Secret>,
    /// Rate and size limits.
    pub limits: LimitsConfig,
    /// Log format.
    pub log_format: LogFormat,
    /// Staff sessions: token lifetimes and the login rate (admin API).
    pub auth: AuthConfig,
    /// The sentence encoder's directory; `None` for BM25-only knowledge search.
    pub model_path: Option<PathBuf>,
    /// Connections: timeouts, caps, trusted proxies, the metrics token.
    pub http: HttpConfig,
    /// The server's public base URL (`https://chat.example.com`); `None`
    /// for `http://<addr>`.
    pub public_url: Option<String>,
    /// The hosting operator's credential for the operator API; `None` turns
    /// that API off.
    pub operator_token: Option<Secret>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: None,
            data_dir: PathBuf::from("concierge-data"),
            demo: false,
            now: None,
            secret_key: None,
            admin_password: None,
            limits: LimitsConfig::default(),
            log_format: LogFormat::default(),
            auth: AuthConfig::default(),
            model_path: None,
            http: HttpConfig::default(),
            public_url: None,
            operator_token: None,
        }
    }
}

/// What command-line flags set (each wins over the file and the environment).
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--addr`.
    pub addr: Option<SocketAddr>,
    /// `--database`.
    pub database_url: Option<String>,
    /// `--data-dir`.
    pub data_dir: Option<PathBuf>,
    /// `--demo` (only turns the demo on).
    pub demo: bool,
    /// `--now`.
    pub now: Option<DateTime<Utc>>,
    /// `--model`.
    pub model_path: Option<PathBuf>,
}

/// Why the configuration could not be assembled.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config file {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid TOML or has unknown keys.
    #[error("config file {path}: {source}")]
    Parse {
        /// The file.
        path: String,
        /// Why.
        source: Box<toml::de::Error>,
    },
    /// A value (from the file or the environment) makes no sense.
    #[error("{name}: {message}")]
    Invalid {
        /// The key or variable.
        name: String,
        /// What is wrong.
        message: String,
    },
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    addr: Option<String>,
    database_url: Option<String>,
    data_dir: Option<PathBuf>,
    demo: Option<bool>,
    now: Option<String>,
    secret_key: Option<Secret>,
    admin_password: Option<Secret>,
    log_format: Option<LogFormat>,
    model_path: Option<PathBuf>,
    public_url: Option<String>,
    operator_token: Option<Secret>,
    #[serde(default)]
    limits: FileLimits,
    #[serde(default)]
    auth: FileAuth,
    #[serde(default)]
    server: http::FileHttp,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileAuth {
    access_token_ttl_seconds: Option<u64>,
    refresh_token_ttl_seconds: Option<u64>,
    login_attempts_per_minute: Option<f64>,
    login_burst: Option<u32>,
    login_attempts_per_minute_per_ip: Option<f64>,
    login_attempts_per_minute_per_tenant: Option<f64>,
}

/// An auth setting: its names in the file and the environment, and the
/// range it must be in.
#[derive(Debug, Clone, Copy)]
struct AuthKey {
    file: &'static str,
    env: &'static str,
    min: u64,
    max: u64,
}

impl AuthKey {
    /// `value` if it is within range, else an error calling the key `name`.
    fn check(&self, name: &str, value: u64) -> Result<u64, ConfigError> {
        if (self.min..=self.max).contains(&value) {
            Ok(value)
        } else {
            Err(invalid(name, &format!("must be between {} and {} (got {value})", self.min, self.max)))
        }
    }
}

const ACCESS_TTL: AuthKey = AuthKey {
    file: "auth.access_token_ttl_seconds",
    env: "CONCIERGE_ACCESS_TOKEN_TTL_SECONDS",
    min: 1,
    max: 24 * 60 * 60,
};
const REFRESH_TTL: AuthKey = AuthKey {
    file: "auth.refresh_token_ttl_seconds",
    env: "CONCIERGE_REFRESH_TOKEN_TTL_SECONDS",
    min: 60,
    max: 365 * 24 * 60 * 60,
};
/// Attempts per minute; 0 is refused (a login must stay limited).
const LOGIN_RATE: AuthKey = AuthKey {
    file: "auth.login_attempts_per_minute",
    env: "CONCIERGE_LOGIN_ATTEMPTS_PER_MINUTE",
    min: 0,
    max: 600,
};
const LOGIN_RATE_IP: AuthKey = AuthKey {
    file: "auth.login_attempts_per_minute_per_ip",
    env: "CONCIERGE_LOGIN_ATTEMPTS_PER_MINUTE_PER_IP",
    min: 1,
    max: 6000,
};
const LOGIN_RATE_TENANT: AuthKey = AuthKey {
    file: "auth.login_attempts_per_minute_per_tenant",
    env: "CONCIERGE_LOGIN_ATTEMPTS_PER_MINUTE_PER_TENANT",
    min: 1,
    max: 6000,
};
const LOGIN_BURST: AuthKey =
    AuthKey { file: "auth.login_burst", env: "CONCIERGE_LOGIN_BURST", min: 1, max: 100 };

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileLimits {
    ip_per_second: Option<f64>,
    ip_burst: Option<u32>,
    tenant_per_second: Option<f64>,
    tenant_burst: Option<u32>,
    body_bytes: Option<usize>,
}

impl ServerConfig {
    /// Assembles the configuration: defaults, then `file` (if given), then
    /// the environment as `env` reports it, then `overrides`.
    pub fn load(
        file: Option<&Path>,
        env: impl Fn(&str) -> Option<String>,
        overrides: Overrides,
    ) -> Result<ServerConfig, ConfigError> {
        let mut config = ServerConfig::default();
        if let Some(path) = file {
            let shown = path.display().to_string();
            let text = std::fs::read_to_string(path)
                .map_err(|source| ConfigError::Read { path: shown.clone(), source })?;
            let parsed: FileConfig = toml::from_str(&text)
                .map_err(|source| ConfigError::Parse { path: shown, source: Box::new(source) })?;
            config.apply_file(parsed)?;
        }
        config.apply_env(&env)?;
        if let Some(addr) = overrides.addr {
            config.addr = addr;
        }
        if let Some(url) = overrides.database_url {
            config.database_url = Some(url);
        }
        if let Some(dir) = overrides.data_dir {
            config.data_dir = dir;
        }
        config.demo |= overrides.demo;
        if let Some(now) = overrides.now {
            config.now = Some(now);
        }
        if let Some(dir) = overrides.model_path {
            config.model_path = Some(dir);
        }
        config.check()?;
        Ok(config)
    }

    /// The base of links the server hands out: the configured public URL,
    /// else this server's own address.
    pub fn effective_public_url(&self) -> String {
        let url = self.public_url.clone().unwrap_or_else(|| format!("http://{}", self.addr));
        url.trim_end_matches('/').to_owned()
    }

    /// The database URL to open: the configured one or the data directory's SQLite file.
    pub fn effective_database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("concierge.db").display()))
    }

    fn apply_file(&mut self, file: FileConfig) -> Result<(), ConfigError> {
        if let Some(addr) = file.addr {
            self.addr = parse_addr("addr", &addr)?;
        }
        if let Some(now) = file.now {
            self.now = Some(parse_now("now", &now)?);
        }
        self.database_url = file.database_url.or(self.database_url.take());
        self.data_dir = file.data_dir.unwrap_or(std::mem::take(&mut self.data_dir));
        self.demo = file.demo.unwrap_or(self.demo);
        self.secret_key = file.secret_key.or(self.secret_key.take());
        self.admin_password = file.admin_password.or(self.admin_password.take());
        self.log_format = file.log_format.unwrap_or(self.log_format);
        self.model_path = file.model_path.or(self.model_path.take());
        self.public_url = file.public_url.or(self.public_url.take());
        self.operator_token = file.operator_token.or(self.operator_token.take());
        let limits = &mut self.limits;
        limits.per_ip.per_second = file.limits.ip_per_second.unwrap_or(limits.per_ip.per_second);
        limits.per_ip.burst = file.limits.ip_burst.unwrap_or(limits.per_ip.burst);
        limits.per_tenant.per_second = file.limits.tenant_per_second.unwrap_or(limits.per_tenant.per_second);
        limits.per_tenant.burst = file.limits.tenant_burst.unwrap_or(limits.per_tenant.burst);
        limits.body_bytes = file.limits.body_bytes.unwrap_or(limits.body_bytes);
        self.http.apply_file(file.server)?;
        self.apply_auth(file.auth, |key| key.file)
    }

    /// Sets the auth settings present in `values`, checking each against its
    /// range; `name` picks how a setting is named in errors (file key or variable).
    fn apply_auth(
        &mut self,
        values: FileAuth,
        name: fn(&AuthKey) -> &'static str,
    ) -> Result<(), ConfigError> {
        let auth = &mut self.auth;
        if let Some(seconds) = values.access_token_ttl_seconds {
            auth.access_ttl = Duration::from_secs(ACCESS_TTL.check(name(&ACCESS_TTL), seconds)?);
        }
        if let Some(seconds) = values.refresh_token_ttl_seconds {
            auth.refresh_ttl = Duration::from_secs(REFRESH_TTL.check(name(&REFRESH_TTL), seconds)?);
        }
        if let Some(per_minute) = values.login_attempts_per_minute {
            let max = LOGIN_RATE.max as f64;
            if !per_minute.is_finite() || per_minute <= 0.0 || per_minute > max {
                return Err(invalid(
                    name(&LOGIN_RATE),
                    &format!("must be above 0 and at most {max} attempts per minute (got {per_minute})"),
                ));
            }
            auth.login_rate.per_second = per_minute / 60.0;
        }
        for (per_minute, rate, name) in [
            (values.login_attempts_per_minute_per_ip, &mut auth.login_rate_per_ip, name(&LOGIN_RATE_IP)),
            (
                values.login_attempts_per_minute_per_tenant,
                &mut auth.login_rate_per_tenant,
                name(&LOGIN_RATE_TENANT),
            ),
        ] {
            if let Some(per_minute) = per_minute {
                if !per_minute.is_finite() || !(1.0..=6000.0).contains(&per_minute) {
                    return Err(invalid(
                        name,
                        &format!("must be between 1 and 6000 attempts per minute (got {per_minute})"),
                    ));
                }
                *rate = RateConfig { per_second: per_minute / 60.0, burst: per_minute.ceil() as u32 };
            }
        }
        if let Some(burst) = values.login_burst {
            auth.login_rate.burst = LOGIN_BURST.check(name(&LOGIN_BURST), u64::from(burst))? as u32;
        }
        Ok(())
    }

    fn apply_env(&mut self, env: &impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        let get = |name: &str| env(name).filter(|v| !v.is_empty());
        if let Some(v) = get("CONCIERGE_ADDR") {
            self.addr = parse_addr("CONCIERGE_ADDR", &v)?;
        }
        if let Some(v) = get("CONCIERGE_DATABASE_URL") {
            self.database_url = Some(v);
        }
        if let Some(v) = get("CONCIERGE_DATA_DIR") {
            self.data_dir = PathBuf::from(v);
        }
        if let Some(v) = get("CONCIERGE_DEMO") {
            self.demo = parse_value("CONCIERGE_DEMO", &v)?;
        }
        if let Some(v) = get("CONCIERGE_NOW") {
            self.now = Some(parse_now("CONCIERGE_NOW", &v)?);
        }
        if let Some(v) = get("CONCIERGE_SECRET_KEY") {
            self.secret_key = Some(Secret(v));
        }
        if let Some(v) = get("CONCIERGE_ADMIN_PASSWORD") {
            self.admin_password = Some(Secret(v));
        }
        if let Some(v) = get("CONCIERGE_PUBLIC_URL") {
            self.public_url = Some(v);
        }
        if let Some(v) = get("CONCIERGE_OPERATOR_TOKEN") {
            self.operator_token = Some(Secret(v));
        }
        if let Some(v) = get("CONCIERGE_MODEL_PATH") {
            self.model_path = Some(PathBuf::from(v));
        }
        if let Some(v) = get("CONCIERGE_LOG_FORMAT") {
            self.log_format = match v.as_str() {
                "json" => LogFormat::Json,
                "text" => LogFormat::Text,
                _ => return Err(invalid("CONCIERGE_LOG_FORMAT", "expected json or text")),
            };
        }
        let limits = &mut self.limits;
        if let Some(v) = get("CONCIERGE_RATE_IP_PER_SECOND") {
            limits.per_ip.per_second = parse_value("CONCIERGE_RATE_IP_PER_SECOND", &v)?;
        }
        if let Some(v) = get("CONCIERGE_RATE_IP_BURST") {
            limits.per_ip.burst = parse_value("CONCIERGE_RATE_IP_BURST", &v)?;
        }
        if let Some(v) = get("CONCIERGE_RATE_TENANT_PER_SECOND") {
            limits.per_tenant.per_second = parse_value("CONCIERGE_RATE_TENANT_PER_SECOND", &v)?;
        }
        if let Some(v) = get("CONCIERGE_RATE_TENANT_BURST") {
            limits.per_tenant.burst = parse_value("CONCIERGE_RATE_TENANT_BURST", &v)?;
        }
        if let Some(v) = get("CONCIERGE_BODY_LIMIT_BYTES") {
            limits.body_bytes = parse_value("CONCIERGE_BODY_LIMIT_BYTES", &v)?;
        }
        let parse_env = |key: &AuthKey| get(key.env).map(|v| parse_value(key.env, &v)).transpose();
        let auth = FileAuth {
            access_token_ttl_seconds: parse_env(&ACCESS_TTL)?,
            refresh_token_ttl_seconds: parse_env(&REFRESH_TTL)?,
            login_attempts_per_minute: get(LOGIN_RATE.env)
                .map(|v| parse_value(LOGIN_RATE.env, &v))
                .transpose()?,
            login_burst: get(LOGIN_BURST.env).map(|v| parse_value(LOGIN_BURST.env, &v)).transpose()?,
            login_attempts_per_minute_per_ip: get(LOGIN_RATE_IP.env)
                .map(|v| parse_value(LOGIN_RATE_IP.env, &v))
                .transpose()?,
            login_attempts_per_minute_per_tenant: get(LOGIN_RATE_TENANT.env)
                .map(|v| parse_value(LOGIN_RATE_TENANT.env, &v))
                .transpose()?,
        };
        self.http.apply_env(&get)?;
        self.apply_auth(auth, |key| key.env)
    }

    fn check(&self) -> Result<(), ConfigError> {
        for (name, rate) in [("per-IP rate", self.limits.per_ip), ("per-tenant rate", self.limits.per_tenant)]
        {
            if !rate.per_second.is_finite() || rate.per_second < 0.0 {
                return Err(invalid(name, "requests per second must be 0 (off) or positive"));
            }
            if rate.is_enabled() && rate.burst == 0 {
                return Err(invalid(name, "a burst of 0 would refuse every request"));
            }
        }
        if self.auth.refresh_ttl < self.auth.access_ttl {
            return Err(invalid(
                REFRESH_TTL.file,
                "a refresh token must live at least as long as an access token (auth.access_token_ttl_seconds)",
            ));
        }
        if self.limits.body_bytes < 256 {
            return Err(invalid("body limit", "must be at least 256 bytes"));
        }
        if let Some(url) = &self.public_url {
            let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
            if rest.is_none_or(|r| r.is_empty() || r.contains(char::is_whitespace)) {
                return Err(invalid("public URL", "must be an http:// or https:// URL"));
            }
        }
        if self.operator_token.as_ref().is_some_and(|t| t.expose().chars().count() < 32) {
            return Err(invalid(
                "operator token",
                "must be at least 32 characters (e.g. `openssl rand -hex 32`)",
            ));
        }
        if let Some(url) = &self.database_url {
            let known = ["sqlite:", "postgres://", "postgresql://"];
            if !known.iter().any(|p| url.starts_with(p)) {
                return Err(invalid("database URL", "must start with sqlite:// or postgres://"));
            }
        }
        Ok(())
    }
}

fn invalid(name: &str, message: &str) -> ConfigError {
    ConfigError::Invalid { name: name.to_owned(), message: message.to_owned() }
}

fn parse_addr(name: &str, text: &str) -> Result<SocketAddr, ConfigError> {
    text.parse().map_err(|_| invalid(name, "expected an address such as 127.0.0.1:8080"))
}

fn parse_now(name: &str, text: &str) -> Result<DateTime<Utc>, ConfigError> {
    DateTime::parse_from_rfc3339(text)
        .map(|d| d.with_timezone(&Utc))
        .map_err(|_| invalid(name, "expected an RFC 3339 time such as 2026-03-02T09:00:00-05:00"))
}

fn parse_value<T: std::str::FromStr>(name: &str, text: &str) -> Result<T, ConfigError> {
    text.parse().map_err(|_| invalid(name, &format!("cannot use {text:?} here")))
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn the_operator_token_is_long_and_the_public_url_a_url() {
        let load = |vars: &[(&str, &str)]| ServerConfig::load(None, env(vars), Overrides::default());
        let config = load(&[]).unwrap();
        assert!(config.operator_token.is_none());
        assert_eq!(config.effective_public_url(), "http://127.0.0.1:8080");
        let token = "0123456789abcdef0123456789abcdef";
        let config =
            load(&[("CONCIERGE_OPERATOR_TOKEN", token), ("CONCIERGE_PUBLIC_URL", "https://chat.example/")])
                .unwrap();
        assert_eq!(config.operator_token.as_ref().map(Secret::expose), Some(token));
        assert_eq!(config.effective_public_url(), "https://chat.example");
        assert!(matches!(load(&[("CONCIERGE_OPERATOR_TOKEN", "short")]), Err(ConfigError::Invalid { .. })));
        assert!(matches!(
            load(&[("CONCIERGE_PUBLIC_URL", "chat.example")]),
            Err(ConfigError::Invalid { .. })
        ));
    }

    #[test]
    fn flags_win_over_the_environment_which_wins_over_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("concierge.toml");
        std::fs::write(
            &file,
            "addr = \"0.0.0.0:9000\"\ndata_dir = \"/srv/c\"\n[limits]\nip_per_second = 5\nip_burst = 7\n",
        )
        .unwrap();
        let vars = env(&[("CONCIERGE_ADDR", "127.0.0.1:9001"), ("CONCIERGE_SECRET_KEY", "s3cret-value")]);
        let config = ServerConfig::load(Some(&file), &vars, Overrides::default()).unwrap();
        assert_eq!(config.addr.port(), 9001);
        assert_eq!(config.data_dir, PathBuf::from("/srv/c"));
        assert_eq!(config.limits.per_ip, RateConfig { per_second: 5.0, burst: 7 });
        assert_eq!(config.effective_database_url(), "sqlite:///srv/c/concierge.db");
        assert!(!format!("{config:?}").contains("s3cret-value"));

        let flags = Overrides { addr: Some("127.0.0.1:9002".parse().unwrap()), ..Overrides::default() };
        assert_eq!(ServerConfig::load(Some(&file), &vars, flags).unwrap().addr.port(), 9002);
    }

    #[test]
    fn the_model_path_comes_from_the_file_the_environment_or_the_flag() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("concierge.toml");
        std::fs::write(&file, "model_path = \"/models/from-file\"\n").unwrap();
        assert_eq!(ServerConfig::load(None, env(&[]), Overrides::default()).unwrap().model_path, None);
        let from_file = ServerConfig::load(Some(&file), env(&[]), Overrides::default()).unwrap();
        assert_eq!(from_file.model_path, Some(PathBuf::from("/models/from-file")));
        let vars = env(&[("CONCIERGE_MODEL_PATH", "/models/from-env")]);
        let from_env = ServerConfig::load(Some(&file), &vars, Overrides::default()).unwrap();
        assert_eq!(from_env.model_path, Some(PathBuf::from("/models/from-env")));
        let flags = Overrides { model_path: Some(PathBuf::from("/models/flag")), ..Overrides::default() };
        let from_flag = ServerConfig::load(Some(&file), &vars, flags).unwrap();
        assert_eq!(from_flag.model_path, Some(PathBuf::from("/models/flag")));
    }

    #[test]
    fn bad_values_are_refused_with_their_name() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("bad.toml");
        std::fs::write(&file, "adress = \"x\"\n").unwrap();
        assert!(matches!(
            ServerConfig::load(Some(&file), env(&[]), Overrides::default()),
            Err(ConfigError::Parse { .. })
        ));
        let err = ServerConfig::load(None, env(&[("CONCIERGE_RATE_IP_BURST", "many")]), Overrides::default())
            .unwrap_err();
        assert!(err.to_string().contains("CONCIERGE_RATE_IP_BURST"), "{err}");
        let err =
            ServerConfig::load(None, env(&[("CONCIERGE_DATABASE_URL", "mysql://x")]), Overrides::default())
                .unwrap_err();
        assert!(err.to_string().contains("postgres://"), "{err}");
    }

    #[test]
    fn auth_settings_come_from_the_file_and_the_environment() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("concierge.toml");
        std::fs::write(
            &file,
            "[auth]\naccess_token_ttl_seconds = 120\nrefresh_token_ttl_seconds = 3600\n\
             login_attempts_per_minute = 30\nlogin_burst = 9\n",
        )
        .unwrap();
        let config = ServerConfig::load(Some(&file), env(&[]), Overrides::default()).unwrap();
        assert_eq!(config.auth.access_ttl, Duration::from_secs(120));
        assert_eq!(config.auth.refresh_ttl, Duration::from_secs(3600));
        assert_eq!(config.auth.login_rate, RateConfig { per_second: 0.5, burst: 9 });
        let vars = env(&[("CONCIERGE_ACCESS_TOKEN_TTL_SECONDS", "60"), ("CONCIERGE_LOGIN_BURST", "2")]);
        let config = ServerConfig::load(Some(&file), vars, Overrides::default()).unwrap();
        assert_eq!(config.auth.access_ttl, Duration::from_secs(60));
        assert_eq!(config.auth.login_rate.burst, 2);
        // The configuration dump shows them (and still no secret).
        let dump = format!("{config:?}");
        assert!(dump.contains("access_ttl: 60s") && dump.contains("refresh_ttl: 3600s"), "{dump}");
        assert!(dump.contains("burst: 2"), "{dump}");
    }

    #[test]
    fn the_keep_alive_timeout_is_its_own_key() {
        let default = ServerConfig::load(None, env(&[]), Overrides::default()).unwrap();
        assert_eq!(default.http.keep_alive_timeout, Duration::from_secs(75));
        assert_eq!(default.http.header_read_timeout, Duration::from_secs(10));
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("concierge.toml");
        std::fs::write(&file, "[server]\nkeep_alive_timeout_seconds = 20\nheader_read_timeout_seconds = 5\n")
            .unwrap();
        let from_file = ServerConfig::load(Some(&file), env(&[]), Overrides::default()).unwrap();
        assert_eq!(from_file.http.keep_alive_timeout, Duration::from_secs(20));
        assert_eq!(from_file.http.header_read_timeout, Duration::from_secs(5));
        let vars = env(&[("CONCIERGE_KEEP_ALIVE_TIMEOUT_SECONDS", "30")]);
        let from_env = ServerConfig::load(Some(&file), vars, Overrides::default()).unwrap();
        assert_eq!(from_env.http.keep_alive_timeout, Duration::from_secs(30));
        assert_eq!(from_env.http.header_read_timeout, Duration::from_secs(5));
        let err = ServerConfig::load(
            None,
            env(&[("CONCIERGE_KEEP_ALIVE_TIMEOUT_SECONDS", "0")]),
            Overrides::default(),
        )
        .unwrap_err();
        assert!(err.to_string().starts_with("CONCIERGE_KEEP_ALIVE_TIMEOUT_SECONDS"), "{err}");
        std::fs::write(&file, "[server]\nkeep_alive_timeout_seconds = 0\n").unwrap();
        let err = ServerConfig::load(Some(&file), env(&[]), Overrides::default()).unwrap_err();
        assert!(err.to_string().starts_with("server.keep_alive_timeout_seconds"), "{err}");
    }

    #[test]
    fn zero_or_absurd_auth_settings_stop_the_start_naming_the_key() {
        let refused = |vars: &[(&str, &str)]| {
            ServerConfig::load(None, env(vars), Overrides::default()).unwrap_err().to_string()
        };
        for (name, value) in [
            ("CONCIERGE_ACCESS_TOKEN_TTL_SECONDS", "0"),
            ("CONCIERGE_ACCESS_TOKEN_TTL_SECONDS", "31536000"),
            ("CONCIERGE_ACCESS_TOKEN_TTL_SECONDS", "-5"),
            ("CONCIERGE_REFRESH_TOKEN_TTL_SECONDS", "0"),
            ("CONCIERGE_REFRESH_TOKEN_TTL_SECONDS", "999999999999"),
            ("CONCIERGE_LOGIN_ATTEMPTS_PER_MINUTE", "0"),
            ("CONCIERGE_LOGIN_ATTEMPTS_PER_MINUTE", "1000000"),
            ("CONCIERGE_LOGIN_ATTEMPTS_PER_MINUTE", "NaN"),
            ("CONCIERGE_LOGIN_BURST", "0"),
            ("CONCIERGE_LOGIN_BURST", "5000"),
        ] {
            let message = refused(&[(name, value)]);
            assert!(message.starts_with(name), "{name}={value}: {message}");
        }
        let message = refused(&[
            ("CONCIERGE_ACCESS_TOKEN_TTL_SECONDS", "3600"),
            ("CONCIERGE_REFRESH_TOKEN_TTL_SECONDS", "600"),
        ]);
        assert!(message.starts_with("auth.refresh_token_ttl_seconds"), "{message}");

        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("bad.toml");
        std::fs::write(&file, "[auth]\naccess_token_ttl_seconds = 0\n").unwrap();
        let message =
            ServerConfig::load(Some(&file), env(&[]), Overrides::default()).unwrap_err().to_string();
        assert!(message.starts_with("auth.access_token_ttl_seconds"), "{message}");
        std::fs::write(&file, "[auth]\naccess_token_lifetime = 60\n").unwrap();
        assert!(matches!(
            ServerConfig::load(Some(&file), env(&[]), Overrides::default()),
            Err(ConfigError::Parse { .. })
        ));
    }
}
