//! `concierge test`: run conversation test files against their bots.
//!
//! The parsing and the runner are `concierge_core::conversation_test`; this
//! command finds and reads the files, builds one runner per bot, times each
//! test, prints the results and writes JUnit or JSON reports.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::Utc;
use concierge_core::conversation_test::{TestFailure, TestFile, TestRunner};
use serde_json::{json, Value};

use super::bot_file::{load_spec, nlu_for};
use super::Format;

/// Arguments of `concierge test`.
#[derive(Debug, clap::Args)]
pub(crate) struct TestArgs {
    /// Test files, or directories searched (recursively) for `tests.yaml`
    /// and `*.tests.yaml` files.
    #[arg(required = true, value_name = "FILE_OR_DIR")]
    paths: Vec<PathBuf>,
    /// The bot spec to test, instead of the one each file names with `bot:`.
    #[arg(long)]
    bot: Option<PathBuf>,
    /// Also write a JUnit XML report here.
    #[arg(long, value_name = "PATH")]
    junit: Option<PathBuf>,
    /// `text` for people, `json` for one report object on stdout.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
    /// Run only the tests whose name contains this text (ignoring case).
    #[arg(long, value_name = "NAME")]
    filter: Option<String>,
    /// Directory of the sentence encoder, for bots with `nlu.classifier: embedding`.
    #[arg(long)]
    model: Option<PathBuf>,
}

/// The results of one test file.
struct FileReport {
    path: PathBuf,
    bot: Option<PathBuf>,
    /// Why the file could not be run, if it could not.
    error: Option<String>,
    tests: Vec<CaseReport>,
}

/// The result of one test.
struct CaseReport {
    name: String,
    time: Duration,
    failure: Option<TestFailure>,
}

