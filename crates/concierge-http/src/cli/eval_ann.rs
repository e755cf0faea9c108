//! `concierge eval ann`: recall and speed of the HNSW vector index against
//! the exact scan, on a clustered synthetic set of unit vectors.
//!
//! The set imitates sentence embeddings: points scattered around many
//! cluster centres (topics), so near neighbours are dense within a topic and
//! far apart across topics. Both indexes answer the same queries in the same
//! run, so the latency ratio does not depend on the machine's load as much
//! as absolute times do.

use std::process::ExitCode;
use std::time::Instant;

use concierge_core::knowledge::{FlatIndex, HnswIndex, HnswParams, VectorIndex};
use serde::Serialize;

/// Arguments of `concierge eval ann`.
#[derive(Debug, clap::Args)]
pub(crate) struct EvalAnnArgs {
    /// How many vectors to index.
    #[arg(long, default_value_t = 100_000)]
    vectors: usize,
    /// Their dimension.
    #[arg(long, default_value_t = 384)]
    dimension: usize,
    /// How many cluster centres (topics) they scatter around.
    #[arg(long, default_value_t = 2_000)]
    clusters: usize,
    /// Spread of a point around its centre (per-coordinate standard
    /// deviation relative to the centre's).
    #[arg(long, default_value_t = 0.8)]
    spread: f32,
    /// How many queries (drawn like the vectors, not indexed).
    #[arg(long, default_value_t = 500)]
    queries: usize,
    /// HNSW links per node (M).
    #[arg(long, default_value_t = 16)]
    max_connections: usize,
    /// HNSW candidates while building.
    #[arg(long, default_value_t = 100)]
    ef_construction: usize,
    /// HNSW candidates while searching; several values are measured in turn.
    #[arg(long, value_delimiter = ',', default_value = "32,64,128")]
    ef: Vec<usize>,
    /// Seed of the synthetic set.
    #[arg(long, default_value_t = 7)]
    seed: u64,
}

#[derive(Debug, Serialize)]
struct EfReport {
    ef: usize,
    recall_at_10: f64,
    p50_micros: f64,
    cost_ratio: f64,
}

#[derive(Debug, Serialize)]
struct Report {
    data: &'static str,
    vectors: usize,
    dimension: usize,
    queries: usize,
    build_seconds: f64,
    exact_p50_micros: f64,
    hnsw: Vec<EfReport>,
}

/// A small deterministic generator of standard normal numbers.
struct Normal(u64);

impl Normal {
    fn uniform(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }

    fn next(&mut self) -> f32 {
        let u = self.uniform().max(f64::MIN_POSITIVE);
        let v = self.uniform();
        ((-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()) as f32
    }
}

fn unit(v: Vec<f32>) -> Vec<f32> {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(f32::EPSILON);
    v.into_iter().map(|x| x / norm).collect()
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

pub(crate) fn run(args: EvalAnnArgs) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(
        args.vectors > 10 && args.queries > 0 && args.clusters > 0,
        "need vectors, queries and clusters"
    );
    let mut rng = Normal(args.seed);
    let centres: Vec<Vec<f32>> =
        (0..args.clusters).map(|_| (0..args.dimension).map(|_| rng.next()).collect()).collect();
    let point = |rng: &mut Normal| {
        let c = &centres[(rng.uniform() * args.clusters as f64) as usize % args.clusters];
        unit(c.iter().map(|x| x + args.spread * rng.next()).collect())
    };
    let vectors: Vec<Vec<f32>> = (0..args.vectors).map(|_| point(&mut rng)).collect();
    let queries: Vec<Vec<f32>> = (0..args.queries).map(|_| point(&mut rng)).collect();

    let flat = FlatIndex::new(args.dimension, &vectors)?;
    let started = Instant::now();
    let params = HnswParams {
        max_connections: args.max_connections,
        ef_construction: args.ef_construction,
        ef_search: 64,
    };
    let mut hnsw = HnswIndex::new(args.dimension, &vectors, params)?;
    let build_seconds = started.elapsed().as_secs_f64();
    eprintln!("built HNSW over {} vectors in {build_seconds:.1}s", args.vectors);

    let mut exact = Vec::with_capacity(queries.len());
    let mut exact_micros = Vec::with_capacity(queries.len());
    for q in &queries {
        let t = Instant::now();
        let found = flat.nearest(q, 10);
        exact_micros.push(t.elapsed().as_secs_f64() * 1e6);
        exact.push(found.into_iter().map(|n| n.row).collect::<Vec<_>>());
    }
    let exact_p50 = median(exact_micros);
    let mut reports = Vec::new();
    for &ef in &args.ef {
        hnsw.set_ef_search(ef);
        let mut found = 0usize;
        let mut micros = Vec::with_capacity(queries.len());
        for (q, truth) in queries.iter().zip(&exact) {
            let t = Instant::now();
            let got = hnsw.nearest(q, 10);
            micros.push(t.elapsed().as_secs_f64() * 1e6);
            found += got.iter().filter(|n| truth.contains(&n.row)).count();
        }
        let p50 = median(micros);
        reports.push(EfReport {
            ef,
            recall_at_10: found as f64 / (10 * queries.len()) as f64,
            p50_micros: p50,
            cost_ratio: p50 / exact_p50,
        });
    }
    let report = Report {
        data: "synthetic clustered unit vectors",
        vectors: args.vectors,
        dimension: args.dimension,
        queries: args.queries,
        build_seconds,
        exact_p50_micros: exact_p50,
        hnsw: reports,
    };
    outln!("{}", serde_json::to_string(&report)?);
    Ok(ExitCode::SUCCESS)
}
