//! The `forst` command line (package `bin`), parsed with clap inside the addon so that the CLI and the library share
//! one implementation. `bin/forst.js` loads `forst.config.*` and passes it here with the arguments.
//!
//! Exit codes: 0 success; 1 the project has errors (or the command failed); 2 usage error.

use std::fmt::Write as _;

use clap::{Parser, Subcommand};

use crate::compiler::{self, diagnostic};
use crate::runtime::{self, announce, build, failure::Failure, gocheck, ProjectRequest};

#[derive(Parser, Debug)]
#[command(
    name = "forst",
    version,
    about = "Compile, run and inspect Forst routes for @forst/sidecar",
    disable_help_subcommand = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the sidecar alone with hot reload; print the route table, the URL and how to authenticate.
    Dev {
        /// Listen on exactly this port (default: devServer.port / FORST_PORT, else a free port, kept for the session).
        #[arg(long)]
        port: Option<u16>,
        /// Accept calls without the token. Anyone on this machine can then call your routes: local use only.
        #[arg(long, conflicts_with = "token")]
        no_auth: bool,
        /// The token calls must send (X-Forst-Token) for this whole session (default: a random one, printed).
        #[arg(long)]
        token: Option<String>,
    },
    /// Compile and `go build`; write the binary and manifest.json to outputDir and print how to run them.
    Build {
        /// Also write outputDir/Containerfile (FROM scratch, non-root, healthcheck) and build the image with podman,
        /// buildah or docker when one is on PATH.
        #[arg(long)]
        container: bool,
        /// The image's name (default: forst-sidecar:<build hash>).
        #[arg(long, requires = "container")]
        tag: Option<String>,
    },
    /// Write the typed JS functions and TypeScript declarations into the package; with --types and --schema, also
    /// the endpoints' types for a front end.
    Generate {
        /// Also write standalone TypeScript declarations of every endpoint's input, output and error types to this
        /// file: no import of this package, for a browser app that calls the Express API.
        #[arg(long, value_name = "FILE.d.ts")]
        types: Option<std::path::PathBuf>,
        /// Also write one JSON Schema (2020-12) per type into this directory (`<Type>.schema.json`).
        #[arg(long, value_name = "DIR")]
        schema: Option<std::path::PathBuf>,
    },
    /// Print the OpenAPI 3.1 document of the endpoints (what the sidecar serves at GET /__forst/openapi.json).
    Openapi {
        /// Write it to this file instead of printing it.
        #[arg(long, value_name = "FILE")]
        out: Option<std::path::PathBuf>,
    },
    /// Report diagnostics only; exit 1 when there are errors.
    Check {
        /// Print diagnostics as JSON (for editors and CI).
        #[arg(long)]
        json: bool,
    },
    /// List the endpoints: method, path and signature.
    Routes,
}

/// What the JS side must do after the command returned.
pub struct Outcome {
    pub exit_code: i32,
    /// `forst dev`: keep Node alive (the sidecar runs) until SIGINT/SIGTERM.
    pub keep_alive: bool,
}

fn done(exit_code: i32) -> Outcome {
    Outcome { exit_code, keep_alive: false }
}

pub async fn run(argv: Vec<String>, req: ProjectRequest) -> Outcome {
    let cli = match Cli::try_parse_from(std::iter::once("forst".to_string()).chain(argv)) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return done(e.exit_code());
        }
    };
    match execute(cli.command, req).await {
        Ok(outcome) => outcome,
        Err(f) => {
            eprintln!("forst: {}", f.message);
            done(1)
        }
    }
}

