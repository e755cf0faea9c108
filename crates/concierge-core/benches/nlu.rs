//! Speed of the NLU: lexical classification of one message, lexical
//! training, and entity extraction.
//!
//! Uses CLINC150 from `../shared/data` when it is there (the numbers the
//! issue's targets are about), and a small built-in data set otherwise.

// criterion_group! defines an undocumented public function.
#![allow(missing_docs)]

use std::path::Path;

use chrono::TimeZone;
use concierge_core::nlu::entities::EntityExtractor;
use concierge_core::nlu::{IntentClassifier, LexicalClassifier, LexicalConfig, TrainingExample};
use concierge_core::spec::BotSpec;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};

fn clinc_train() -> Option<Vec<TrainingExample>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/clinc150/train.jsonl");
    let text = std::fs::read_to_string(path).ok()?;
    text.lines().map(|l| serde_json::from_str(l).ok()).collect()
}

fn built_in() -> Vec<TrainingExample> {
    let intents = [
        ("book", ["book a haircut", "i want an appointment", "can i come in friday", "schedule me"]),
        ("cancel", ["cancel my booking", "i can't make it", "call off my appointment", "drop it"]),
        ("hours", ["when are you open", "opening hours", "what time do you close", "open sunday?"]),
        ("prices", ["how much is a cut", "price list", "what does colour cost", "is it expensive"]),
    ];
    let mut out = Vec::new();
    for _ in 0..50 {
        for (intent, texts) in intents {
            out.extend(texts.iter().map(|t| TrainingExample { text: t.to_string(), intent: intent.into() }));
        }
    }
    out
}

fn lexical(c: &mut Criterion) {
    let examples = clinc_train().unwrap_or_else(built_in);
    let classifier = LexicalClassifier::train(&examples, &LexicalConfig::default()).expect("trains");
    c.bench_function("lexical_classify", |b| {
        b.iter(|| classifier.classify("can you tell me how to say i love you in french"))
    });
    // Training on a tenth of the data (every tenth example, so all intents stay).
    let subset: Vec<TrainingExample> = examples.iter().step_by(10).cloned().collect();
    let mut group = c.benchmark_group("lexical_train");
    group.sample_size(10);
    group.bench_function("tenth", |b| {
        b.iter_batched(
            || subset.clone(),
            |s| LexicalClassifier::train(&s, &LexicalConfig::default()).expect("trains"),
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

const SPEC: &str = r#"
version: 1
business:
  name: Bench Salon
  timezone: America/New_York
  hours:
    tuesday: ["09:00-19:00"]
  services:
    - id: womens_haircut
      name: Women's haircut
      duration_minutes: 60
      synonyms: [ladies cut, womens cut]
    - id: colour
      name: Colour
      duration_minutes: 120
      synonyms: [color, highlights, balayage]
  staff:
    - id: maria
      name: Maria
entities:
  - name: service
    from_services: true
"#;

fn entities(c: &mut Criterion) {
    let spec = BotSpec::from_yaml(SPEC).expect("valid spec");
    let extractor = EntityExtractor::new(&spec).expect("extractor");
    let zone: chrono_tz::Tz = "America/New_York".parse().expect("zone");
    let now = zone.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).single().expect("time");
    c.bench_function("entities_extract", |b| {
        b.iter(|| extractor.extract("a womens hiarcut for 2 tomorrow at 3pm, call (415) 555-0100", now))
    });
}

fn datetime(c: &mut Criterion) {
    use concierge_core::nlu::datetime::{parse, DateTimeOptions};
    let reference = chrono::NaiveDate::from_ymd_opt(2026, 3, 2)
        .and_then(|d| d.and_hms_opt(9, 0, 0))
        .expect("a valid time");
    let options = DateTimeOptions { prefer_future: true, ..DateTimeOptions::default() };
    let mut group = c.benchmark_group("datetime_parse");
    for (name, text) in [
        ("relative", "can I come in next Friday at 3pm?"),
        ("range", "anything between 2 and 5 the day after tomorrow"),
        ("none", "how much does a women's haircut cost with Maria"),
    ] {
        group.bench_function(name, |b| b.iter(|| parse(text, reference, &options)));
    }
    group.finish();
}

criterion_group!(benches, lexical, entities, datetime);
criterion_main!(benches);
