//! A CalDAV (RFC 4791) calendar collection as a booking [`Calendar`].
//!
//! - busy time: the `free-busy-query` REPORT (section 7.10), which answers
//!   with iCalendar `VFREEBUSY` text;
//! - events: the `calendar-query` REPORT with a `time-range` filter
//!   (section 7.8), which answers with a WebDAV multistatus holding each
//!   event's `calendar-data`;
//! - writes: `PUT {collection}/{uid}.ics` with `If-None-Match: *` to create
//!   (a taken UID is a 412) or `If-Match: *` to replace, and `DELETE`.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use concierge_core::booking::calendar::BusyPeriod;
use concierge_core::booking::{Calendar, CalendarError, CalendarEvent};
use quick_xml::events::Event;
use reqwest::{Method, StatusCode};

use super::ical;

/// How long connecting to the CalDAV server may take.
const CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);
/// How long the server may stay silent while answering.
const READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(15);
/// How long one request may take in all (a booking waits on it).
const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// A calendar collection on a CalDAV server.
#[derive(Debug, Clone)]
pub struct CalDavCalendar {
    http: reqwest::Client,
    /// The collection's URL, ending with '/'.
    collection: String,
    credentials: Option<(String, String)>,
}

impl CalDavCalendar {
    /// The collection at `url` (such as `https://dav.example.com/maria/work/`).
    pub fn new(url: &str) -> Result<Self, CalendarError> {
        let parsed = reqwest::Url::parse(url)
            .map_err(|e| CalendarError::Unreachable(format!("bad calendar URL {url:?}: {e}")))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(CalendarError::Unreachable(format!("calendar URL {url:?} is not http or https")));
        }
        let mut collection = parsed.to_string();
        if !collection.ends_with('/') {
            collection.push('/');
        }
        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .read_timeout(READ_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .build()
            .map_err(|e| CalendarError::Unreachable(format!("cannot build the HTTP client: {e}")))?;
        Ok(CalDavCalendar { http, collection, credentials: None })
    }

    /// Sends HTTP basic credentials with every request.
    pub fn with_basic_auth(mut self, user: &str, password: &str) -> Self {
        self.credentials = Some((user.to_string(), password.to_string()));
        self
    }

    /// The collection's URL.
    pub fn url(&self) -> &str {
        &self.collection
    }

    /// Creates the collection with `MKCALENDAR` (for set-up and tests).
    pub async fn create_collection(&self) -> Result<(), CalendarError> {
        let (status, body) = self.send(self.method("MKCALENDAR")?, &self.collection, &[], None).await?;
        match status {
            StatusCode::CREATED | StatusCode::OK => Ok(()),
            StatusCode::METHOD_NOT_ALLOWED => Err(CalendarError::AlreadyExists(self.collection.clone())),
            _ => Err(refused(status, &body)),
        }
    }

    fn method(&self, name: &str) -> Result<Method, CalendarError> {
        Method::from_bytes(name.as_bytes())
            .map_err(|e| CalendarError::Unreachable(format!("bad method {name}: {e}")))
    }

    fn event_url(&self, uid: &str) -> String {
        format!("{}{}.ics", self.collection, encode_path_segment(uid))
    }

    async fn send(
        &self,
        method: Method,
        url: &str,
        headers: &[(&str, &str)],
        body: Option<(&str, String)>,
    ) -> Result<(StatusCode, String), CalendarError> {
        let mut request = self.http.request(method, url);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some((content_type, body)) = body {
            request = request.header("Content-Type", content_type).body(body);
        }
        if let Some((user, password)) = &self.credentials {
            request = request.basic_auth(user, Some(password));
        }
        let response = request.send().await.map_err(|e| CalendarError::Unreachable(format!("{url}: {e}")))?;
        let status = response.status();
        let text = response.text().await.map_err(|e| CalendarError::Unreachable(format!("{url}: {e}")))?;
        Ok((status, text))
    }

    async fn report(&self, body: String) -> Result<(StatusCode, String), CalendarError> {
        self.send(
            self.method("REPORT")?,
            &self.collection,
            &[("Depth", "1")],
            Some(("application/xml; charset=utf-8", body)),
        )
        .await
    }

    async fn put(
        &self,
        event: &CalendarEvent,
        precondition: (&str, &str),
    ) -> Result<StatusCode, CalendarError> {
        let text = ical::write_event(event, Utc::now());
        let (status, body) = self
            .send(
                Method::PUT,
                &self.event_url(&event.uid),
                &[precondition],
                Some(("text/calendar; charset=utf-8", text)),
            )
            .await?;
        match status {
            StatusCode::CREATED | StatusCode::NO_CONTENT | StatusCode::OK => Ok(status),
            StatusCode::PRECONDITION_FAILED => Err(CalendarError::AlreadyExists(event.uid.clone())),
            _ => Err(refused(status, &body)),
        }
    }
}

