//! The CalDAV client and the booking engine against a real Radicale server
//! started on loopback for each test (`pip install radicale`).

use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Duration, Utc};
use concierge_core::booking::{
    Booker, BookingEngine, BookingRequest, Calendar, CalendarError, CalendarEvent, Customer, SlotQuery,
    StaffPreference,
};
use concierge_core::spec::BusinessSpec;
use concierge_http::calendar::CalDavCalendar;

const SALON: &str = r#"
name: Salon Nova
timezone: America/New_York
hours:
  tuesday: ["09:00-19:00"]
  wednesday: ["09:00-19:00"]
  thursday: ["09:00-19:00"]
  friday: ["09:00-19:00"]
  saturday: ["09:00-19:00"]
policies: { slot_interval_minutes: 30, cancellation_cutoff_hours: 24 }
services:
  - { id: womens_haircut, name: "Women's haircut", duration_minutes: 60 }
  - { id: mens_haircut, name: "Men's haircut", duration_minutes: 30 }
staff:
  - { id: maria, name: Maria }
  - { id: ana, name: Ana }
"#;

/// A Radicale process serving a temporary directory; killed on drop.
struct Radicale {
    child: Child,
    port: u16,
    _data: tempfile::TempDir,
}

impl Radicale {
    fn start() -> Radicale {
        let installed = Command::new("python3")
            .args(["-c", "import radicale"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        assert!(
            installed,
            "Radicale is not installed (or python3 is missing): run `pip install radicale` \
             to run the CalDAV tests"
        );
        let data = tempfile::tempdir().expect("temporary directory");
        let config = data.path().join("config");
        std::fs::write(&config, "").expect("empty config");
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free loopback port")
            .port();
        let log = std::fs::File::create(data.path().join("radicale.log")).expect("log file");
        let child = Command::new("python3")
            .args(["-m", "radicale", "--config"])
            .arg(&config)
            .args(["--server-hosts", &format!("127.0.0.1:{port}")])
            .args(["--auth-type", "none", "--rights-type", "owner_write"])
            .arg("--storage-filesystem-folder")
            .arg(data.path().join("collections"))
            .args(["--logging-level", "warning"])
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("python3 -m radicale starts");
        let mut server = Radicale { child, port, _data: data };
        let deadline = Instant::now() + StdDuration::from_secs(15);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = server.child.try_wait() {
                let log =
                    std::fs::read_to_string(server._data.path().join("radicale.log")).unwrap_or_default();
                panic!("Radicale exited with {status}:\n{log}");
            }
            assert!(Instant::now() < deadline, "Radicale did not start within 15 s");
            std::thread::sleep(StdDuration::from_millis(50));
        }
        server
    }

    /// A new calendar collection owned by user `concierge`.
    async fn calendar(&self, name: &str) -> Arc<CalDavCalendar> {
        let calendar = CalDavCalendar::new(&format!("http://127.0.0.1:{}/concierge/{name}/", self.port))
            .unwrap()
            .with_basic_auth("concierge", "unused");
        calendar.create_collection().await.expect("MKCALENDAR");
        Arc::new(calendar)
    }
}

impl Drop for Radicale {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn engine() -> BookingEngine {
    let spec: BusinessSpec = business_spec(SALON);
    BookingEngine::in_memory(&spec).unwrap()
}

/// The business section as the spec loader reads it.
fn business_spec(business: &str) -> BusinessSpec {
    let indented: String = business.lines().map(|l| format!("  {l}\n")).collect();
    concierge_core::spec::BotSpec::from_yaml(&format!("version: 1\nbusiness:\n{indented}"))
        .expect("fixture loads")
        .business
}

/// Local start times ("HH:MM") of Maria's women's haircut slots on Tuesday 10 March.
async fn marias_starts(engine: &BookingEngine, now: DateTime<Utc>) -> Vec<String> {
    let tz = engine.catalog().timezone();
    let (from, to) =
        engine.catalog().local_days("2026-03-10".parse().unwrap(), "2026-03-10".parse().unwrap()).unwrap();
    let query = SlotQuery {
        service: "womens_haircut".into(),
        from,
        to,
        staff: StaffPreference::Specific("maria".into()),
    };
    engine
        .slots(&query, now)
        .await
        .unwrap()
        .iter()
        .map(|s| s.start.with_timezone(&tz).format("%H:%M").to_string())
        .collect()
}

#[tokio::test]
async fn an_event_in_the_calendar_removes_the_overlapping_slots() {
    let radicale = Radicale::start();
    let calendar = radicale.calendar("maria").await;
    let engine = engine().with_calendar(Some("maria".into()), calendar.clone()).unwrap();
    let now = at("2026-03-02T09:00:00-05:00");
    let before = marias_starts(&engine, now).await;
    assert_eq!(before.len(), 19);

    // Maria's dentist appointment, 10:15 to 11:15 New York time.
    let dentist = CalendarEvent {
        uid: "dentist-1".into(),
        summary: "Dentist".into(),
        description: String::new(),
        start: at("2026-03-10T10:15:00-04:00"),
        end: at("2026-03-10T11:15:00-04:00"),
    };
    calendar.create_event(&dentist).await.unwrap();
    let busy = calendar.free_busy(at("2026-03-10T00:00:00Z"), at("2026-03-11T00:00:00Z")).await.unwrap();
    assert_eq!(busy.len(), 1);
    assert_eq!((busy[0].start, busy[0].end), (dentist.start, dentist.end));

    let after = marias_starts(&engine, now).await;
    let removed: Vec<&String> = before.iter().filter(|s| !after.contains(s)).collect();
    assert_eq!(removed, ["09:30", "10:00", "10:30", "11:00"]);
    assert_eq!(after.len(), 15);

    // Without a preference, Ana takes the hours Maria's calendar blocks.
    let request = BookingRequest {
        service: "womens_haircut".into(),
        start: at("2026-03-10T10:00:00-04:00"),
        staff: None,
    };
    let customer = Customer { name: "Ann".into(), phone: None, email: None };
    let booking = engine.book(&request, &customer, "k1", now).await.unwrap();
    assert_eq!(booking.staff, "ana");
}

#[tokio::test]
async fn a_confirmed_booking_appears_as_an_event_and_leaves_with_its_cancellation() {
    let radicale = Radicale::start();
    let calendar = radicale.calendar("salon").await;
    // The business's calendar: receives every booking.
    let engine = engine().with_calendar(None, calendar.clone()).unwrap();
    let now = at("2026-03-02T09:00:00-05:00");
    let (from, to) = (at("2026-03-10T00:00:00Z"), at("2026-03-12T00:00:00Z"));
    let customer = Customer { name: "Zoë Smith".into(), phone: Some("+15550001".into()), email: None };
    let request = BookingRequest {
        service: "women's haircut".into(),
        start: at("2026-03-10T10:00:00-04:00"),
        staff: Some("maria".into()),
    };
    let booking = engine.book(&request, &customer, "k1", now).await.unwrap();
    let events = calendar.events(from, to).await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].uid, booking.id);
    assert_eq!((events[0].start, events[0].end), (booking.start, booking.end));
    assert_eq!(events[0].summary, "Women's haircut: Zoë Smith");
    assert!(events[0].description.contains(&booking.reference));

