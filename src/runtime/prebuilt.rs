//! Production mode: run the build that `forst build` left in `outputDir` without Go and without writing anything.
//!
//! Every build writes `outputDir/manifest.json` ([`BuildManifest`]) beside the binary `outputDir/forst-sidecar`. The
//! manifest's `sourceHash` is [`build::source_hash`]: a function of the `.ft` sources, this package's version and the
//! build options, computed here by compiling the sources (the compiler is in the addon; only `go build` needs Go). When
//! it matches, the binary is this project's and [`find`] hands it to the supervisor as if the cache had found it.
//!
//! When that happens is decided by [`Config::prebuilt`]: `FORST_REQUIRE_PREBUILT=1`, or `NODE_ENV=production` unless
//! `FORST_REQUIRE_PREBUILT=0`, makes a matching build required (no build at run time, ever: the binary that runs is
//! the one you shipped); otherwise a matching build is used only when Go is not installed.

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::build::{self, Built, STABLE_BINARY};
use super::config::Config;
use super::failure::Failure;
use crate::compiler::manifest::{contract, Endpoint};
use crate::compiler::Compiled;

pub const MANIFEST: &str = "manifest.json";

/// `outputDir/manifest.json`: what a deployment needs to know about the binary beside it.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BuildManifest {
    /// The @forst/sidecar version that built it.
    pub version: String,
    /// The call contract (see [`contract`]): what the app's generated functions and the sidecar must agree on.
    pub contract: String,
    /// The binary's identity: [`build::source_hash`] and the Go version.
    pub build_hash: String,
    /// [`build::source_hash`], computed without Go: production mode compares it with the current sources.
    pub source_hash: String,
    pub go_version: String,
    /// The binary, relative to this file.
    pub binary: String,
    /// The functions: name, route (always POST), parameters and result with their Go and TypeScript types.
    pub functions: Vec<Endpoint>,
    /// The TypeScript declarations of the functions and every type they use.
    pub types: String,
}

impl BuildManifest {
    pub fn new(compiled: &Compiled, contract: String, build_hash: &str, source_hash: &str, go: &str) -> BuildManifest {
        BuildManifest {
            version: env!("CARGO_PKG_VERSION").to_string(),
            contract,
            build_hash: build_hash.to_string(),
            source_hash: source_hash.to_string(),
            go_version: go.to_string(),
            binary: STABLE_BINARY.to_string(),
            functions: compiled.manifest.endpoints.clone(),
            types: compiled.dts.clone(),
        }
    }

    pub fn to_json(&self) -> Vec<u8> {
        let mut out = serde_json::to_vec_pretty(self).unwrap_or_default();
        out.push(b'\n');
        out
    }

    pub fn read(output_dir: &Path) -> Result<BuildManifest, String> {
        let path = output_dir.join(MANIFEST);
        let text = std::fs::read(&path).map_err(|e| format!("{} cannot be read ({e})", path.display()))?;
        serde_json::from_slice(&text).map_err(|e| {
            format!(
                "{} is not a manifest of this @forst/sidecar version ({e}); run `npx forst build` again",
                path.display()
            )
        })
    }
}

/// Whether a prebuilt binary may, or must, be used (see the module doc).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Prebuilt {
    /// Build with Go as usual; a matching build is used only when Go is missing.
    Fallback,
    /// Never build: a matching build or the `prebuilt_missing` error.
    Required,
}

/// The build in `outputDir` when it matches the current sources; otherwise why not (a sentence for the error).
/// Compiles the project (no Go) and reads two files; writes nothing.
pub fn find(config: &Config, color: bool) -> Result<Result<Built, String>, Failure> {
    let t0 = Instant::now();
    let (sources, result) = build::compile_project(config)?;
    let (compiled, warnings) = build::require_output(config, &sources, result, color)?;
    let compile_ms = t0.elapsed().as_secs_f64() * 1000.0;
    let manifest = match BuildManifest::read(&config.output_dir) {
        Ok(m) => m,
        Err(why) => return Ok(Err(why)),
    };
    let wanted = build::source_hash(&compiled, config);
    if manifest.source_hash != wanted {
        return Ok(Err(format!(
            "the build in {} was made from other sources or options (its source hash {} ≠ {} for the current .ft files; @forst/sidecar {} built it, this is {})",
            config.output_dir.display(),
            short(&manifest.source_hash),
            short(&wanted),
            manifest.version,
            env!("CARGO_PKG_VERSION")
        )));
    }
    let binary: PathBuf = config.output_dir.join(&manifest.binary);
    if let Err(why) = executable(&binary) {
        return Ok(Err(why));
    }
    let expected = contract(&compiled.manifest, &compiled.dts);
    if manifest.contract != expected {
        return Ok(Err(format!("{} names contract {} but the sources give {expected}", MANIFEST, manifest.contract)));
    }
    Ok(Ok(Built {
        binary,
        compiled,
        sources,
        warnings,
        hash: manifest.build_hash,
        cached: true,
        compile_ms,
        build_ms: 0.0,
        go_version: manifest.go_version,
        prebuilt: true,
    }))
}

fn executable(binary: &Path) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    match std::fs::metadata(binary) {
        Ok(m) if m.is_file() && m.permissions().mode() & 0o111 != 0 => Ok(()),
        Ok(_) => Err(format!("{} is not an executable file", binary.display())),
        Err(e) => Err(format!("the binary {} is missing ({e})", binary.display())),
    }
}

fn short(hash: &str) -> &str {
    hash.get(..16).unwrap_or(hash)
}

/// The error when a prebuilt binary is required and there is none for these sources.
pub fn missing(config: &Config, why: &str) -> Failure {
    Failure::new(
        500,
        "prebuilt_missing",
        format!(
            "no build of the current sources in {}: {why}. Production mode (NODE_ENV=production or FORST_REQUIRE_PREBUILT=1) never builds at run time: run `npx forst build` where Go is installed (e.g. in the image's build stage) and ship {} with the app, or set FORST_REQUIRE_PREBUILT=0 to build here with Go",
            config.output_dir.display(),
            config.output_dir.display()
        ),
    )
}
