//! Tests of the whole extractor on a small salon spec.

use chrono::TimeZone;

use super::*;

const SPEC: &str = r#"
version: 1
business:
  name: Test Salon
  timezone: America/New_York
  hours:
    tuesday: ["09:00-19:00"]
    saturday: ["10:00-16:00"]
  services:
    - id: womens_haircut
      name: Women's haircut
      duration_minutes: 60
      synonyms: [ladies cut]
    - id: mens_haircut
      name: Men's haircut
      duration_minutes: 30
    - id: colour
      name: Colour
      duration_minutes: 120
      synonyms: [color, highlights]
  staff:
    - id: maria
      name: Maria
nlu:
  phone_region: US
entities:
  - name: service
    from_services: true
  - name: stylist
    values:
      - value: maria
        synonyms: [Mari]
  - name: booking_ref
    pattern: "BK-[0-9]{4}"
"#;

fn extractor() -> EntityExtractor {
    let spec = BotSpec::from_yaml(SPEC).expect("valid spec");
    EntityExtractor::new(&spec).expect("extractor")
}

fn now() -> DateTime<Tz> {
    let zone: Tz = "America/New_York".parse().expect("zone");
    zone.with_ymd_and_hms(2026, 11, 24, 10, 0, 0).single().expect("time")
}

fn found(text: &str) -> Vec<(String, String, String)> {
    extractor().extract(text, now()).into_iter().map(|e| (e.entity, e.value.display(), e.text)).collect()
}

fn triple(entity: &str, value: &str, text: &str) -> (String, String, String) {
    (entity.into(), value.into(), text.into())
}

#[test]
fn services_match_however_they_are_written() {
    for text in ["womens haircut", "women's haircut", "Women’s Haircut", "WOMENS HAIRCUT", "womens hiarcut"]
    {
        assert_eq!(found(&format!("a {text} please")), [triple("service", "womens_haircut", text)], "{text}");
    }
    assert_eq!(
        found("ladies cut with Mari"),
        [triple("service", "womens_haircut", "ladies cut"), triple("stylist", "maria", "Mari"),]
    );
    // Longest match first: "men's haircut" is not "haircut" plus something.
    assert_eq!(found("men's haircut"), [triple("service", "mens_haircut", "men's haircut")]);
}

#[test]
fn a_phone_number_is_not_also_numbers() {
    assert_eq!(
        found("my number is (415) 555-0100, 2 people"),
        [triple("phone", "+14155550100", "(415) 555-0100"), triple("number", "2", "2"),]
    );
}

#[test]
fn emails_regexes_and_numbers() {
    assert_eq!(
        found("ref BK-1234 for jo@Example.com, twenty five dollars"),
        [
            triple("booking_ref", "BK-1234", "BK-1234"),
            triple("email", "jo@example.com", "jo@Example.com"),
            triple("number", "25", "twenty five"),
        ]
    );
}

#[test]
fn overlaps_keep_the_longest_then_the_priority() {
    let c = |entity: &str, start, end, value: f64| {
        Candidate::new(entity, EntityValue::Number { value }, start, end)
    };
    let kept =
        resolve_overlaps(vec![c("number", 0, 1, 1.0), c("datetime", 0, 5, 2.0), c("number", 6, 7, 3.0)]);
    let spans: Vec<(usize, usize)> = kept.iter().map(|k| (k.start, k.end)).collect();
    assert_eq!(spans, [(0, 5), (6, 7)]);
    let tie = resolve_overlaps(vec![c("number", 0, 2, 1.0), c("datetime", 0, 2, 2.0)]);
    assert_eq!(tie[0].entity, "datetime");
}

#[test]
fn bad_specs_are_errors() {
    let spec =
        BotSpec::from_yaml(&SPEC.replace("phone_region: US", "phone_region: Mars")).expect("valid spec");
    let err = EntityExtractor::new(&spec).unwrap_err();
    assert_eq!(err.problems[0].path, "nlu.phone_region");
    let mut spec = BotSpec::from_yaml(SPEC).expect("valid spec");
    spec.entities[2].pattern = Some("BK-[".into());
    let err = EntityExtractor::new(&spec).unwrap_err();
    assert_eq!(err.problems[0].path, "entities[2].pattern");
}

