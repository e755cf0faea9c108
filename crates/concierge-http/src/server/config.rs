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
//! | `model_path` | `CONCIERGE_MODEL_PATH` | none: knowledge search is BM25 only (a MiniLM directory, see `scripts/fetch-model.sh`, makes it hybrid) |
//! | `limits.ip_per_second` | `CONCIERGE_RATE_IP_PER_SECOND` | 20 (0 turns the limit off) |
//! | `limits.ip_burst` | `CONCIERGE_RATE_IP_BURST` | 40 |
//! | `limits.tenant_per_second` | `CONCIERGE_RATE_TENANT_PER_SECOND` | 1000 (0 turns the limit off) |
//! | `limits.tenant_burst` | `CONCIERGE_RATE_TENANT_BURST` | 2000 |
//! | `limits.body_bytes` | `CONCIERGE_BODY_LIMIT_BYTES` | 16384 (public chat API) |

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::Deserialize;

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
    pub auth: super::auth::AuthConfig,
    /// The sentence encoder's directory; `None` for BM25-only knowledge search.
    pub model_path: Option<PathBuf>,
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
            auth: super::auth::AuthConfig::default(),
            model_path: None,
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
    #[serde(default)]
    limits: FileLimits,
}

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
        let limits = &mut self.limits;
        limits.per_ip.per_second = file.limits.ip_per_second.unwrap_or(limits.per_ip.per_second);
        limits.per_ip.burst = file.limits.ip_burst.unwrap_or(limits.per_ip.burst);
        limits.per_tenant.per_second = file.limits.tenant_per_second.unwrap_or(limits.per_tenant.per_second);
        limits.per_tenant.burst = file.limits.tenant_burst.unwrap_or(limits.per_tenant.burst);
        limits.body_bytes = file.limits.body_bytes.unwrap_or(limits.body_bytes);
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
        Ok(())
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
        if self.limits.body_bytes < 256 {
            return Err(invalid("body limit", "must be at least 256 bytes"));
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
}
