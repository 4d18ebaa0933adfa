//! Usage: forst-bench-floor-client <url> <payload-bytes> <concurrency> <count> [token]
//! With a token (sent as X-Forst-Token) it measures the Forst sidecar itself without JS: the Go server's share.
//! POSTs a JSON string of <payload-bytes> to <url> <count> times from <concurrency> keep-alive workers and
//! prints {"p50":..,"p99":..,"mean":..,"callsPerSec":..,"count":..,"unit":"ms"} on stdout.
//! The first 10% of calls per worker (at least one) are a warm-up and are not measured.
//!
//! FLOOR_TRANSPORT picks the client, to compare transports against the same Go server:
//! - `reqwest` (default): reqwest's pooled HTTP/1.1 client, what the addon uses;
//! - `hyper`: one bare hyper HTTP/1.1 connection per worker (no pool, no URL parsing per call);
//! - `h2c`: one HTTP/2 connection without TLS (prior knowledge) shared by all workers.
//! FLOOR_SOCKET=<path> sends `reqwest` and `hyper` connections to that Unix socket instead of <url>'s port; the
//! URL still gives the path and the Host header.
use std::time::Instant;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::{TokioExecutor, TokioIo};

type Sender = Box<dyn FnMut(Bytes) -> std::pin::Pin<Box<dyn std::future::Future<Output = Bytes> + Send>> + Send>;

fn request(authority: &str, path: &str, token: &str, body: Bytes) -> hyper::Request<Full<Bytes>> {
    let mut req = hyper::Request::post(path)
        .header("host", authority)
        .header("content-type", "application/json");
    if !token.is_empty() {
        req = req.header("x-forst-token", token);
    }
    req.body(Full::new(body)).expect("request")
}

/// `http://host:port/path` → (`host:port`, `/path`).
fn split_url(url: &str) -> (String, String) {
    let rest = url.trim_start_matches("http://");
    let slash = rest.find('/').unwrap_or(rest.len());
    let path = if slash == rest.len() { "/".to_string() } else { rest[slash..].to_string() };
    (rest[..slash].to_string(), path)
}

async fn http1_sender<S>(stream: S, authority: String, path: String, token: String) -> Sender
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let (send, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.expect("handshake");
    tokio::spawn(conn);
    let send = std::sync::Arc::new(tokio::sync::Mutex::new(send));
    Box::new(move |body| {
        let (send, req) = (send.clone(), request(&authority, &path, &token, body));
        Box::pin(async move {
            let mut s = send.lock().await;
            s.ready().await.expect("ready");
            let res = s.send_request(req).await.expect("send");
            res.into_body().collect().await.expect("body").to_bytes()
        })
    })
}

async fn senders(mode: &str, url: &str, socket: Option<&str>, token: &str, conc: usize) -> Vec<Sender> {
    let mut out: Vec<Sender> = Vec::new();
    match mode {
        "reqwest" => {
            let mut builder = reqwest::Client::builder().pool_max_idle_per_host(conc).tcp_nodelay(true);
            if let Some(path) = socket {
                builder = builder.unix_socket(path);
            }
            let client = builder.build().expect("client");
            for _ in 0..conc {
                let (client, url, token) = (client.clone(), url.to_string(), token.to_string());
                out.push(Box::new(move |body| {
                    let mut req = client.post(&url).header("content-type", "application/json").body(body);
                    if !token.is_empty() {
                        req = req.header("x-forst-token", &token);
                    }
                    Box::pin(async move { req.send().await.expect("send").bytes().await.expect("body") })
                }));
            }
        }
        "hyper" => {
            let (authority, path) = split_url(url);
            for _ in 0..conc {
                out.push(match socket {
                    Some(p) => {
                        let unix = tokio::net::UnixStream::connect(p).await.expect("connect");
                        http1_sender(unix, authority.clone(), path.clone(), token.to_string()).await
                    }
                    None => {
                        let tcp = tokio::net::TcpStream::connect(&authority).await.expect("connect");
                        tcp.set_nodelay(true).expect("nodelay");
                        http1_sender(tcp, authority.clone(), path.clone(), token.to_string()).await
                    }
                });
            }
        }
        "h2c" => {
            let (authority, path) = split_url(url);
            let tcp = tokio::net::TcpStream::connect(&authority).await.expect("connect");
            tcp.set_nodelay(true).expect("nodelay");
            let (send, conn) =
                hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(tcp)).await.expect("h2 handshake");
            tokio::spawn(conn);
            for _ in 0..conc {
                let (send, authority, path, token) = (send.clone(), authority.clone(), path.clone(), token.to_string());
                out.push(Box::new(move |body| {
                    let (mut send, req) = (send.clone(), request(&authority, &path, &token, body));
                    Box::pin(async move {
                        send.ready().await.expect("ready");
                        let res = send.send_request(req).await.expect("send");
                        res.into_body().collect().await.expect("body").to_bytes()
                    })
                }));
            }
        }
        other => panic!("FLOOR_TRANSPORT={other}: expected reqwest, hyper or h2c"),
    }
    out
}

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
    let mode = std::env::var("FLOOR_TRANSPORT").unwrap_or_else(|_| "reqwest".into());

    // The same body shape the JS side sends: a JSON string of `size` ASCII letters.
    let body = Bytes::from(format!("\"{}\"", "x".repeat(size.saturating_sub(2))));
    let socket = std::env::var("FLOOR_SOCKET").ok().filter(|s| !s.is_empty());
    let senders = senders(&mode, &url, socket.as_deref(), &token, conc).await;

    let per_worker = (count + conc - 1) / conc;
    let warm = (per_worker / 10).max(1);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for mut send in senders {
        let body = body.clone();
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::with_capacity(per_worker);
            for i in 0..per_worker + warm {
                let t = Instant::now();
                let got = send(body.clone()).await;
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