    // Its own event is not counted twice: 11:00 right after it is still free
    // for Maria, and Ana is not blocked by it.
    let starts = marias_starts(&engine, now).await;
    assert!(!starts.contains(&"10:00".to_string()));
    assert!(starts.contains(&"11:00".to_string()));
    let for_ana = BookingRequest { staff: Some("ana".into()), ..request.clone() };
    assert!(matches!(
        engine.check(&for_ana, now).await.unwrap(),
        concierge_core::booking::Availability::Available(_)
    ));

    // Moving it replaces the event; cancelling removes it.
    let moved = engine.reschedule(&booking.id, at("2026-03-11T15:00:00-04:00"), "move-1", now).await.unwrap();
    let events = calendar.events(from, to).await.unwrap();
    assert_eq!(
        events.iter().map(|e| (e.uid.as_str(), e.start)).collect::<Vec<_>>(),
        [(moved.id.as_str(), moved.start)]
    );
    engine.cancel(&moved.id, now).await.unwrap();
    assert_eq!(calendar.events(from, to).await.unwrap(), []);
}

#[tokio::test]
async fn writes_are_conditional() {
    let radicale = Radicale::start();
    let calendar = radicale.calendar("plain").await;
    let event = CalendarEvent {
        uid: "meeting 1@salon.example".into(),
        summary: "Meeting".into(),
        description: "Room; 2".into(),
        start: at("2026-03-10T14:00:00Z"),
        end: at("2026-03-10T15:00:00Z"),
    };
    assert_eq!(calendar.update_event(&event).await, Err(CalendarError::NotFound(event.uid.clone())));
    calendar.create_event(&event).await.unwrap();
    assert_eq!(calendar.create_event(&event).await, Err(CalendarError::AlreadyExists(event.uid.clone())));
    let later = CalendarEvent {
        start: event.start + Duration::hours(2),
        end: event.end + Duration::hours(2),
        ..event.clone()
    };
    calendar.update_event(&later).await.unwrap();
    let range = (at("2026-03-10T00:00:00Z"), at("2026-03-11T00:00:00Z"));
    assert_eq!(calendar.events(range.0, range.1).await.unwrap(), [later]);
    // Outside the range, nothing.
    assert_eq!(calendar.events(at("2026-03-11T00:00:00Z"), at("2026-03-12T00:00:00Z")).await.unwrap(), []);
    calendar.delete_event(&event.uid).await.unwrap();
    assert_eq!(calendar.delete_event(&event.uid).await, Err(CalendarError::NotFound(event.uid.clone())));
}
