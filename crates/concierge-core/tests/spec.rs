//! Loading specs: located problems, never a panic.

use concierge_core::spec::BotSpec;

const MINIMAL: &str = r#"
version: 1
business:
  name: Test Salon
  timezone: America/New_York
  hours:
    tuesday: ["09:00-17:00"]
  services:
    - id: cut
      name: Haircut
      duration_minutes: 30
  staff:
    - id: ann
      name: Ann
intents:
  - name: greet
    examples: [hi, hello]
  - name: book
    examples: ["book a [cut](service) [tomorrow](datetime)"]
entities:
  - name: service
    from_services: true
slots:
  - name: service
    type: service
responses:
  ask_service: Which service?
flows:
  - name: book
    triggers: [book]
    steps:
      - collect: service
        prompt: ask_service
"#;

fn problems(yaml: &str) -> Vec<String> {
    match BotSpec::from_yaml(yaml) {
        Ok(_) => Vec::new(),
        Err(e) => e.problems.iter().map(ToString::to_string).collect(),
    }
}

#[test]
fn a_valid_spec_loads_from_yaml_and_json() {
    let spec = BotSpec::from_yaml(MINIMAL).unwrap();
    assert_eq!(spec.business.services[0].duration_minutes, 30);
    let json = serde_json::to_string(&spec).unwrap();
    assert_eq!(BotSpec::from_json(&json).unwrap(), spec);
}

#[test]
fn every_broken_reference_is_reported_with_its_location() {
    let broken = MINIMAL
        .replace("collect: service", "collect: servce")
        .replace("prompt: ask_service", "prompt: ask_srvice")
        .replace("triggers: [book]", "triggers: [boook]")
        .replace("America/New_York", "America/Gotham")
        .replace("[tomorrow](datetime)", "[tomorrow](when)");
    assert_eq!(
        problems(&broken),
        vec![
            "business.timezone: unknown time zone \"America/Gotham\" (use an IANA name such as \"America/New_York\")",
            "intents[1].examples[0]: unknown entity \"when\"",
            "flows.book.triggers[0]: unknown intent \"boook\"",
            "flows.book.steps[0]: unknown slot \"servce\"",
            "flows.book.steps[0].prompt: unknown response \"ask_srvice\"",
        ]
    );
}

#[test]
fn syntax_and_type_errors_name_the_place() {
    let p = problems("flows: [");
    assert_eq!(p.len(), 1);
    assert!(p[0].contains("line"), "{p:?}");

    let p = problems(&MINIMAL.replace("duration_minutes: 30", "duration_minutes: half an hour"));
    assert_eq!(p.len(), 1);
    assert!(p[0].starts_with("business.services[0].duration_minutes: invalid type"), "{p:?}");

    let p = problems(&MINIMAL.replace("version: 1", "version: 7"));
    assert_eq!(p, vec!["version: unsupported version 7 (this library reads version 1)"]);

    let p = problems(&MINIMAL.replace("\"09:00-17:00\"", "\"17:00-09:00\""));
    assert_eq!(p.len(), 1);
    assert!(p[0].contains("business.hours.tuesday[0]") && p[0].contains("ends before it starts"), "{p:?}");
}

#[test]
fn garbage_never_panics() {
    for input in ["", "null", "[]", "42", "version: 1", "{{{{", "\u{0}\u{feff}", "business: {name: 1}"] {
        assert!(BotSpec::from_yaml(input).is_err(), "{input:?}");
        assert!(BotSpec::from_json(input).is_err(), "{input:?}");
    }
}
