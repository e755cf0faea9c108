//! `concierge parse`, `chat` and `eval intents` with the embedding
//! classifier, run as a user would, on a tiny test encoder written to a
//! temporary directory (the real model is not needed).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use concierge_core::embedding::fixture::tiny_bert;

fn repo(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..").join(path)
}

/// The salon demo set to the embedding classifier, with its model in
/// `model/` beside the spec (`nlu.model_path` is relative to the spec).
fn embedding_salon(dir: &Path) -> PathBuf {
    tiny_bert(7).write_to(&dir.join("model")).unwrap();
    let salon = std::fs::read_to_string(repo("examples/salon/bot.yaml")).unwrap();
    let spec = salon.replace("  classifier: lexical\n", "  classifier: embedding\n  model_path: model\n");
    assert_ne!(spec, salon, "the demo names its classifier");
    let path = dir.join("bot.yaml");
    std::fs::write(&path, spec).unwrap();
    path
}

fn concierge(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_concierge"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    child.wait_with_output().unwrap()
}

const NOW: &str = "2026-03-02T09:00:00-05:00";
const BOOKING: &str = "I'd like to book a women's haircut tomorrow at 3pm";

#[test]
fn parse_and_chat_run_on_the_embedding_classifier() {
    let dir = tempfile::tempdir().unwrap();
    let bot = embedding_salon(dir.path());
    let bot = bot.to_str().unwrap();

    let out = concierge(&["parse", "--bot", bot, "--now", NOW, BOOKING], "");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let parse: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(parse["intent"]["name"], "book_appointment", "{parse:#}");
    let entities = parse["entities"].as_array().unwrap();
    assert!(entities.iter().any(|e| e["entity"] == "datetime"), "{parse:#}");

    let out = concierge(&["chat", "--bot", bot, "--now", NOW, "--jsonl"], &format!("{BOOKING}\n"));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let line: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(line["intent"]["name"], "book_appointment", "{line:#}");
    let events = line["events"].as_array().unwrap();
    assert!(events.iter().any(|e| e["type"] == "flow_started" && e["flow"] == "book"), "{line:#}");
}

#[test]
fn a_missing_model_names_the_fetch_script() {
    let dir = tempfile::tempdir().unwrap();
    let bot = embedding_salon(dir.path());
    let empty = dir.path().join("no-model");
    let out = concierge(
        &["parse", "--bot", bot.to_str().unwrap(), "--model", empty.to_str().unwrap(), BOOKING],
        "",
    );
    assert!(!out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("scripts/fetch-model.sh"), "{stderr}");
    assert!(stderr.contains("no-model"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");

    let train = dir.path().join("train.jsonl");
    std::fs::write(&train, "{\"text\":\"book a haircut\",\"intent\":\"book\"}\n").unwrap();
    let train = train.to_str().unwrap();
    let out = concierge(
        &["eval", "intents", "--train", train, "--test", train, "--classifier", "embedding", "--model"],
        "",
    );
    assert!(!out.status.success());
    let out = concierge(
        &[
            "eval",
            "intents",
            "--train",
            train,
            "--test",
            train,
            "--classifier",
            "embedding",
            "--model",
            empty.to_str().unwrap(),
        ],
        "",
    );
    assert!(!out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("scripts/fetch-model.sh"), "{stderr}");
}

#[test]
fn eval_intents_trains_the_embedding_classifier() {
    let dir = tempfile::tempdir().unwrap();
    tiny_bert(7).write_to(&dir.path().join("model")).unwrap();
    let rows = |pairs: &[(&str, &str)]| -> String {
        pairs.iter().map(|(t, i)| format!("{{\"text\":\"{t}\",\"intent\":\"{i}\"}}\n")).collect()
    };
    let train = rows(&[
        ("book a haircut", "book"),
        ("book a haircut tomorrow", "book"),
        ("book a colour please", "book"),
        ("book my colour", "book"),
        ("book a haircut for tomorrow please", "book"),
        ("cancel my appointment", "cancel"),
        ("cancel the appointment", "cancel"),
        ("cancel my haircut appointment", "cancel"),
        ("cancel my appointment please", "cancel"),
        ("cancel the appointment for tomorrow", "cancel"),
        ("hello", "oos"),
        ("thanks", "oos"),
        ("what", "oos"),
    ]);
    let test = rows(&[
        ("book a haircut please", "book"),
        ("cancel the appointment please", "cancel"),
        ("hello thanks", "oos"),
    ]);
    std::fs::write(dir.path().join("train.jsonl"), train).unwrap();
    std::fs::write(dir.path().join("test.jsonl"), test).unwrap();
    let path = |name: &str| dir.path().join(name).to_str().unwrap().to_owned();
    let out = concierge(
        &[
            "eval",
            "intents",
            "--train",
            &path("train.jsonl"),
            "--test",
            &path("test.jsonl"),
            "--classifier",
            "embedding",
            "--model",
            &path("model"),
            "--format",
            "json",
        ],
        "",
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["classifier"], "embedding");
    assert_eq!(report["train_examples"], 13);
    assert_eq!(report["test_examples"], 3);
    assert_eq!(report["threshold_from"], "train_cross_validation");
    for field in ["in_scope_accuracy", "oos_recall", "oos_precision", "macro_f1", "train_seconds"] {
        assert!(report[field].is_number(), "{field}: {report}");
    }
    assert_eq!(report["in_scope_accuracy"], 1.0, "{report}");
    assert!(report["p50_micros"].as_f64().unwrap() > 0.0);
}
