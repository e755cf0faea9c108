//! Pages and scripts served from memory: the chat widget (`GET
//! /widget.js`), the salon demo page (`GET /`) and the page where an
//! invited user sets a password (`GET /invite`, `GET /invite.js`) and the
//! staff console (`GET /console`, `/console.css`, its ES modules
//! `/console/*.js` from `assets/console/`, and the chart library it draws
//! analytics with, uPlot 1.6.32 from npm, MIT, vendored in
//! `assets/vendor/uplot/`: `/console/uplot.js`, `/console/uplot.css`).
//!
//! The files are compiled into the binary (`include_str!`), so a server
//! needs nothing beside itself to serve them. Each response carries a strong
//! `ETag` (a hash of the file, computed at compile time) and answers a
//! matching `If-None-Match` with 304. The widget may be cached for a few
//! minutes and is then revalidated: its URL has no version in it, so a new
//! release must reach embedding pages without a long wait. The demo page is
//! revalidated on every load.

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

/// One file served from memory.
struct Asset {
    body: &'static str,
    content_type: &'static str,
    cache_control: &'static str,
    etag: &'static str,
}

/// A file of `assets/` served from memory, its ETag computed at compile time.
macro_rules! asset {
    ($name:ident, $file:literal, $content_type:literal, $cache_control:literal) => {
        static $name: Asset = {
            const BODY: &str = include_str!(concat!("../../assets/", $file));
            const ETAG: [u8; 18] = etag_of(BODY);
            Asset {
                body: BODY,
                content_type: $content_type,
                cache_control: $cache_control,
                etag: ascii(&ETAG),
            }
        };
    };
}

asset!(
    WIDGET_JS,
    "widget.js",
    "application/javascript; charset=utf-8",
    "public, max-age=300, must-revalidate"
);
asset!(INDEX_HTML, "index.html", "text/html; charset=utf-8", "no-cache");
asset!(INVITE_HTML, "invite.html", "text/html; charset=utf-8", "no-cache");
asset!(INVITE_JS, "invite.js", "application/javascript; charset=utf-8", "no-cache");
asset!(CONSOLE_HTML, "console.html", "text/html; charset=utf-8", "no-cache");
asset!(CONSOLE_MAIN_JS, "console/main.js", "text/javascript; charset=utf-8", "no-cache");
asset!(CONSOLE_SESSION_JS, "console/session.js", "text/javascript; charset=utf-8", "no-cache");
asset!(CONSOLE_INBOX_JS, "console/inbox.js", "text/javascript; charset=utf-8", "no-cache");
asset!(CONSOLE_ANALYTICS_JS, "console/analytics.js", "text/javascript; charset=utf-8", "no-cache");
asset!(CONSOLE_BOOKINGS_JS, "console/bookings.js", "text/javascript; charset=utf-8", "no-cache");
asset!(CONSOLE_KNOWLEDGE_JS, "console/knowledge.js", "text/javascript; charset=utf-8", "no-cache");
asset!(CONSOLE_SETTINGS_JS, "console/settings.js", "text/javascript; charset=utf-8", "no-cache");
asset!(CONSOLE_CSS, "console.css", "text/css; charset=utf-8", "no-cache");
asset!(UPLOT_JS, "vendor/uplot/uPlot.iife.min.js", "application/javascript; charset=utf-8", "no-cache");
asset!(UPLOT_CSS, "vendor/uplot/uPlot.min.css", "text/css; charset=utf-8", "no-cache");

/// Every page and script, by the path it is served at.
static PAGES: [(&str, &Asset); 15] = [
    ("/widget.js", &WIDGET_JS),
    ("/", &INDEX_HTML),
    ("/invite", &INVITE_HTML),
    ("/invite.js", &INVITE_JS),
    ("/console", &CONSOLE_HTML),
    ("/console.css", &CONSOLE_CSS),
    ("/console/main.js", &CONSOLE_MAIN_JS),
    ("/console/session.js", &CONSOLE_SESSION_JS),
    ("/console/inbox.js", &CONSOLE_INBOX_JS),
    ("/console/analytics.js", &CONSOLE_ANALYTICS_JS),
    ("/console/bookings.js", &CONSOLE_BOOKINGS_JS),
    ("/console/knowledge.js", &CONSOLE_KNOWLEDGE_JS),
    ("/console/settings.js", &CONSOLE_SETTINGS_JS),
    ("/console/uplot.js", &UPLOT_JS),
    ("/console/uplot.css", &UPLOT_CSS),
];

/// The routes of the pages, for any router state.
pub(crate) fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    PAGES.iter().fold(Router::new(), |router, &(path, asset)| {
        router.route(path, get(move |headers: HeaderMap| async move { serve(asset, &headers) }))
    })
}

fn serve(asset: &'static Asset, request: &HeaderMap) -> Response {
    let headers = [
        (header::CONTENT_TYPE, HeaderValue::from_static(asset.content_type)),
        (header::CACHE_CONTROL, HeaderValue::from_static(asset.cache_control)),
        (header::ETAG, HeaderValue::from_static(asset.etag)),
    ];
    if matches_etag(request, asset.etag) {
        return (StatusCode::NOT_MODIFIED, headers).into_response();
    }
    (StatusCode::OK, headers, asset.body).into_response()
}