pub(crate) fn run(args: TestArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let mut reports = Vec::new();
    for path in &args.paths {
        match test_files(path) {
            Ok(files) if files.is_empty() => reports.push(FileReport {
                path: path.clone(),
                bot: None,
                error: Some("no tests.yaml or *.tests.yaml files here".into()),
                tests: Vec::new(),
            }),
            Ok(files) => reports.extend(files.into_iter().map(|p| FileReport {
                path: p,
                bot: None,
                error: None,
                tests: Vec::new(),
            })),
            Err(e) => reports.push(FileReport {
                path: path.clone(),
                bot: None,
                error: Some(format!("{e:#}")),
                tests: Vec::new(),
            }),
        }
    }
    let filter = args.filter.as_deref().map(str::to_lowercase);
    let mut runners: BTreeMap<PathBuf, TestRunner> = BTreeMap::new();
    for report in reports.iter_mut().filter(|r| r.error.is_none()) {
        if let Err(e) = run_file(report, &args, filter.as_deref(), &mut runners) {
            report.error = Some(format!("{e:#}"));
        }
    }
    let elapsed = started.elapsed();

    let errors = reports.iter().filter(|r| r.error.is_some()).count();
    let failed = reports.iter().flat_map(|r| &r.tests).filter(|t| t.failure.is_some()).count();
    let total: usize = reports.iter().map(|r| r.tests.len()).sum();
    if let Some(path) = &args.junit {
        std::fs::write(path, junit(&reports, elapsed))
            .with_context(|| format!("writing {}", path.display()))?;
    }
    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Json => writeln!(out, "{}", report_json(&reports, elapsed))?,
        Format::Text => print_text(&mut out, &reports, elapsed)?,
    }
    for r in &reports {
        if let Some(e) = &r.error {
            eprintln!("{}: {e}", r.path.display());
        }
    }
    Ok(if errors > 0 {
        ExitCode::from(2)
    } else if failed > 0 {
        ExitCode::from(1)
    } else if total == 0 {
        eprintln!("no test matches --filter {:?}", args.filter.as_deref().unwrap_or(""));
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Runs the tests of one file into `report`; an error means the file or
/// its bot could not be used.
fn run_file(
    report: &mut FileReport,
    args: &TestArgs,
    filter: Option<&str>,
    runners: &mut BTreeMap<PathBuf, TestRunner>,
) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(&report.path)
        .with_context(|| format!("cannot read {}", report.path.display()))?;
    let file = TestFile::from_yaml(&text)?;
    let bot = match (&args.bot, &file.bot) {
        (Some(bot), _) => bot.clone(),
        (None, Some(bot)) => report.path.parent().unwrap_or(Path::new(".")).join(bot),
        (None, None) => {
            anyhow::bail!("the file names no bot: add `bot: bot.yaml` (relative to the file) or pass --bot")
        }
    };
    report.bot = Some(bot.clone());
    let key = bot.canonicalize().unwrap_or_else(|_| bot.clone());
    if !runners.contains_key(&key) {
        let mut spec = load_spec(&bot)?;
        super::kb::merge_knowledge_file(&bot, &mut spec)?;
        let nlu = nlu_for(&spec, &bot, args.model.as_deref())?;
        let runner = TestRunner::new(spec, Some(nlu)).with_context(|| format!("{}", bot.display()))?;
        runners.insert(key.clone(), runner);
    }
    let runner = runners.get_mut(&key).context("the runner was just built")?;
    for case in &file.tests {
        if filter.is_some_and(|f| !case.name.to_lowercase().contains(f)) {
            continue;
        }
        let started = Instant::now();
        let outcome = futures::executor::block_on(runner.run(case, Utc::now()));
        report.tests.push(CaseReport {
            name: outcome.name,
            time: started.elapsed(),
            failure: outcome.failure,
        });
    }
    Ok(())
}

/// `path` itself, or the test files under it in name order.
fn test_files(path: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let meta = std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?;
    if meta.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut found = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
        .with_context(|| format!("cannot read {}", path.display()))?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    entries.sort();
    for entry in entries {
        let name = entry.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with('.') || name == "target" || name == "node_modules" {
            continue;
        }
        if entry.is_dir() {
            found.extend(test_files(&entry)?);
        } else if is_test_file(name) {
            found.push(entry);
        }
    }
    Ok(found)
}

fn is_test_file(name: &str) -> bool {
    ["tests.yaml", "tests.yml"].contains(&name)
        || name.ends_with(".tests.yaml")
        || name.ends_with(".tests.yml")
}

fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1e5).round() / 1e2
}

/// One line per failure: where and which expectation.
fn headline(f: &TestFailure) -> String {
    match f.step {
        Some(i) => format!("step {}: {}", i + 1, f.expectation),
        None => f.expectation.clone(),
    }
}

fn print_text(
    out: &mut impl std::io::Write,
    reports: &[FileReport],
    elapsed: Duration,
) -> std::io::Result<()> {
    let (mut passed, mut failed) = (0, 0);
    for r in reports {
        match (&r.error, &r.bot) {
            (Some(_), _) => writeln!(out, "{}: ERROR (see below)", r.path.display())?,
            (None, Some(bot)) => writeln!(out, "{} (bot {})", r.path.display(), bot.display())?,
            (None, None) => writeln!(out, "{}", r.path.display())?,
        }
        for t in &r.tests {
            match &t.failure {
                None => {
                    passed += 1;
                    writeln!(out, "  ok    {} ({} ms)", t.name, ms(t.time))?;
                }
                Some(f) => {
                    failed += 1;
                    writeln!(out, "  FAIL  {} ({} ms)", t.name, ms(t.time))?;
                    for line in f.to_string().lines() {
                        writeln!(out, "        {line}")?;
                    }
                }
            }
        }
    }
    let errors = reports.iter().filter(|r| r.error.is_some()).count();
    let mut summary = format!("{passed} passed, {failed} failed");
    if errors > 0 {
        let _ = write!(summary, ", {errors} file{} could not be used", if errors == 1 { "" } else { "s" });
    }
    writeln!(out, "{summary} in {} ms", ms(elapsed))
}

