//! `concierge serve --demo` run as an operator would: a fresh data
//! directory, the demo seeded once, a graceful stop on SIGTERM that lets the
//! turn in flight finish, and a restart that keeps data and secret.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

const NOW: &str = "2026-03-02T09:00:00-05:00";

struct Server {
    child: Child,
    base: String,
    stdout_lines: Vec<String>,
}

impl Drop for Server {
    /// A failed test leaves no server behind.
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Starts the binary and reads its stdout up to the `listening on` line.
fn spawn(data_dir: &std::path::Path) -> Server {
    let child = Command::new(env!("CARGO_BIN_EXE_concierge"))
        .args(["serve", "--demo", "--addr", "127.0.0.1:0", "--now", NOW, "--data-dir"])
        .arg(data_dir)
        .env_remove("CONCIERGE_ADMIN_PASSWORD")
        .env_remove("CONCIERGE_DATABASE_URL")
        .env_remove("CONCIERGE_SECRET_KEY")
        .env("CONCIERGE_LOG_FORMAT", "json")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut server = Server { child, base: String::new(), stdout_lines: Vec::new() };
    let mut lines = BufReader::new(server.child.stdout.take().unwrap()).lines();
    loop {
        let line = lines.next().expect("the server prints where it listens").unwrap();
        server.stdout_lines.push(line.clone());
        if let Some(url) = line.strip_prefix("listening on ") {
            server.base = url.trim().to_owned();
            return server;
        }
    }
}

fn terminate(server: &Server) {
    let status = Command::new("kill").args(["-TERM", &server.child.id().to_string()]).status().unwrap();
    assert!(status.success());
}

fn wait_exit(server: &mut Server) -> std::process::ExitStatus {
    for _ in 0..600 {
        if let Some(status) = server.child.try_wait().unwrap() {
            return status;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("the server did not stop within a minute of SIGTERM");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_demo_seeds_once_stops_gracefully_and_keeps_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = spawn(dir.path());
    let printed = server.stdout_lines.join("\n");
    assert!(printed.contains("pk_demo_salon") && printed.contains("admin@demo-salon.test"), "{printed}");
    assert!(printed.contains("admin password (shown once): "), "{printed}");
    let http = reqwest::Client::new();
    let ready: Value =
        http.get(format!("{}/readyz", server.base)).send().await.unwrap().json().await.unwrap();
    assert_eq!(ready, json!({"status": "ok", "database": "sqlite"}));

    let created: Value = http
        .post(format!("{}/v1/chat/demo-salon/conversations", server.base))
        .header("X-Concierge-Key", "pk_demo_salon")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let (id, token) = (created["conversation_id"].as_str().unwrap(), created["token"].as_str().unwrap());
    let messages = format!("{}/v1/chat/demo-salon/conversations/{id}/messages", server.base);

    // SIGTERM while the first turn runs (it builds the salon's engine): the turn still completes.
    let in_flight = tokio::spawn({
        let (http, messages, token) = (http.clone(), messages.clone(), token.to_owned());
        async move {
            http.post(messages).bearer_auth(token).json(&json!({"text": "do you have parking?"})).send().await
        }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    terminate(&server);
    let answered = in_flight.await.unwrap().unwrap();
    assert_eq!(answered.status(), 200);
    let turn: Value = answered.json().await.unwrap();
    assert!(turn["events"].as_array().unwrap().iter().any(|e| e["type"] == "kb_answer"), "{turn}");
    let status = wait_exit(&mut server);
    assert!(status.success(), "the server exited with {status} after SIGTERM");
    let secret = dir.path().join("secret.key");
    assert!(secret.exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&secret).unwrap().permissions().mode() & 0o777, 0o600);
    }

    // A restart seeds nothing new, prints no password, and the old token still opens the conversation.
    let mut server = spawn(dir.path());
    let printed = server.stdout_lines.join("\n");
    assert!(!printed.contains("password"), "{printed}");
    let items: Value = http
        .get(format!("{}/v1/chat/demo-salon/conversations/{id}/items?after=0", server.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(items["items"][0]["event"], json!({"type": "user_message", "text": "do you have parking?"}));
    terminate(&server);
    let status = wait_exit(&mut server);
    assert!(status.success(), "the server exited with {status} after SIGTERM");
}
