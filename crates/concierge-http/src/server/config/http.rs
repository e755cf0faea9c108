//! The `[server]` section: connection timeouts and caps, the reverse
//! proxies whose client-address headers are believed, and the `/metrics`
//! token.

use std::net::IpAddr;
use std::time::Duration;

use serde::Deserialize;

use super::{invalid, parse_value, ConfigError, Secret};

/// How the server treats connections.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpConfig {
    /// Time allowed for a request's headers to arrive: on a new connection
    /// from the moment it is accepted, on a kept-alive one from the first
    /// byte of the next request.
    pub header_read_timeout: Duration,
    /// Time a kept-alive connection may wait, after a response, for the
    /// first byte of its next request.
    pub keep_alive_timeout: Duration,
    /// Time allowed between two pieces of a request body.
    pub body_read_timeout: Duration,
    /// Time allowed to handle a request (not a WebSocket once open).
    pub request_timeout: Duration,
    /// Open connections allowed per client address (proxies in
    /// `trusted_proxies` are exempt); 0 turns the cap off.
    pub max_connections_per_ip: usize,
    /// A WebSocket with nothing received for this long is closed.
    pub websocket_idle_timeout: Duration,
    /// How often the server pings an open WebSocket.
    pub websocket_ping_interval: Duration,
    /// Reverse proxies (CIDRs) whose client-address header is believed.
    pub trusted_proxies: Vec<Cidr>,
    /// Which header a trusted proxy names the client in.
    pub client_ip_header: ClientIpHeader,
    /// The bearer token `/metrics` requires; without one `/metrics` is 404.
    pub metrics_token: Option<Secret>,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            header_read_timeout: Duration::from_secs(10),
            // Longer than the idle timeouts of common load balancers (AWS ALB:
            // 60 s), so the proxy, not the server, closes a pooled connection
            // and never sends a request on one the server is closing.
            keep_alive_timeout: Duration::from_secs(75),
            body_read_timeout: Duration::from_secs(15),
            request_timeout: Duration::from_secs(60),
            max_connections_per_ip: 64,
            websocket_idle_timeout: Duration::from_secs(300),
            websocket_ping_interval: Duration::from_secs(30),
            trusted_proxies: Vec::new(),
            client_ip_header: ClientIpHeader::default(),
            metrics_token: None,
        }
    }
}

/// The header a trusted proxy puts the client's address in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClientIpHeader {
    /// `X-Forwarded-For: client, proxy1, ...`.
    #[default]
    XForwardedFor,
    /// RFC 7239 `Forwarded: for=client, for=proxy1`.
    Forwarded,
    /// `X-Real-IP: client` (one address, set by the proxy).
    XRealIp,
}

impl std::str::FromStr for ClientIpHeader {
    type Err = ();
    fn from_str(text: &str) -> Result<Self, ()> {
        match text.to_ascii_lowercase().as_str() {
            "x-forwarded-for" => Ok(ClientIpHeader::XForwardedFor),
            "forwarded" => Ok(ClientIpHeader::Forwarded),
            "x-real-ip" => Ok(ClientIpHeader::XRealIp),
            _ => Err(()),
        }
    }
}

/// An address range such as `10.0.0.0/8` or `::1/128` (a bare address is a
/// range of one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

impl Cidr {
    /// Parses `addr[/prefix]`.
    pub fn parse(text: &str) -> Option<Cidr> {
        let (addr, prefix) = match text.trim().split_once('/') {
            Some((addr, prefix)) => (addr.parse::<IpAddr>().ok()?, Some(prefix.parse::<u8>().ok()?)),
            None => (text.trim().parse::<IpAddr>().ok()?, None),
        };
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        (prefix <= max).then_some(Cidr { network: addr, prefix })
    }

    /// Whether `ip` is in the range (an IPv4-mapped IPv6 address counts as IPv4).
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        match (self.network, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(self.prefix)).unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX.checked_shl(128 - u32::from(self.prefix)).unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl HttpConfig {
    /// Whether `ip` is a trusted proxy.
    pub fn is_trusted_proxy(&self, ip: IpAddr) -> bool {
        self.trusted_proxies.iter().any(|cidr| cidr.contains(ip))
    }
}

/// The `[server]` section as written in the file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileHttp {
    header_read_timeout_seconds: Option<u64>,
    keep_alive_timeout_seconds: Option<u64>,
    body_read_timeout_seconds: Option<u64>,
    request_timeout_seconds: Option<u64>,
    max_connections_per_ip: Option<usize>,
    websocket_idle_timeout_seconds: Option<u64>,
    websocket_ping_seconds: Option<u64>,
    trusted_proxies: Option<Vec<String>>,
    client_ip_header: Option<String>,
    metrics_token: Option<Secret>,
}

/// Seconds, 1 to a day.
fn seconds(name: &str, value: u64) -> Result<Duration, ConfigError> {
    if (1..=86_400).contains(&value) {
        Ok(Duration::from_secs(value))
    } else {
        Err(invalid(name, &format!("must be between 1 and 86400 seconds (got {value})")))
    }
}