/// Whether `If-None-Match` names this entity tag (or is `*`). Weak tags
/// (`W/"..."`) match too, as RFC 9110 asks for `If-None-Match`.
fn matches_etag(request: &HeaderMap, etag: &str) -> bool {
    request.get_all(header::IF_NONE_MATCH).iter().filter_map(|v| v.to_str().ok()).any(|list| {
        list.split(',').map(str::trim).any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == etag)
    })
}

/// A quoted entity tag: 16 hex digits of the 64-bit FNV-1a hash of `body`.
const fn etag_of(body: &str) -> [u8; 18] {
    let bytes = body.as_bytes();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u64;
        hash = hash.wrapping_mul(0x0100_0000_01b3);
        i += 1;
    }
    let digits = b"0123456789abcdef";
    let mut tag = [b'"'; 18];
    let mut d = 0;
    while d < 16 {
        tag[1 + d] = digits[((hash >> (60 - 4 * d)) & 0xf) as usize];
        d += 1;
    }
    tag
}

/// The entity tag as text (it is ASCII by construction, so the fallback is never used).
const fn ascii(tag: &'static [u8; 18]) -> &'static str {
    match std::str::from_utf8(tag) {
        Ok(s) => s,
        Err(_) => "\"0\"",
    }
}

#[cfg(test)]
mod tests {
    use axum::body::{to_bytes, Body};
    use axum::http::Request;
    use tower::ServiceExt;

    use super::*;

    async fn get(path: &str, if_none_match: Option<&str>) -> Response {
        let mut request = Request::get(path);
        if let Some(tag) = if_none_match {
            request = request.header(header::IF_NONE_MATCH, tag);
        }
        routes::<()>().oneshot(request.body(Body::empty()).unwrap()).await.unwrap()
    }

    async fn body_text(response: Response) -> String {
        String::from_utf8(to_bytes(response.into_body(), usize::MAX).await.unwrap().to_vec()).unwrap()
    }

    #[tokio::test]
    async fn widget_is_served_as_javascript_with_cache_headers() {
        let response = get("/widget.js", None).await;
        assert_eq!(response.status(), StatusCode::OK);
        let headers = response.headers().clone();
        assert_eq!(headers[header::CONTENT_TYPE], "application/javascript; charset=utf-8");
        assert_eq!(headers[header::CACHE_CONTROL], "public, max-age=300, must-revalidate");
        let etag = headers[header::ETAG].to_str().unwrap().to_owned();
        assert!(etag.len() == 18 && etag.starts_with('"') && etag.ends_with('"'), "{etag}");
        let body = body_text(response).await;
        assert!(body.contains("attachShadow"), "the widget script itself is served");
        assert_eq!(body, WIDGET_JS.body);
    }

    #[tokio::test]
    async fn a_matching_etag_gets_304_without_a_body() {
        let etag = get("/widget.js", None).await.headers()[header::ETAG].to_str().unwrap().to_owned();
        for tag in [etag.clone(), format!("W/{etag}"), format!("\"other\", {etag}"), "*".to_owned()] {
            let response = get("/widget.js", Some(&tag)).await;
            assert_eq!(response.status(), StatusCode::NOT_MODIFIED, "If-None-Match: {tag}");
            assert_eq!(response.headers()[header::ETAG], etag.as_str());
            assert_eq!(body_text(response).await, "");
        }
        let stale = get("/widget.js", Some("\"0000000000000000\"")).await;
        assert_eq!(stale.status(), StatusCode::OK);
    }

    #[tokio::test]
    async fn demo_page_embeds_the_widget_with_the_demo_key() {
        let response = get("/", None).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()[header::CONTENT_TYPE], "text/html; charset=utf-8");
        assert_eq!(response.headers()[header::CACHE_CONTROL], "no-cache");
        let page = body_text(response).await;
        assert!(
            page.contains(r#"<script src="/widget.js" data-tenant="demo-salon" data-key="pk_demo_salon""#)
        );
        assert!(
            page.contains("demo key") || page.contains("demo tenant"),
            "the page says the key is a demo key"
        );
    }

    #[tokio::test]
    async fn the_invitation_page_loads_its_script_from_this_server() {
        let page = get("/invite", None).await;
        assert_eq!(page.headers()[header::CONTENT_TYPE], "text/html; charset=utf-8");
        let page = body_text(page).await;
        assert!(page.contains(r#"<script src="/invite.js"></script>"#));
        assert!(page.contains(r#"<label for="password">"#), "labelled controls");
        let script = get("/invite.js", None).await;
        assert_eq!(script.headers()[header::CONTENT_TYPE], "application/javascript; charset=utf-8");
        assert!(body_text(script).await.contains("/v1/auth/console/invites/accept"));
    }

    #[test]
    fn entity_tags_differ_between_files_and_follow_the_content() {
        assert_ne!(WIDGET_JS.etag, INDEX_HTML.etag);
        assert_ne!(INVITE_HTML.etag, INVITE_JS.etag);
        assert_eq!(etag_of("a"), etag_of("a"));
        assert_ne!(etag_of("a"), etag_of("b"));
        // FNV-1a 64 of the empty string is its offset basis; of "a" a published test vector.
        assert_eq!(&etag_of(""), b"\"cbf29ce484222325\"");
        assert_eq!(&etag_of("a"), b"\"af63dc4c8601ec8c\"");
    }
}