async fn execute(command: Command, mut req: ProjectRequest) -> Result<Outcome, Failure> {
    match command {
        Command::Check { json } => {
            let config = runtime::resolve_config(&req)?;
            let c = config.clone();
            let (sources, result) = runtime::run_blocking(move || gocheck::check_project(&c)).await?;
            let errors = result.has_errors();
            let (sources, diagnostics) = build::from_project_root(&config, &sources, &result.diagnostics);
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&diagnostic::to_json(&diagnostics, &sources)).unwrap_or_default()
                );
            } else if diagnostics.is_empty() {
                println!("forst: no problems in {} file{}", sources.len(), if sources.len() == 1 { "" } else { "s" });
            } else {
                eprint!("{}", diagnostic::render(&diagnostics, &sources, runtime::stderr_color()));
            }
            Ok(done(i32::from(errors)))
        }
        Command::Routes => {
            let config = runtime::resolve_config(&req)?;
            let c = config.clone();
            let (sources, result) = runtime::run_blocking(move || build::compile_project(&c)).await?;
            let (compiled, _) = build::require_output(&config, &sources, result, runtime::stderr_color())?;
            print!("{}", announce::route_table(&compiled.manifest));
            Ok(done(0))
        }
        Command::Openapi { out } => {
            let config = runtime::resolve_config(&req)?;
            let c = config.clone();
            let (sources, result) = runtime::run_blocking(move || gocheck::check_project(&c)).await?;
            let (compiled, warnings) = build::require_output(&config, &sources, result, runtime::stderr_color())?;
            build::print_warnings(&config, &warnings, true);
            let text = serde_json::to_string_pretty(&compiled.openapi).unwrap_or_default() + "\n";
            match out {
                Some(path) => {
                    write_file(&path, &text)?;
                    eprintln!(
                        "forst: wrote the OpenAPI document of {} endpoints to {}",
                        compiled.manifest.endpoints.len(),
                        path.display()
                    );
                }
                None => print!("{text}"),
            }
            Ok(done(0))
        }
        Command::Generate { types, schema } => {
            let config = runtime::resolve_config(&req)?;
            let package_dir = req.package_dir.clone();
            let c = config.clone();
            let (sources, result) = runtime::run_blocking(move || gocheck::check_project(&c)).await?;
            let (compiled, warnings) = build::require_output(&config, &sources, result, runtime::stderr_color())?;
            build::print_warnings(&config, &warnings, true);
            if let Some(dir) = package_dir {
                let written = runtime::generate::write(&dir, &config, &compiled).map_err(|e| {
                    Failure::new(500, "io_error", format!("could not write into {}: {e}", dir.display()))
                })?;
                println!(
                    "forst: generated {} function{} into {}",
                    compiled.manifest.endpoints.len(),
                    if compiled.manifest.endpoints.len() == 1 { "" } else { "s" },
                    written.display()
                );
            }
            if let Some(path) = types {
                write_file(&path, &compiled.frontend.types())?;
                println!("forst: wrote the endpoints' types to {}", path.display());
            }
            if let Some(dir) = schema {
                std::fs::create_dir_all(&dir)
                    .map_err(|e| Failure::new(500, "io_error", format!("could not create {}: {e}", dir.display())))?;
                let schemas = compiled.frontend.schemas();
                for (name, s) in &schemas {
                    let text = serde_json::to_string_pretty(s).unwrap_or_default() + "\n";
                    write_file(&dir.join(format!("{name}.schema.json")), &text)?;
                }
                println!("forst: wrote {} JSON Schemas to {}", schemas.len(), dir.display());
            }
            Ok(done(0))
        }
        Command::Build { container, tag } => {
            let config = runtime::resolve_config(&req)?;
            let go = runtime::run_blocking(build::find_go).await?;
            let c = config.clone();
            let built = runtime::run_blocking(move || build::build(&c, &go, runtime::stderr_color())).await?;
            build::print_warnings(&config, &built.warnings, true);
            // The image's build step runs `forst build`: leave the typed functions ESM imports need there too.
            if let Some(dir) = &req.package_dir {
                runtime::generate::write(dir, &config, &built.compiled).map_err(|e| {
                    Failure::new(
                        500,
                        "io_error",
                        format!("could not write the generated functions into {}: {e}", dir.display()),
                    )
                })?;
            }
            print!("{}", build_report(&config, &built));
            if container {
                build_container(&config, tag)?;
            }
            Ok(done(0))
        }
        Command::Dev { port, no_auth, token } => {
            let mut overrides = serde_json::json!({ "devServer": { "watch": true } });
            if let Some(p) = port {
                overrides["devServer"]["port"] = p.into();
            }
            req.overrides = overrides;
            req.stable_port = true;
            req.docs = true;
            if no_auth {
                eprintln!("forst: WARNING --no-auth: any program on this machine can call your routes without a token. Local use only.");
                req.no_auth = true;
            } else {
                req.session_token = Some(token.unwrap_or_else(runtime::supervisor::random_token));
            }
            let req_docs = req.package_dir.as_deref().and_then(runtime::docs_dir).is_some();
            let session_token = req.session_token.clone();
            let rt = runtime::runtime();
            let info = rt.start(req).await?;
            let manifest = rt.supervisor.manifest().unwrap_or_default();
            let dts = rt.supervisor.declarations().unwrap_or_default();
            println!("forst dev · {} (port {}, pid {}) · watching for .ft changes\n", info.url, info.port, info.pid);
            print!("{}", announce::route_table(&manifest));
            if let Some((curl, note)) = announce::curl_line(&manifest, &dts, &info.url, session_token.as_deref()) {
                match &session_token {
                    Some(_) => println!(
                        "\nTry it (calls need this X-Forst-Token until you stop forst dev; --token sets your own):"
                    ),
                    None => println!("\nTry it:"),
                }
                if let Some(note) = note {
                    println!("  ({note})");
                }
                println!("  {curl}");
            }
            match (req_docs, &session_token) {
                (true, None) => println!("\nAPI docs (try-it included): {}/__forst/docs", info.url),
                (true, Some(token)) => {
                    println!("\nAPI docs (try-it included): {}/__forst/docs#token={token}", info.url)
                }
                (false, _) => {
                    println!("\n(no API docs page: the package's assets/docs-ui/ is missing; reinstall @forst/sidecar)")
                }
            }
            println!("OpenAPI: {}/__forst/openapi.json (with the token), or `npx forst openapi`", info.url);
            println!("\nCtrl-C to stop.");
            Ok(Outcome { exit_code: 0, keep_alive: true })
        }
    }
}