#[test]
fn odd_input_never_panics() {
    let e = extractor();
    let long_digits = "1".repeat(10_000);
    let inputs = [
        "",
        " ",
        "\u{0}\u{feff}",
        "🙂🙂🙂 +1 ☎ (",
        "ｗｏｍｅｎ’ｓ ｈａｉｒｃｕｔ",
        "e\u{301}\u{301}\u{301}@x.com",
        &long_digits,
        "99999999999999999999999999999999999999 9.9.9.9 ,,,1,,",
        "+",
        "(((((((((((((((",
        "a@b.c@d.ef",
        "twenty twenty twenty hundred thousand million billion point",
    ];
    for text in inputs {
        for entity in e.extract(text, now()) {
            assert!(text.is_char_boundary(entity.start) && text.is_char_boundary(entity.end));
            assert_eq!(&text[entity.start..entity.end], entity.text);
        }
    }
}

/// The spec with `locale` set and no `nlu.phone_region`.
fn extractor_in(locale: &str) -> EntityExtractor {
    let text = SPEC.replace("nlu:\n  phone_region: US\n", "").replace(
        "  timezone: America/New_York\n",
        &format!("  timezone: America/New_York\n  locale: {locale}\n"),
    );
    let spec = BotSpec::from_yaml(&text).expect("valid spec");
    assert!(spec.nlu.phone_region.is_empty());
    EntityExtractor::new(&spec).expect("extractor")
}

fn values(e: &EntityExtractor, text: &str) -> Vec<(String, String)> {
    e.extract(text, now()).into_iter().map(|e| (e.entity, e.value.display())).collect()
}

#[test]
fn the_locale_sets_the_phone_region_unless_the_spec_does() {
    let london = extractor_in("en-GB");
    let phone = values(&london, "call me on 020 7946 0018");
    assert_eq!(phone, [("phone".to_string(), "+442079460018".to_string())]);
    let us = extractor_in("en-US");
    assert_eq!(values(&us, "(415) 555-0100"), [("phone".to_string(), "+14155550100".to_string())]);
    // An explicit region wins over the locale.
    let text =
        SPEC.replace("  timezone: America/New_York\n", "  timezone: America/New_York\n  locale: en-GB\n");
    let spec = BotSpec::from_yaml(&text).expect("valid spec");
    assert_eq!(spec.nlu.effective_phone_region(&spec.business.locale), "US");
    let explicit = EntityExtractor::new(&spec).expect("extractor");
    assert_eq!(values(&explicit, "(415) 555-0100"), [("phone".to_string(), "+14155550100".to_string())]);
    // A locale without a region (or one the phone data does not know) reads US numbers.
    let default = crate::spec::NluSettings::default();
    assert_eq!(default.effective_phone_region("en"), "US");
    assert_eq!(default.effective_phone_region("en-AU"), "AU");
    let _ = extractor_in("es-419");
}

#[test]
fn the_locale_sets_the_order_of_numeric_dates() {
    let day = |e: &EntityExtractor, text: &str| {
        e.extract(text, now())
            .into_iter()
            .find(|e| e.entity == "datetime")
            .map(|e| e.value.display())
            .unwrap_or_default()
    };
    assert!(day(&extractor_in("en-GB"), "3/12 at 3pm").starts_with("2026-12-03T15:00"));
    assert!(day(&extractor_in("en-AU"), "3/12 at 3pm").starts_with("2026-12-03T15:00"));
    assert!(day(&extractor_in("en-US"), "3/12 at 3pm").starts_with("2027-03-12T15:00"));
    assert!(day(&extractor(), "3/12 at 3pm").starts_with("2027-03-12T15:00"));
}
