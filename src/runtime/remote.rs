//! Connect mode: the app calls a sidecar it did not start (`FORST_SIDECAR_URL` or `sidecar: { url, token }`), such as
//! the native sidecar container in its Kubernetes pod. Nothing is spawned, built or watched.
//!
//! - `start()` waits for `/readyz` (at most `timeouts.readyMs`), then asks `GET /__forst/version` and compares the
//!   sidecar's contract with the one this app's functions were generated for: a mismatch is `contract_mismatch`,
//!   naming both, instead of wrong answers.
//! - Every call carries the app's contract (`X-Forst-Contract`): a sidecar replaced by another build since `start()`
//!   refuses the call before running it (409 `contract_mismatch`).
//! - A call that could not connect (the sidecar is restarting) waits for `/readyz` again, at most
//!   `timeouts.unavailableWaitMs`, and is sent once more: it never left, so it cannot run twice. A call whose
//!   connection broke after it was sent is not repeated (503 `unavailable`).

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::{Duration, Instant};

use serde::Deserialize;

use super::client::{transport_failure, CallError, Client, Endpoint};
use super::config::{Config, RemoteSidecar};
use super::failure::Failure;
use crate::compiler::Manifest;

pub struct Remote {
    pub at: Endpoint,
    /// The app's functions: routes for calls, names for `unknown_function`.
    pub manifest: Manifest,
    ready_ms: u64,
    wait_ms: u64,
    /// False after a call could not connect, until `/readyz` answers again.
    up: AtomicBool,
    /// Times the sidecar was found again after it had gone away.
    pub reconnects: AtomicU32,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Version {
    version: String,
    contract: String,
    build_hash: String,
}

impl Remote {
    /// Waits for the sidecar and checks its contract against `contract` (when the app knows its own).
    pub async fn connect(
        client: &Client,
        config: &Config,
        sidecar: &RemoteSidecar,
        manifest: Manifest,
        contract: Option<String>,
    ) -> Result<Remote, Failure> {
        let remote = Remote {
            at: Endpoint { base_url: sidecar.url.clone(), token: sidecar.token.clone(), via_socket: None, contract },
            manifest,
            ready_ms: config.ready_timeout_ms,
            wait_ms: config.unavailable_wait_ms,
            up: AtomicBool::new(false),
            reconnects: AtomicU32::new(0),
        };
        if !remote.wait_ready(client, remote.ready_ms).await {
            return Err(Failure::new(
                503,
                "not_ready",
                format!(
                    "the Forst sidecar at {} did not answer GET /readyz within {} ms (timeouts.readyMs): is it running, and is FORST_SIDECAR_URL right?",
                    remote.at.base_url, remote.ready_ms
                ),
            ));
        }
        remote.check_contract(client).await?;
        remote.up.store(true, Ordering::SeqCst);
        Ok(remote)
    }

    async fn check_contract(&self, client: &Client) -> Result<(), Failure> {
        let text = client.get_text(&self.at, "/__forst/version").await.map_err(|f| match f.code.as_str() {
            "unauthorized" => Failure::new(
                401,
                "unauthorized",
                format!(
                    "the Forst sidecar at {} refused the token: set FORST_TOKEN (or sidecar.token) to the token the sidecar was started with",
                    self.at.base_url
                ),
            ),
            _ => f,
        })?;
        let theirs: Version = serde_json::from_str(&text).map_err(|e| {
            Failure::new(
                502,
                "unexpected_response",
                format!("{} answered /__forst/version with {text:?} ({e})", self.at.base_url),
            )
        })?;
        match &self.at.contract {
            Some(ours) if *ours != theirs.contract => Err(Failure::new(
                409,
                "contract_mismatch",
                format!(
                    "the Forst sidecar at {} serves contract {} (@forst/sidecar {}, build {}) but this app's functions were generated for contract {ours}: build the sidecar and the app from the same .ft sources and deploy them together",
                    self.at.base_url,
                    theirs.contract,
                    theirs.version,
                    theirs.build_hash.get(..16).unwrap_or(&theirs.build_hash)
                ),
            )),
            _ => Ok(()),
        }
    }

    /// Polls `/readyz` until it answers 200 or `ms` have passed.
    async fn wait_ready(&self, client: &Client, ms: u64) -> bool {
        let deadline = Instant::now() + Duration::from_millis(ms);
        loop {
            if client.probe(&self.at, "/readyz", Duration::from_millis(500)).await == Ok(200) {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub fn is_up(&self) -> bool {
        self.up.load(Ordering::SeqCst)
    }

    /// One call, sent again once if it could not connect and the sidecar came back in time.
    pub async fn call(
        &self,
        client: &Client,
        name: &str,
        route: &str,
        body: bytes::Bytes,
    ) -> Result<bytes::Bytes, Failure> {
        match client.call(&self.at, name, route, body.clone()).await {
            Err(CallError::Transport { sent: false, .. }) => {
                self.up.store(false, Ordering::SeqCst);
                if !self.wait_ready(client, self.wait_ms).await {
                    return Err(Failure::new(
                        503,
                        "unavailable",
                        format!(
                            "the Forst sidecar at {} is not answering and did not come back within {} ms (timeouts.unavailableWaitMs); the call was not sent",
                            self.at.base_url, self.wait_ms
                        ),
                    )
                    .with_function(name));
                }
                self.reconnects.fetch_add(1, Ordering::SeqCst);
                self.up.store(true, Ordering::SeqCst);
                client.call(&self.at, name, route, body).await.map_err(|e| failure(name, e))
            }
            other => other.map_err(|e| failure(name, e)),
        }
    }
}

fn failure(name: &str, e: CallError) -> Failure {
    match e {
        CallError::Answered(f) => f,
        CallError::Transport { detail, .. } => transport_failure(name, &detail),
    }
}
