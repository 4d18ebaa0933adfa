//! Usage: forst-bench-floor-client <url> <payload-bytes> <concurrency> <count> [token]
//! With a token (sent as X-Forst-Token) it measures the Forst sidecar itself without JS: the Go server's share.
//! POSTs a JSON string of <payload-bytes> to <url> <count> times from <concurrency> keep-alive workers and
//! prints {"p50":..,"p99":..,"mean":..,"callsPerSec":..,"count":..,"unit":"ms"} on stdout.
//! The first 10% of calls per worker (at least one) are a warm-up and are not measured.
use std::time::Instant;

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 5 && args.len() != 6 {
        eprintln!("usage: {} <url> <payload-bytes> <concurrency> <count> [token]", args[0]);
        std::process::exit(2);
    }
    let url = args[1].clone();
    let size: usize = args[2].parse().expect("payload-bytes");
    let conc: usize = args[3].parse::<usize>().expect("concurrency").max(1);
    let count: usize = args[4].parse::<usize>().expect("count").max(1);
    let token = args.get(5).cloned().unwrap_or_default();

    // The same body shape the JS side sends: a JSON string of `size` ASCII letters.
    let body = format!("\"{}\"", "x".repeat(size.saturating_sub(2)));
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(conc)
        .build()
        .expect("client");

    let per_worker = (count + conc - 1) / conc;
    let warm = (per_worker / 10).max(1);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..conc {
        let (client, url, body, token) = (client.clone(), url.clone(), body.clone(), token.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::with_capacity(per_worker);
            for i in 0..per_worker + warm {
                let t = Instant::now();
                let mut req = client.post(&url).header("content-type", "application/json").body(body.clone());
                if !token.is_empty() {
                    req = req.header("x-forst-token", &token);
                }
                let res = req.send().await.expect("send");
                let got = res.bytes().await.expect("body");
                // The Forst server re-encodes JSON and may end with a newline.
                assert!(got.len() >= body.len(), "echo length mismatch");
                if i >= warm {
                    lat.push(t.elapsed().as_secs_f64() * 1e3);
                }
            }
            lat
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.expect("worker"));
    }
    // Throughput over the whole run including warm-up calls, counted as such.
    let secs = start.elapsed().as_secs_f64();
    let total_calls = (per_worker + warm) * conc;
    all.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let pct = |p: f64| all[((all.len() as f64 - 1.0) * p).round() as usize];
    let mean = all.iter().sum::<f64>() / all.len() as f64;
    println!(
        "{{\"p50\":{:.4},\"p99\":{:.4},\"mean\":{:.4},\"callsPerSec\":{:.1},\"count\":{},\"unit\":\"ms\"}}",
        pct(0.5), pct(0.99), mean, total_calls as f64 / secs, all.len()
    );
}