#[async_trait]
impl Calendar for CalDavCalendar {
    async fn free_busy(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<BusyPeriod>, CalendarError> {
        let body = format!(
            r#"<?xml version="1.0" encoding="utf-8"?>
<C:free-busy-query xmlns:C="urn:ietf:params:xml:ns:caldav">
  <C:time-range start="{}" end="{}"/>
</C:free-busy-query>"#,
            ical::utc_stamp(from),
            ical::utc_stamp(to)
        );
        let (status, text) = self.report(body).await?;
        if status != StatusCode::OK {
            return Err(refused(status, &text));
        }
        ical::read_free_busy(&text).map_err(|e| CalendarError::Malformed(e.to_string()))
    }

    async fn events(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<CalendarEvent>, CalendarError> {
        let body = format!(
            r#"<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><D:getetag/><C:calendar-data/></D:prop>
  <C:filter>
    <C:comp-filter name="VCALENDAR">
      <C:comp-filter name="VEVENT">
        <C:time-range start="{}" end="{}"/>
      </C:comp-filter>
    </C:comp-filter>
  </C:filter>
</C:calendar-query>"#,
            ical::utc_stamp(from),
            ical::utc_stamp(to)
        );
        let (status, text) = self.report(body).await?;
        if status != StatusCode::MULTI_STATUS {
            return Err(refused(status, &text));
        }
        let mut events = Vec::new();
        for data in calendar_data(&text)? {
            events.extend(ical::read_events(&data).map_err(|e| CalendarError::Malformed(e.to_string()))?);
        }
        events.sort_by(|a, b| (a.start, &a.uid).cmp(&(b.start, &b.uid)));
        Ok(events)
    }

    async fn create_event(&self, event: &CalendarEvent) -> Result<(), CalendarError> {
        self.put(event, ("If-None-Match", "*")).await.map(|_| ())
    }

    async fn update_event(&self, event: &CalendarEvent) -> Result<(), CalendarError> {
        match self.put(event, ("If-Match", "*")).await {
            Ok(_) => Ok(()),
            Err(CalendarError::AlreadyExists(uid)) => Err(CalendarError::NotFound(uid)),
            Err(e) => Err(e),
        }
    }

    async fn delete_event(&self, uid: &str) -> Result<(), CalendarError> {
        let (status, body) = self.send(Method::DELETE, &self.event_url(uid), &[], None).await?;
        match status {
            StatusCode::OK | StatusCode::NO_CONTENT => Ok(()),
            StatusCode::NOT_FOUND => Err(CalendarError::NotFound(uid.to_string())),
            _ => Err(refused(status, &body)),
        }
    }
}

/// The text of every `calendar-data` element in a multistatus answer,
/// whatever namespace prefix the server uses.
fn calendar_data(xml: &str) -> Result<Vec<String>, CalendarError> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut found = Vec::new();
    let mut current: Option<String> = None;
    loop {
        let event = reader.read_event().map_err(|e| CalendarError::Malformed(format!("multistatus: {e}")))?;
        match event {
            Event::Start(e) if e.local_name().as_ref() == b"calendar-data" => {
                current = Some(String::new());
            }
            Event::End(e) if e.local_name().as_ref() == b"calendar-data" => {
                found.extend(current.take());
            }
            Event::Text(t) => {
                if let Some(buf) = current.as_mut() {
                    let text =
                        t.unescape().map_err(|e| CalendarError::Malformed(format!("multistatus: {e}")))?;
                    buf.push_str(&text);
                }
            }
            Event::CData(t) => {
                if let Some(buf) = current.as_mut() {
                    buf.push_str(&String::from_utf8_lossy(&t));
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(found)
}

fn refused(status: StatusCode, body: &str) -> CalendarError {
    let message: String = body.chars().take(200).collect();
    CalendarError::Refused { status: status.as_u16(), message }
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
fn encode_path_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_data_is_found_under_any_prefix_and_unescaped() {
        let xml = r#"<?xml version="1.0"?>
<d:multistatus xmlns:d="DAV:" xmlns:cal="urn:ietf:params:xml:ns:caldav">
 <d:response><d:propstat><d:prop><cal:calendar-data>A &amp; B</cal:calendar-data></d:prop></d:propstat></d:response>
 <d:response><d:propstat><d:prop><cal:calendar-data><![CDATA[C < D]]></cal:calendar-data></d:prop></d:propstat></d:response>
</d:multistatus>"#;
        assert_eq!(calendar_data(xml).unwrap(), ["A & B", "C < D"]);
        assert!(calendar_data("<a><b></a>").is_err());
    }

    #[test]
    fn uids_are_safe_in_paths_and_urls_must_be_http() {
        assert_eq!(encode_path_segment("bk_7hq2mx"), "bk_7hq2mx");
        assert_eq!(encode_path_segment("a/b c@d"), "a%2Fb%20c%40d");
        let cal = CalDavCalendar::new("http://127.0.0.1:5232/bot/cal").unwrap();
        assert_eq!(cal.url(), "http://127.0.0.1:5232/bot/cal/");
        assert!(matches!(CalDavCalendar::new("ftp://example.com/cal/"), Err(CalendarError::Unreachable(_))));
    }
}
