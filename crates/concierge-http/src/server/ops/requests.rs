//! Request metrics: every request counted and timed by matched route,
//! method and status (`concierge_http_requests_total`, and the duration
//! histogram), as middleware around the whole router.

use crate::server::state::AppState;

/// Middleware counting every request by matched route, method and status.
pub(crate) async fn track_requests(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let started = std::time::Instant::now();
    let route = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = request.method().as_str().to_owned();
    let response = next.run(request).await;
    state.metrics.observe_request(
        &route,
        &method,
        response.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    response
}
