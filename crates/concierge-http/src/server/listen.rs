//! The accept loop: hyper's HTTP/1 server under our own control, so a
//! connection is bounded before any request is read.
//!
//! - each client address may hold `server.max_connections_per_ip` open
//!   connections (trusted proxies are exempt); one more is closed at once;
//! - a request's headers must arrive within `server.header_read_timeout`
//!   (counted from the accept for a connection's first request, from the
//!   request's first byte for later ones), and a kept-alive connection
//!   with no request under way is closed after `server.keep_alive_timeout`
//!   ([`Phase`]: hyper's own header timer cannot tell the two apart, as it
//!   starts as soon as hyper waits for a head, so it is off);
//! - the errors hyper answers by itself (a bad request line, headers too
//!   large, a URI too long) go out with the JSON error body, like every
//!   other error ([`JsonErrorsIo`]);
//! - on shutdown, connections finish their in-flight request and close.

use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::StatusCode;
use axum::Router;
use hyper::body::{Body as HttpBody, Frame, SizeHint};
use hyper_util::rt::{TokioIo, TokioTimer};
use prometheus::IntCounter;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;
use tower::ServiceExt;

use super::config::HttpConfig;
use super::error::raw_response;

/// Open connections per client address, and how many were refused since
/// the address last had none open.
#[derive(Debug, Clone, Default)]
struct ConnectionCounts(Arc<Mutex<HashMap<IpAddr, AddressCount>>>);

/// One address's entry in [`ConnectionCounts`].
#[derive(Debug, Clone, Copy, Default)]
struct AddressCount {
    open: usize,
    refused: u64,
}

/// One counted connection; dropping it frees the place.
#[derive(Debug)]
struct ConnectionSlot {
    counts: ConnectionCounts,
    ip: IpAddr,
}

/// A connection refused at the cap; `first` when it is the first since the
/// address last had no connection open (the one worth a warning).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Refused {
    first: bool,
}

impl ConnectionCounts {
    /// A place for one more connection of `ip`, unless it holds `max` already.
    fn acquire(&self, ip: IpAddr, max: usize) -> Result<ConnectionSlot, Refused> {
        let mut counts = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let count = counts.entry(ip).or_default();
        if count.open >= max {
            count.refused += 1;
            return Err(Refused { first: count.refused == 1 });
        }
        count.open += 1;
        Ok(ConnectionSlot { counts: self.clone(), ip })
    }
}

impl Drop for ConnectionSlot {
    fn drop(&mut self) {
        let mut counts = self.counts.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(count) = counts.get_mut(&self.ip) {
            count.open -= 1;
            if count.open == 0 {
                if count.refused > 0 {
                    tracing::info!(
                        client = %self.ip,
                        refused = count.refused,
                        "address has no connection open any more; connections refused at the cap meanwhile"
                    );
                }
                counts.remove(&self.ip);
            }
        }
    }
}

/// What a connection is doing, which decides the timeout that applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Waiting for a request head since the instant: the header-read
    /// timeout applies (a new connection, or bytes of a next request).
    Head(Instant),
    /// A response is out and nothing of a next request has arrived since
    /// the instant: the keep-alive timeout applies.
    Idle(Instant),
    /// This many requests are being handled: the request and body
    /// timeouts apply, not the connection's.
    Busy(usize),
}

/// A connection's [`Phase`], moved along by its reads ([`JsonErrorsIo`])
/// and its requests ([`RequestGuard`]), watched by [`expired`].
#[derive(Debug, Clone)]
struct ConnectionPhase(Arc<watch::Sender<Phase>>);

impl ConnectionPhase {
    /// A connection accepted now.
    fn accepted() -> Self {
        ConnectionPhase(Arc::new(watch::Sender::new(Phase::Head(Instant::now()))))
    }

    /// Bytes arrived: on an idle connection, a next request has begun.
    fn bytes_read(&self) {
        self.0.send_if_modified(|phase| match phase {
            Phase::Idle(_) => {
                *phase = Phase::Head(Instant::now());
                true
            }
            Phase::Head(_) | Phase::Busy(_) => false,
        });
    }

