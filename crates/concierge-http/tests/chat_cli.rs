//! The `concierge chat` command, run as a user would.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn repo(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..").join(path)
}

fn chat(bot: &std::path::Path, now: &str, input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_concierge"))
        .args(["chat", "--bot"])
        .arg(bot)
        .args(["--now", now, "--jsonl"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The command may exit before reading (a bad flag); a broken pipe is then expected.
    let _ = child.stdin.take().unwrap().write_all(input.as_bytes());
    child.wait_with_output().unwrap()
}

const FOUNDATION: &str = "Hi
I'd like to book a women's haircut tomorrow at 3pm
Jane Doe
do you have parking?
+1 415 555 0100
yes
actually I need to cancel that appointment
yes
what's the capital of France?
I want to talk to a person
";

fn events_of(line: &serde_json::Value) -> Vec<&serde_json::Value> {
    line["events"].as_array().unwrap().iter().collect()
}

fn has(line: &serde_json::Value, kind: &str) -> bool {
    events_of(line).iter().any(|e| e["type"] == kind)
}

#[test]
fn the_foundation_conversation() {
    let out = chat(&repo("examples/salon/bot.yaml"), "2026-03-02T09:00:00-05:00", FOUNDATION);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let lines: Vec<serde_json::Value> =
        String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 10);
    for (line, user) in lines.iter().zip(FOUNDATION.lines()) {
        assert_eq!(line["user"], user);
        assert!(!line["replies"].as_array().unwrap().is_empty() || has(line, "handoff_requested"));
    }

    // The parking question is answered, then the phone question comes again.
    let parking = &lines[3];
    let kb: Vec<_> = events_of(parking).into_iter().filter(|e| e["type"] == "kb_answer").collect();
    assert_eq!(kb.len(), 1);
    assert_eq!(kb[0]["id"], "parking");
    let replies = parking["replies"].as_array().unwrap();
    assert_eq!(replies.len(), 2);
    assert!(replies[1]["text"].as_str().unwrap().contains("phone"), "{replies:?}");

    // Exactly one booking, as asked.
    let confirmed: Vec<_> =
        lines.iter().flat_map(events_of).filter(|e| e["type"] == "booking_confirmed").collect();
    assert_eq!(confirmed.len(), 1);
    let booking = &confirmed[0]["booking"];
    assert_eq!(booking["start"], "2026-03-03T15:00:00-05:00");
    assert_eq!(booking["end"], "2026-03-03T16:00:00-05:00");
    assert_eq!(booking["service"], "Women's haircut");
    assert_eq!(booking["customer"]["name"], "Jane Doe");
    assert_eq!(booking["customer"]["phone"], "+14155550100");
    assert!(has(&lines[5], "booking_confirmed"));

    // Then cancelled, by id.
    let cancelled: Vec<_> =
        lines[7]["events"].as_array().unwrap().iter().filter(|e| e["type"] == "booking_cancelled").collect();
    assert_eq!(cancelled.len(), 1);
    assert_eq!(cancelled[0]["booking_id"], booking["id"]);

    assert!(has(&lines[8], "out_of_scope"));
    assert!(lines[8]["intent"].is_null());
    assert!(has(&lines[9], "handoff_requested"));
    assert_eq!(lines[1]["intent"]["name"], "book_appointment");
}

#[test]
fn a_malformed_spec_gives_located_errors_and_a_non_zero_exit() {
    let dir = std::env::temp_dir().join(format!("concierge-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.yaml");
    let salon = std::fs::read_to_string(repo("examples/salon/bot.yaml")).unwrap();
    std::fs::write(&bad, salon.replace("collect: phone", "collect: phon")).unwrap();
    let out = chat(&bad, "2026-03-02T09:00:00-05:00", "Hi\n");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("flows.book.steps[4]: unknown slot \"phon\""), "{stderr}");
    assert!(out.stdout.is_empty());

    std::fs::write(&bad, "flows: [").unwrap();
    let out = chat(&bad, "2026-03-02T09:00:00-05:00", "Hi\n");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr).unwrap().contains("line"));

    let out = chat(&dir.join("missing.yaml"), "2026-03-02T09:00:00-05:00", "Hi\n");
    assert_eq!(out.status.code(), Some(2));
    assert!(!String::from_utf8(out.stderr).unwrap().contains("panicked"));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_bad_clock_is_refused_clearly() {
    let out = chat(&repo("examples/salon/bot.yaml"), "next tuesday", "Hi\n");
    assert!(!out.status.success());
    assert!(String::from_utf8(out.stderr).unwrap().contains("RFC 3339"));
}

#[test]
fn parse_shows_the_ranking_and_resolved_entities() {
    let out = Command::new(env!("CARGO_BIN_EXE_concierge"))
        .args(["parse", "--bot"])
        .arg(repo("examples/salon/bot.yaml"))
        .args(["--now", "2026-03-02T09:00:00-05:00", "I'd like to book a women's haircut tomorrow at 3pm"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let parse: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(parse["intent"]["name"], "book_appointment");
    assert_eq!(parse["intents"].as_array().unwrap().len(), 5);
    let entities = parse["entities"].as_array().unwrap();
    let when = entities.iter().find(|e| e["entity"] == "datetime").unwrap();
    assert_eq!(when["value"]["value"], "2026-03-03T15:00:00-05:00");
    let service = entities.iter().find(|e| e["entity"] == "service").unwrap();
    assert_eq!(service["value"]["value"], "womens_haircut");
}

#[test]
fn eval_knowledge_counts_right_wrong_missed_and_false_answers() {
    let dir = tempfile::tempdir().unwrap();
    let cases = dir.path().join("cases.jsonl");
    std::fs::write(
        &cases,
        [
            r#"{"text": "do you have parking?", "entry": "parking"}"#,
            r#"{"text": "how much is a women's haircut?", "entry": "parking"}"#,
            r#"{"text": "what's the capital of France?", "entry": null}"#,
            r#"{"text": "what's the capital of France?", "entry": "parking"}"#,
            "",
        ]
        .join("\n"),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_concierge"))
        .args(["eval", "knowledge", "--lexical", "--hits", "--format", "json", "--bot"])
        .arg(repo("examples/salon/bot.yaml"))
        .arg("--cases")
        .arg(&cases)
        .args(["--now", "2026-03-02T09:00:00-05:00"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["encoder"], false);
    assert_eq!(
        (&report["questions"], &report["right"], &report["wrong"], &report["missed"]),
        (&3.into(), &1.into(), &1.into(), &1.into())
    );
    assert_eq!((&report["others"], &report["false_answers"]), (&1.into(), &0.into()));
    let cases = report["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 4);
    assert_eq!(cases[0]["hits"]["bm25"][0]["entry"], "parking");
    assert!(cases[0]["hits"].get("dense").is_none());

    // A line that is not a case is named.
    std::fs::write(dir.path().join("bad.jsonl"), "{\"question\": \"parking?\"}\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_concierge"))
        .args(["eval", "knowledge", "--lexical", "--bot"])
        .arg(repo("examples/salon/bot.yaml"))
        .arg("--cases")
        .arg(dir.path().join("bad.jsonl"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("bad.jsonl line 1"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
