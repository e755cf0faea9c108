//! A load generator for the public chat API: many concurrent conversations,
//! each sending its next message as soon as the previous one is answered.
//!
//! ```text
//! cargo run --release -p concierge-http --example chat_load -- \
//!     [--base http://127.0.0.1:8080] [--tenant demo-salon] [--key pk_demo_salon] \
//!     [--conversations 64] [--seconds 10] [--warmup 2]
//! ```
//!
//! Prints one JSON object: `messages_per_second`, `p50_ms`, `p99_ms`, `max_ms`,
//! `messages`, `errors`. Messages are questions about the business and
//! greetings, so conversations do not grow bookings while measuring.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

const LINES: &[&str] = &[
    "Hi",
    "do you have parking?",
    "what are your opening hours?",
    "how much is a haircut?",
    "where are you located?",
    "can I pay by card?",
    "do you take walk-ins?",
    "thanks",
];

struct Args {
    base: String,
    tenant: String,
    key: String,
    conversations: usize,
    seconds: u64,
    warmup: u64,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        base: "http://127.0.0.1:8080".into(),
        tenant: "demo-salon".into(),
        key: "pk_demo_salon".into(),
        conversations: 64,
        seconds: 10,
        warmup: 2,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let number = || value.parse::<u64>().map_err(|_| format!("{flag}: not a number: {value}"));
        match flag.as_str() {
            "--base" => args.base = value.clone(),
            "--tenant" => args.tenant = value.clone(),
            "--key" => args.key = value.clone(),
            "--conversations" => args.conversations = number()? as usize,
            "--seconds" => args.seconds = number()?,
            "--warmup" => args.warmup = number()?,
            other => return Err(format!("unknown flag {other}")),
        }
    }
    Ok(args)
}

async fn start_conversation(http: &reqwest::Client, args: &Args) -> Result<(String, String), String> {
    let response = http
        .post(format!("{}/v1/chat/{}/conversations", args.base, args.tenant))
        .header("X-Concierge-Key", &args.key)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let body: Value = response.json().await.map_err(|e| e.to_string())?;
    let id = body["conversation_id"].as_str().ok_or(format!("no conversation: {body}"))?;
    Ok((id.to_owned(), body["token"].as_str().unwrap_or_default().to_owned()))
}

#[tokio::main]
async fn main() -> Result<(), String> {
    let args = std::sync::Arc::new(parse_args()?);
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(args.conversations)
        .build()
        .map_err(|e| e.to_string())?;
    let start = Instant::now();
    let measure_from = start + Duration::from_secs(args.warmup);
    let end = measure_from + Duration::from_secs(args.seconds);
    let mut workers = Vec::new();
    for worker in 0..args.conversations {
        let (http, args) = (http.clone(), args.clone());
        workers.push(tokio::spawn(async move {
            let (id, token) = start_conversation(&http, &args).await?;
            let url = format!("{}/v1/chat/{}/conversations/{id}/messages", args.base, args.tenant);
            let (mut latencies, mut errors) = (Vec::new(), 0u64);
            let mut n = worker;
            while Instant::now() < end {
                let text = LINES[n % LINES.len()];
                n += 1;
                let sent = Instant::now();
                let ok = match http.post(&url).bearer_auth(&token).json(&json!({ "text": text })).send().await
                {
                    Ok(r) => r.status().is_success() && r.bytes().await.is_ok(),
                    Err(_) => false,
                };
                if sent >= measure_from && Instant::now() <= end {
                    if ok {
                        latencies.push(sent.elapsed());
                    } else {
                        errors += 1;
                    }
                }
            }
            Ok::<_, String>((latencies, errors))
        }));
    }
    let (mut latencies, mut errors) = (Vec::new(), 0);
    for worker in workers {
        let (l, e) = worker.await.map_err(|e| e.to_string())??;
        latencies.extend(l);
        errors += e;
    }
    latencies.sort();
    let pct = |p: f64| {
        latencies
            .get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    println!(
        "{}",
        json!({
            "conversations": args.conversations,
            "seconds": args.seconds,
            "messages": latencies.len(),
            "errors": errors,
            "messages_per_second": latencies.len() as f64 / args.seconds as f64,
            "p50_ms": pct(0.50),
            "p99_ms": pct(0.99),
            "max_ms": latencies.last().map_or(0.0, |d| d.as_secs_f64() * 1000.0),
        })
    );
    Ok(())
}
