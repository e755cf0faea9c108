//! The `concierge test` command, run as a bot author would.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..").join(path)
}

fn concierge_test(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_concierge")).arg("test").args(args).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A test file in a fresh directory, for the salon bot.
fn write_tests(dir: &Path, body: &str) -> PathBuf {
    let path = dir.join("tests.yaml");
    let bot = repo("examples/salon/bot.yaml");
    std::fs::write(&path, format!("bot: {}\nnow: 2026-03-04T10:00:00-05:00\n{body}", bot.display())).unwrap();
    path
}

#[test]
fn every_example_passes_its_tests() {
    // Every `tests.yaml` and `*.tests.yaml` of every example.
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo("examples"))
        .unwrap()
        .filter_map(|e| std::fs::read_dir(e.unwrap().path()).ok())
        .flatten()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n == "tests.yaml" || n.ends_with(".tests.yaml"))
        })
        .collect();
    files.sort();
    assert!(files.len() >= 2, "{files:?}");
    for file in &files {
        let out = concierge_test(&[file.as_os_str()]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}:\n{}{}",
            file.display(),
            text(&out.stdout),
            text(&out.stderr)
        );
        let stdout = text(&out.stdout);
        assert!(stdout.contains(" passed, 0 failed in "), "{stdout}");
    }
    // A directory finds them all.
    let out = concierge_test(&[repo("examples").as_os_str()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    let headers = text(&out.stdout).lines().filter(|l| l.ends_with("bot.yaml)")).count();
    assert_eq!(headers, files.len());
}

const FAILING: &str = r#"
tests:
  - name: passes
    steps:
      - user: do you have parking?
        events: [{type: kb_answer, id: parking}]
  - name: wrong service
    steps:
      - user: I'd like to book a blow dry
        slots: {service: colour}
  - name: never booked
    steps:
      - user: hi
    bookings: [{service: Colour}]
"#;

#[test]
fn a_failing_test_exits_1_with_a_diff_and_the_transcript() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_tests(dir.path(), FAILING);
    let out = concierge_test(&[file.as_os_str()]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    for want in [
        "  ok    passes (",
        "  FAIL  wrong service (",
        "        step 1: user: \"I'd like to book a blow dry\"",
        "          failed:   slots: service = \"colour\"",
        "          actual:   service = \"blow_dry\"",
        "            > I'd like to book a blow dry",
        "              bot: When would you like to come in for your Blow-dry?",
        "  FAIL  never booked (",
        "          failed:   bookings",
        "1 passed, 2 failed in ",
    ] {
        assert!(stdout.contains(want), "missing {want:?} in:\n{stdout}");
    }

    // --filter runs only the matching tests.
    let out = concierge_test(&[file.as_os_str(), "--filter".as_ref(), "PASSES".as_ref()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains("1 passed, 0 failed"));
}

#[test]
fn a_malformed_file_exits_2_naming_the_file_test_and_step() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_tests(
        dir.path(),
        "tests:\n  - name: typo\n    steps:\n      - user: hi\n      - user: do you have parking?\n        evnts: [kb_answer]\n",
    );
    let out = concierge_test(&[file.as_os_str()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains(&format!("{}: invalid test file (1 problem)", file.display())), "{stderr}");
    assert!(stderr.contains("test \"typo\", step 2: tests[0].steps[1]"), "{stderr}");
    assert!(stderr.contains("unknown field `evnts`"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");

    // A bot that cannot be read is an error too, and the other files still run.
    std::fs::write(
        dir.path().join("more.tests.yaml"),
        "bot: nowhere.yaml\ntests:\n  - name: t\n    steps:\n      - user: hi\n",
    )
    .unwrap();
    let out = concierge_test(&[dir.path().as_os_str(), repo("examples/salon/tests.yaml").as_os_str()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("more.tests.yaml: cannot read"), "{stderr}");
    assert!(stderr.contains("nowhere.yaml"), "{stderr}");
    assert!(
        text(&out.stdout).contains("passed, 0 failed, 2 files could not be used"),
        "{}",
        text(&out.stdout)
    );

    // A file that names no bot, with no --bot.
    let bare = dir.path().join("bare.yaml");
    std::fs::write(&bare, "tests:\n  - name: t\n    steps:\n      - user: hi\n").unwrap();
    let out = concierge_test(&[bare.as_os_str()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("names no bot"), "{}", text(&out.stderr));
    // --bot supplies it.
    let bot = repo("examples/salon/bot.yaml");
    let out = concierge_test(&[bare.as_os_str(), "--bot".as_ref(), bot.as_os_str()]);
    assert_eq!(out.status.code(), Some(0), "{}{}", text(&out.stdout), text(&out.stderr));
}

/// Elements of an XML document with their attributes, in document order;
/// fails the test if the XML is not well formed.
fn xml_elements(xml: &str) -> Vec<(String, Vec<(String, String)>)> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut found = Vec::new();
    let mut open = 0i32;
    loop {
        let (e, starts) = match reader.read_event().unwrap() {
            Event::Start(e) => (e, true),
            Event::Empty(e) => (e, false),
            Event::End(_) => {
                open -= 1;
                continue;
            }
            Event::Eof => break,
            _ => continue,
        };
        let attrs = e
            .attributes()
            .map(|a| {
                let a = a.unwrap();
                (
                    String::from_utf8(a.key.as_ref().to_vec()).unwrap(),
                    a.unescape_value().unwrap().into_owned(),
                )
            })
            .collect();
        found.push((String::from_utf8(e.name().as_ref().to_vec()).unwrap(), attrs));
        open += i32::from(starts);
    }
    assert_eq!(open, 0, "unclosed elements in:\n{xml}");
    found
}

fn attr<'a>(element: &'a (String, Vec<(String, String)>), name: &str) -> &'a str {
    element
        .1
        .iter()
        .find(|(k, _)| k == name)
        .map_or_else(|| panic!("no {name} on {element:?}"), |(_, v)| v.as_str())
}

#[test]
fn junit_and_json_reports_count_what_ran() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_tests(dir.path(), FAILING);
    let junit = dir.path().join("report.xml");
    let out = concierge_test(&[
        file.as_os_str(),
        repo("examples/salon/tests.yaml").as_os_str(),
        "--junit".as_ref(),
        junit.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"), "{xml}");
    let elements = xml_elements(&xml);
    let named = |n: &str| elements.iter().filter(move |e| e.0 == n).collect::<Vec<_>>();
    let salon = std::fs::read_to_string(repo("examples/salon/tests.yaml")).unwrap();
    let salon_tests = salon.lines().filter(|l| l.starts_with("  - name: ")).count();

    let root = &named("testsuites")[0];
    assert_eq!(attr(root, "tests"), (3 + salon_tests).to_string());
    assert_eq!(attr(root, "failures"), "2");
    assert_eq!(attr(root, "errors"), "0");
    let suites = named("testsuite");
    assert_eq!(suites.len(), 2);
    assert_eq!(attr(suites[0], "name"), file.display().to_string());
    assert_eq!((attr(suites[0], "tests"), attr(suites[0], "failures")), ("3", "2"));
    assert_eq!(
        (attr(suites[1], "tests"), attr(suites[1], "failures")),
        (salon_tests.to_string().as_str(), "0")
    );
    assert_eq!(named("testcase").len(), 3 + salon_tests);
    let failures = named("failure");
    assert_eq!(failures.len(), 2);
    assert_eq!(attr(failures[0], "message"), "step 1: slots: service = \"colour\"");
    assert_eq!(attr(failures[1], "message"), "bookings");
    for case in named("testcase") {
        assert!(attr(case, "time").parse::<f64>().unwrap() >= 0.0);
    }

    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["passed"], 1 + salon_tests);
    assert_eq!(report["failed"], 2);
    assert_eq!(report["errors"], 0);
    let first = &report["files"][0]["tests"];
    assert_eq!(first[0]["status"], "passed");
    assert_eq!(first[1]["status"], "failed");
    assert_eq!(first[1]["failure"]["step"], 1);
    assert_eq!(first[1]["failure"]["actual"], "service = \"blow_dry\"");

    // A malformed file is an erroring suite in the report.
    std::fs::write(&file, "tests: []\n").unwrap();
    let out = concierge_test(&[file.as_os_str(), "--junit".as_ref(), junit.as_os_str()]);
    assert_eq!(out.status.code(), Some(2));
    let elements = xml_elements(&std::fs::read_to_string(&junit).unwrap());
    let root = elements.iter().find(|e| e.0 == "testsuites").unwrap();
    assert_eq!((attr(root, "tests"), attr(root, "errors")), ("1", "1"));
    let error = elements.iter().find(|e| e.0 == "error").unwrap();
    assert!(attr(error, "message").contains("invalid test file"), "{error:?}");
}