    /// A request head has been read; the request is handled until the
    /// guard is dropped (with its response body, once that is written).
    fn request(&self) -> RequestGuard {
        self.0.send_modify(|phase| {
            *phase = match *phase {
                Phase::Busy(n) => Phase::Busy(n + 1),
                Phase::Head(_) | Phase::Idle(_) => Phase::Busy(1),
            }
        });
        RequestGuard(self.clone())
    }
}

/// One request under way on a connection; dropping it ends the request.
#[derive(Debug)]
struct RequestGuard(ConnectionPhase);

impl Drop for RequestGuard {
    fn drop(&mut self) {
        self.0 .0.send_modify(|phase| {
            *phase = match *phase {
                Phase::Busy(n) if n > 1 => Phase::Busy(n - 1),
                _ => Phase::Idle(Instant::now()),
            }
        });
    }
}

/// A response body that holds its request's [`RequestGuard`] until hyper
/// has written it all and drops it.
#[derive(Debug)]
struct GuardedBody {
    body: Body,
    _guard: RequestGuard,
}

impl HttpBody for GuardedBody {
    type Data = <Body as HttpBody>::Data;
    type Error = <Body as HttpBody>::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.get_mut().body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// Resolves when the connection has stayed in its phase longer than the
/// phase allows, naming the timeout; never while a request is handled.
async fn expired(mut phase: watch::Receiver<Phase>, header: Duration, keep_alive: Duration) -> &'static str {
    loop {
        let deadline = match *phase.borrow_and_update() {
            Phase::Head(since) => Some((since + header, "header read")),
            Phase::Idle(since) => Some((since + keep_alive, "keep-alive")),
            Phase::Busy(_) => None,
        };
        let timer = async {
            match deadline {
                Some((at, which)) => {
                    tokio::time::sleep_until(at).await;
                    which
                }
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            which = timer => return which,
            changed = phase.changed() => {
                if changed.is_err() {
                    // Nothing moves the phase any more (the stream was handed
                    // over by an upgrade): only the current deadline is left.
                    let Some((at, which)) = deadline else { return std::future::pending().await };
                    tokio::time::sleep_until(at).await;
                    return which;
                }
            }
        }
    }
}

/// Serves `app` on `listener` with the limits of `config` until `shutdown`
/// resolves; `on_shutdown` runs then (it tells WebSockets to close), and
/// connections are let finish.
pub(crate) async fn run(
    listener: TcpListener,
    app: Router,
    config: HttpConfig,
    refusals: IntCounter,
    shutdown: impl Future<Output = ()> + Send + 'static,
    on_shutdown: impl FnOnce() + Send,
) -> io::Result<()> {
    let counts = ConnectionCounts::default();
    let (closing, closing_rx) = watch::channel(false);
    let (alive, mut all_done) = mpsc::channel::<()>(1);
    let mut builder = hyper::server::conn::http1::Builder::new();
    // Hyper's header timer is off: `expired` keeps both connection timeouts.
    builder.timer(TokioTimer::new()).header_read_timeout(None).keep_alive(true);
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors and the like: wait rather than spin.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let slot = if config.max_connections_per_ip == 0 || config.is_trusted_proxy(peer.ip()) {
            None
        } else {
            match counts.acquire(peer.ip(), config.max_connections_per_ip) {
                Ok(slot) => Some(slot),
                Err(refused) => {
                    refusals.inc();
                    if refused.first {
                        tracing::warn!(
                            client = %peer.ip(),
                            cap = config.max_connections_per_ip,
                            "connection refused: this address holds server.max_connections_per_ip \
                             connections; further refusals are counted in \
                             concierge_connections_refused_total until its connections close"
                        );
                    }
                    drop(stream);
                    continue;
                }
            }
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let builder = builder.clone();
        let mut closing = closing_rx.clone();
        let alive = alive.clone();
        let (header_timeout, keep_alive_timeout) = (config.header_read_timeout, config.keep_alive_timeout);
        tokio::spawn(async move {
            let phase = ConnectionPhase::accepted();
            let watchdog = expired(phase.0.subscribe(), header_timeout, keep_alive_timeout);
            let requests = phase.clone();
            let service =
                hyper::service::service_fn(move |mut request: hyper::Request<hyper::body::Incoming>| {
                    request.extensions_mut().insert(ConnectInfo(peer));
                    let guard = requests.request();
                    let response = app.clone().oneshot(request);
                    async move {
                        let response = response.await?;
                        Ok::<_, std::convert::Infallible>(
                            response.map(|body| GuardedBody { body, _guard: guard }),
                        )
                    }
                });
            let io = TokioIo::new(JsonErrorsIo { stream, replacing: None, phase });
            let connection = builder.serve_connection(io, service).with_upgrades();
            tokio::pin!(connection, watchdog);
            tokio::select! {
                _ = connection.as_mut() => {}
                which = watchdog.as_mut() => {
                    tracing::debug!(client = %peer.ip(), timeout = which, "connection closed: timed out");
                }
                () = async { let _ = closing.wait_for(|closing| *closing).await; } => {
                    connection.as_mut().graceful_shutdown();
                    tokio::select! {
                        _ = connection => {}
                        _ = watchdog => {}
                    }
                }
            }
            drop(slot);
            drop(alive);
        });
    }
    drop(listener);
    tracing::info!("shutting down: finishing in-flight requests");
    on_shutdown();
    let _ = closing.send(true);
    drop(alive);
    let _ = all_done.recv().await;
    Ok(())
}

/// A client's TCP stream whose writes are passed through, except the
/// empty-bodied error responses hyper writes by itself for requests it
/// cannot parse: those are replaced by the JSON error of their status.
/// Its reads tell the connection's [`Phase`] when a next request begins.
#[derive(Debug)]
struct JsonErrorsIo {
    stream: TcpStream,
    /// The replacement being written, and how much of it is out.
    replacing: Option<(Vec<u8>, usize)>,
    phase: ConnectionPhase,
}

/// The status of a bare error response hyper wrote by itself, if `buf` is one.
fn bare_error_status(buf: &[u8]) -> Option<StatusCode> {
    let status = buf.strip_prefix(b"HTTP/1.1 ")?.get(..3)?;
    let status = StatusCode::from_bytes(status).ok()?;
    let own =
        [StatusCode::BAD_REQUEST, StatusCode::URI_TOO_LONG, StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE];
    let empty = buf.windows(21).any(|w| w.eq_ignore_ascii_case(b"\r\ncontent-length: 0\r\n"));
    (own.contains(&status) && empty && buf.ends_with(b"\r\n\r\n")).then_some(status)
}

impl AsyncRead for JsonErrorsIo {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let read = Pin::new(&mut this.stream).poll_read(cx, buf);
        if matches!(read, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            this.phase.bytes_read();
        }
        read
    }
}

