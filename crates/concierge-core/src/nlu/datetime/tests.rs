//! Behaviour tests: booking phrases, corpus accuracy floors.

use chrono::{NaiveDate, NaiveDateTime};

use super::corpus::{evaluate, parse_example, Example};
use super::*;

fn corpus(text: &str) -> Vec<Example> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| parse_example(l).unwrap())
        .collect()
}

#[test]
fn dev_corpus_debug() {
    let examples = corpus(include_str!("testdata/duckling_en_dev.jsonl"));
    let report = evaluate(&examples, &DateTimeOptions::default());
    for (e, found) in &report.failures {
        println!(
            "FAIL {:?} expected {:?} found {:?}",
            e.text,
            e.expected,
            found
                .iter()
                .map(|m| (&e.text[m.start..m.end], &m.value))
                .collect::<Vec<_>>()
        );
    }
    println!(
        "accuracy {} / {} = {:.3}",
        report.correct,
        report.examples,
        report.accuracy()
    );
}

#[allow(dead_code)]
fn reference() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2013, 2, 12)
        .and_then(|d| d.and_hms_opt(4, 30, 0))
        .unwrap()
}
