//! Uploading a source archive: the memory and throughput measurements of
//! `scripts/bench/deploy_job.sh`, against `bench_sink` on loopback.
//!
//! ```text
//! bench_upload prepare DIR [SEED] [MIB]      DIR/langgraph.json and DIR/blob.bin, MIB (150) of random bytes
//! bench_upload memory DIR URL [upload-only]  archive() DIR, then SourceArchive::upload to URL
//! bench_upload throughput DIR URL ROUNDS [N]  archive() DIR once; then upload() and curl -T take turns
//! ```
//!
//! `memory` prints one JSON line with the peak resident set (`VmHWM`) after `archive()` and at the
//! end; with `upload-only` the peak is reset (`/proc/self/clear_refs`) once the archive is built,
//! so the figure at the end is the upload's alone (a whole-process figure then comes from
//! `/usr/bin/time -v` on a run without it).
//!
//! `throughput` makes ROUNDS rounds, each a turn of N (3) uploads with `SourceArchive::upload`
//! (timed in the process: from the call to the answer, building its HTTP client and connecting
//! included) and a turn of N `curl -T FILE -H 'Content-Type: application/gzip' URL` of the same
//! file (timed by curl's `time_total`: connect to answer; its process start-up is reported apart),
//! the order flipping every round; a loopback upload of 150 MiB takes about 0.1 s, too short to
//! time alone on a shared machine. One JSON line per turn. Runs on a current-thread runtime, as
//! `lscp` does.

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use langsmith_control_plane::{SourceArchive, archive};

/// `VmHWM` (peak resident set) or `VmRSS` of this process, in KiB.
fn status_kib(field: &str) -> Option<u64> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn build(dir: &str) -> SourceArchive {
    archive(Path::new(dir), Path::new("langgraph.json")).expect("archive the directory")
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
}

fn prepare(dir: &Path, seed: u64, mib: usize) {
    fs::create_dir_all(dir).expect("create the directory");
    fs::write(
        dir.join("langgraph.json"),
        r#"{"dependencies": ["."], "graphs": {"agent": "./agent.py:graph"}}"#,
    )
    .expect("write langgraph.json");
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut blob = vec![0; mib * 1024 * 1024];
    rng.fill(&mut blob);
    fs::write(dir.join("blob.bin"), blob).expect("write the blob");
}

fn memory(dir: &str, url: &str, upload_only: bool) {
    let archive = build(dir);
    let after_archive = status_kib("VmHWM:");
    let reset = upload_only && fs::write("/proc/self/clear_refs", "5").is_ok();
    let before_upload = status_kib("VmRSS:");
    runtime()
        .block_on(archive.upload(url, &[], &Default::default(), |_| {}))
        .expect("upload");
    println!(
        "{{\"archive_bytes\": {}, \"peak_after_archive_kib\": {}, \"rss_before_upload_kib\": {}, \
         \"peak_kib\": {}, \"peak_reset_before_upload\": {reset}}}",
        archive.size,
        after_archive.unwrap_or(0),
        before_upload.unwrap_or(0),
        status_kib("VmHWM:").unwrap_or(0),
    );
}

fn curl(file: &Path, url: &str) -> (f64, f64) {
    let started = Instant::now();
    let output = Command::new("curl")
        .args([
            "-sS",
            "--fail",
            "-o",
            "/dev/null",
            "-w",
            "%{time_total}",
            "-T",
        ])
        .arg(file)
        .args(["-H", "Content-Type: application/gzip", url])
        .output()
        .expect("run curl");
    let wall = started.elapsed().as_secs_f64();
    assert!(
        output.status.success(),
        "curl failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let total = String::from_utf8_lossy(&output.stdout)
        .trim()
        .parse()
        .expect("curl's time_total");
    (total, wall)
}

fn throughput(dir: &str, url: &str, rounds: usize, per_turn: usize) {
    let archive = build(dir);
    let runtime = runtime();
    let ours = || {
        let started = Instant::now();
        runtime
            .block_on(archive.upload(url, &[], &Default::default(), |_| {}))
            .expect("upload");
        started.elapsed().as_secs_f64()
    };
    // One of each first: connections, page cache and the sink settle before anything counts.
    ours();
    curl(archive.path(), url);
    for round in 1..=rounds {
        let mut turns = [true, false];
        if round % 2 == 0 {
            turns.reverse();
        }
        for is_ours in turns {
            let line = if is_ours {
                let seconds: f64 = (0..per_turn).map(|_| ours()).sum();
                format!("{{\"client\": \"ours\", \"seconds\": {seconds:.6}")
            } else {
                let (mut total, mut wall) = (0.0, 0.0);
                for _ in 0..per_turn {
                    let (t, w) = curl(archive.path(), url);
                    total += t;
                    wall += w;
                }
                format!(
                    "{{\"client\": \"curl\", \"seconds\": {total:.6}, \"process_seconds\": {wall:.6}"
                )
            };
            let bytes = archive.size * per_turn as u64;
            println!("{line}, \"round\": {round}, \"uploads\": {per_turn}, \"bytes\": {bytes}}}");
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["prepare", dir, ref rest @ ..] => {
            let seed = rest
                .first()
                .map_or(20261201, |s| s.parse().expect("a seed"));
            let mib = rest
                .get(1)
                .map_or(150, |s| s.parse().expect("a size in MiB"));
            prepare(Path::new(dir), seed, mib);
        }
        ["memory", dir, url] => memory(dir, url, false),
        ["memory", dir, url, "upload-only"] => memory(dir, url, true),
        ["throughput", dir, url, rounds, ref rest @ ..] => {
            let per_turn = rest
                .first()
                .map_or(3, |n| n.parse().expect("uploads per turn"));
            throughput(
                dir,
                url,
                rounds.parse().expect("a number of rounds"),
                per_turn,
            )
        }
        _ => {
            eprintln!(
                "usage: bench_upload prepare DIR [SEED] [MIB] | memory DIR URL [upload-only] \
                 | throughput DIR URL ROUNDS [N]"
            );
            std::process::exit(2);
        }
    }
}