impl AsyncWrite for JsonErrorsIo {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.replacing.is_none() {
            if let Some(status) = bare_error_status(buf) {
                this.replacing = Some((raw_response(status), 0));
            }
        }
        let Some((bytes, written)) = &mut this.replacing else {
            return Pin::new(&mut this.stream).poll_write(cx, buf);
        };
        while *written < bytes.len() {
            match Pin::new(&mut this.stream).poll_write(cx, &bytes[*written..]) {
                Poll::Ready(Ok(0)) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                Poll::Ready(Ok(n)) => *written += n,
                Poll::Ready(Err(error)) => return Poll::Ready(Err(error)),
                Poll::Pending => return Poll::Pending,
            }
        }
        this.replacing = None;
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_bare_parse_errors_are_replaced() {
        let bare = b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\ndate: x\r\n\r\n";
        assert_eq!(bare_error_status(bare), Some(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE));
        let ours =
            b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: 52\r\n\r\n";
        assert_eq!(bare_error_status(ours), None);
        assert_eq!(bare_error_status(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"), None);
    }

    #[test]
    fn the_cap_counts_per_address_and_frees_on_drop() {
        let counts = ConnectionCounts::default();
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        let first = counts.acquire(ip, 2).unwrap();
        let second = counts.acquire(ip, 2).unwrap();
        assert_eq!(counts.acquire(ip, 2).err(), Some(Refused { first: true }));
        assert_eq!(counts.acquire(ip, 2).err(), Some(Refused { first: false }));
        assert!(counts.acquire("10.0.0.2".parse().unwrap(), 2).is_ok());
        drop(first);
        let third = counts.acquire(ip, 2).unwrap();
        // Once the address has nothing open, a new episode warns again.
        drop((second, third));
        let _fourth = counts.acquire(ip, 1).unwrap();
        assert_eq!(counts.acquire(ip, 1).err(), Some(Refused { first: true }));
    }
}