/// Writes a file the user asked for (its directory must exist, as a shell redirect would want).
fn write_file(path: &std::path::Path, text: &str) -> Result<(), Failure> {
    std::fs::write(path, text)
        .map_err(|e| Failure::new(500, "io_error", format!("could not write {}: {e}", path.display())))
}

/// `forst build --container`: the Containerfile, then the image when a builder is there.
fn build_container(config: &runtime::config::Config, tag: Option<String>) -> Result<(), Failure> {
    use runtime::container;
    let manifest =
        runtime::prebuilt::BuildManifest::read(&config.output_dir).map_err(|why| Failure::new(500, "io_error", why))?;
    let file = container::write(&config.output_dir, &manifest)?;
    println!("\ncontainer {}", file.display());
    let tag = tag.unwrap_or_else(|| container::default_tag(&manifest));
    match container::find_builder() {
        Some((name, path)) => {
            println!("building the image {tag} with {name}…");
            container::build_image((name, &path), &config.output_dir, &tag)?;
            println!("image     {tag} (built with {name})");
            println!("  {name} run --rm -p 8080:8080 -e FORST_TOKEN=$(openssl rand -hex 32) {tag}");
        }
        None => println!(
            "no podman, buildah or docker on PATH: the image was not built. Build it where one is:\n  podman build --format docker -t {tag} -f {} {}",
            file.display(),
            config.output_dir.display()
        ),
    }
    Ok(())
}

/// What `forst build` prints: the artifact and how to run it.
fn build_report(config: &runtime::config::Config, built: &build::Built) -> String {
    let binary = config.output_dir.join(build::STABLE_BINARY);
    let manifest = config.output_dir.join(runtime::prebuilt::MANIFEST);
    let contract = compiler::manifest::contract(&built.compiled.manifest, &built.compiled.dts);
    let mut out = String::new();
    let _ = writeln!(out, "binary    {} ({})", binary.display(), size_of(&binary));
    let _ = writeln!(out, "manifest  {} ({})", manifest.display(), size_of(&manifest));
    let _ = writeln!(
        out,
        "routes    {} · compile {:.0} ms · go build {}",
        built.compiled.manifest.endpoints.len(),
        built.compile_ms,
        if built.cached { "cached".to_string() } else { format!("{:.0} ms", built.build_ms) }
    );
    let _ = writeln!(out, "contract  {contract} · build {} · {}", &built.hash[..16], built.go_version);
    let _ = writeln!(out, "\nRun it on its own (a token is required unless --no-auth; --help lists every option):");
    let _ = writeln!(out, "  FORST_TOKEN=$(openssl rand -hex 32) {} --listen 127.0.0.1:8080", binary.display());
    let _ = writeln!(
        out,
        "With NODE_ENV=production (or FORST_REQUIRE_PREBUILT=1), start() runs this build without Go while the .ft sources match.\nConnect an app to it with FORST_SIDECAR_URL=http://HOST:PORT and FORST_TOKEN; `forst build --container` makes an image."
    );
    out
}

fn size_of(path: &std::path::Path) -> String {
    match std::fs::metadata(path) {
        Ok(m) if m.len() >= 1 << 20 => format!("{:.1} MiB", m.len() as f64 / f64::from(1u32 << 20)),
        Ok(m) => format!("{:.1} KiB", m.len() as f64 / 1024.0),
        Err(_) => "missing".to_string(),
    }
}