fn report_json(reports: &[FileReport], elapsed: Duration) -> Value {
    let files: Vec<Value> = reports
        .iter()
        .map(|r| {
            let tests: Vec<Value> = r
                .tests
                .iter()
                .map(|t| {
                    let failure = t.failure.as_ref().map(|f| {
                        json!({
                            "step": f.step.map(|s| s + 1),
                            "expectation": f.expectation,
                            "expected": f.expected,
                            "actual": f.actual,
                            "message": f.to_string(),
                        })
                    });
                    json!({
                        "name": t.name,
                        "status": if failure.is_some() { "failed" } else { "passed" },
                        "time_ms": ms(t.time),
                        "failure": failure,
                    })
                })
                .collect();
            json!({
                "path": r.path.display().to_string(),
                "bot": r.bot.as_ref().map(|b| b.display().to_string()),
                "error": r.error,
                "tests": tests,
            })
        })
        .collect();
    let all = reports.iter().flat_map(|r| &r.tests);
    json!({
        "passed": all.clone().filter(|t| t.failure.is_none()).count(),
        "failed": all.filter(|t| t.failure.is_some()).count(),
        "errors": reports.iter().filter(|r| r.error.is_some()).count(),
        "time_ms": ms(elapsed),
        "files": files,
    })
}

/// Text as XML character data or attribute value: escaped, and without the
/// control characters XML 1.0 cannot hold.
fn xml(text: &str) -> String {
    let clean: String = text.chars().filter(|c| !c.is_control() || matches!(c, '\n' | '\t' | '\r')).collect();
    quick_xml::escape::escape(clean.as_str()).into_owned()
}

/// A JUnit XML report: one `testsuite` per file, one `testcase` per test; a
/// file that could not be used is a suite with one erroring case.
fn junit(reports: &[FileReport], elapsed: Duration) -> String {
    let secs = |d: Duration| format!("{:.6}", d.as_secs_f64());
    let tests: usize = reports.iter().map(|r| r.tests.len().max(usize::from(r.error.is_some()))).sum();
    let failures = reports.iter().flat_map(|r| &r.tests).filter(|t| t.failure.is_some()).count();
    let errors = reports.iter().filter(|r| r.error.is_some()).count();
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        x,
        "<testsuites name=\"concierge test\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\" time=\"{}\">",
        secs(elapsed)
    );
    for r in reports {
        let suite = xml(&r.path.display().to_string());
        let time: Duration = r.tests.iter().map(|t| t.time).sum();
        if let Some(e) = &r.error {
            let _ = writeln!(
                x,
                "  <testsuite name=\"{suite}\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\" time=\"0\">\n    \
                 <testcase name=\"(test file)\" classname=\"{suite}\" time=\"0\">\n      \
                 <error message=\"{}\" type=\"invalid_test_file\">{}</error>\n    </testcase>\n  </testsuite>",
                xml(e.lines().next().unwrap_or("")),
                xml(e)
            );
            continue;
        }
        let failed = r.tests.iter().filter(|t| t.failure.is_some()).count();
        let _ = writeln!(
            x,
            "  <testsuite name=\"{suite}\" tests=\"{}\" failures=\"{failed}\" errors=\"0\" skipped=\"0\" time=\"{}\">",
            r.tests.len(),
            secs(time)
        );
        for t in &r.tests {
            let open = format!(
                "    <testcase name=\"{}\" classname=\"{suite}\" time=\"{}\"",
                xml(&t.name),
                secs(t.time)
            );
            match &t.failure {
                None => {
                    let _ = writeln!(x, "{open}/>");
                }
                Some(f) => {
                    let _ = writeln!(
                        x,
                        "{open}>\n      <failure message=\"{}\" type=\"assertion\">{}</failure>\n    </testcase>",
                        xml(&headline(f)),
                        xml(&f.to_string())
                    );
                }
            }
        }
        let _ = writeln!(x, "  </testsuite>");
    }
    x.push_str("</testsuites>\n");
    x
}