fn cidrs(name: &str, values: &[String]) -> Result<Vec<Cidr>, ConfigError> {
    values
        .iter()
        .filter(|v| !v.trim().is_empty())
        .map(|v| Cidr::parse(v).ok_or_else(|| invalid(name, &format!("{v:?} is not an address or CIDR"))))
        .collect()
}

fn header(name: &str, value: &str) -> Result<ClientIpHeader, ConfigError> {
    value.parse().map_err(|()| invalid(name, "expected x-forwarded-for, forwarded or x-real-ip"))
}

impl HttpConfig {
    /// Applies the file's `[server]` section.
    pub(super) fn apply_file(&mut self, file: FileHttp) -> Result<(), ConfigError> {
        let key = |k: &str| format!("server.{k}");
        if let Some(v) = file.header_read_timeout_seconds {
            self.header_read_timeout = seconds(&key("header_read_timeout_seconds"), v)?;
        }
        if let Some(v) = file.keep_alive_timeout_seconds {
            self.keep_alive_timeout = seconds(&key("keep_alive_timeout_seconds"), v)?;
        }
        if let Some(v) = file.body_read_timeout_seconds {
            self.body_read_timeout = seconds(&key("body_read_timeout_seconds"), v)?;
        }
        if let Some(v) = file.request_timeout_seconds {
            self.request_timeout = seconds(&key("request_timeout_seconds"), v)?;
        }
        if let Some(v) = file.max_connections_per_ip {
            self.max_connections_per_ip = v;
        }
        if let Some(v) = file.websocket_idle_timeout_seconds {
            self.websocket_idle_timeout = seconds(&key("websocket_idle_timeout_seconds"), v)?;
        }
        if let Some(v) = file.websocket_ping_seconds {
            self.websocket_ping_interval = seconds(&key("websocket_ping_seconds"), v)?;
        }
        if let Some(v) = file.trusted_proxies {
            self.trusted_proxies = cidrs(&key("trusted_proxies"), &v)?;
        }
        if let Some(v) = file.client_ip_header {
            self.client_ip_header = header(&key("client_ip_header"), &v)?;
        }
        if let Some(v) = file.metrics_token {
            self.metrics_token = Some(v).filter(|t| !t.expose().is_empty());
        }
        Ok(())
    }

    /// Applies the `CONCIERGE_*` variables of this section.
    pub(super) fn apply_env(&mut self, get: &impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        let durations: [(&str, &mut Duration); 6] = [
            ("CONCIERGE_HEADER_READ_TIMEOUT_SECONDS", &mut self.header_read_timeout),
            ("CONCIERGE_KEEP_ALIVE_TIMEOUT_SECONDS", &mut self.keep_alive_timeout),
            ("CONCIERGE_BODY_READ_TIMEOUT_SECONDS", &mut self.body_read_timeout),
            ("CONCIERGE_REQUEST_TIMEOUT_SECONDS", &mut self.request_timeout),
            ("CONCIERGE_WEBSOCKET_IDLE_TIMEOUT_SECONDS", &mut self.websocket_idle_timeout),
            ("CONCIERGE_WEBSOCKET_PING_SECONDS", &mut self.websocket_ping_interval),
        ];
        for (name, target) in durations {
            if let Some(v) = get(name) {
                *target = seconds(name, parse_value(name, &v)?)?;
            }
        }
        if let Some(v) = get("CONCIERGE_MAX_CONNECTIONS_PER_IP") {
            self.max_connections_per_ip = parse_value("CONCIERGE_MAX_CONNECTIONS_PER_IP", &v)?;
        }
        if let Some(v) = get("CONCIERGE_TRUSTED_PROXIES") {
            let values: Vec<String> = v.split(',').map(str::to_owned).collect();
            self.trusted_proxies = cidrs("CONCIERGE_TRUSTED_PROXIES", &values)?;
        }
        if let Some(v) = get("CONCIERGE_CLIENT_IP_HEADER") {
            self.client_ip_header = header("CONCIERGE_CLIENT_IP_HEADER", &v)?;
        }
        if let Some(v) = get("CONCIERGE_METRICS_TOKEN") {
            self.metrics_token = Some(Secret::new(v));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidrs_contain_their_addresses_only() {
        let net = Cidr::parse("10.1.0.0/16").unwrap();
        assert!(net.contains("10.1.200.3".parse().unwrap()));
        assert!(!net.contains("10.2.0.1".parse().unwrap()));
        assert!(net.contains("::ffff:10.1.0.9".parse().unwrap()), "IPv4-mapped");
        let one = Cidr::parse("::1").unwrap();
        assert!(one.contains("::1".parse().unwrap()) && !one.contains("::2".parse().unwrap()));
        assert!(Cidr::parse("0.0.0.0/0").unwrap().contains("8.8.8.8".parse().unwrap()));
        for bad in ["10.0.0.0/33", "nonsense", "10.0.0.0/x", ""] {
            assert_eq!(Cidr::parse(bad), None, "{bad}");
        }
    }
}
