//! Watch `forstDir` and hot-reload: debounce file events, recompile, and either keep the old sidecar serving (and
//! report the diagnostics once) or build the new one and swap it in with zero downtime.
//!
//! Uses `notify` (inotify on Linux), recursive, so new folders are watched as they appear. Atomic saves (write to a
//! temporary file, rename over the original), renames and deletions all arrive as events on `.ft` paths or on
//! directories; editor temporaries (`.swp`, `~`, `#…#`, `4913`) and anything inside `outputDir` are ignored.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use notify::{EventKind, RecursiveMode, Watcher};
use tokio::sync::mpsc;

use super::announce;
use super::build::{self, GoToolchain};
use super::config::Config;
use super::failure::Failure;
use super::supervisor::Supervisor;
use super::{generate, run_blocking, stderr_color};

/// Quiet time after the last event before a reload starts while a save may still be under way: editors make several
/// events per save (truncate, write, close; or write a temporary file and rename it over the original).
const DEBOUNCE: Duration = Duration::from_millis(60);

/// The same after an event that ends a change ([`ends_a_change`]): whatever else the save does follows at once, so the
/// reload need not wait [`DEBOUNCE`] (it was 60 ms of the 0.5–0.8 s from save to new answer served).
const SETTLE: Duration = Duration::from_millis(10);

/// Keeps the watch alive; dropping it stops watching and ends the reload task.
pub struct WatchHandle {
    _watcher: notify::RecommendedWatcher,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for WatchHandle {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Is this path worth a reload?
pub fn is_relevant(path: &Path, output_dir: &Path) -> bool {
    if path.starts_with(output_dir) {
        return false;
    }
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    if name.starts_with('.') || name.starts_with('#') || name.ends_with('~') || name.ends_with(".swp") || name == "4913"
    {
        return false;
    }
    // `.ft` files, and paths without an extension (directories created, renamed or deleted with their files).
    match path.extension() {
        Some(ext) => ext == "ft",
        None => true,
    }
}

/// Does this event end a change to a file rather than start or continue one: the file was closed after writing,
/// renamed into place, or removed? (Only inotify reports closes; elsewhere every save waits [`DEBOUNCE`].)
pub fn ends_a_change(kind: &EventKind) -> bool {
    use notify::event::{AccessKind, AccessMode, ModifyKind, RenameMode};
    matches!(
        kind,
        EventKind::Access(AccessKind::Close(AccessMode::Write))
            | EventKind::Modify(ModifyKind::Name(RenameMode::To | RenameMode::Both))
            | EventKind::Remove(_)
    )
}

/// Starts watching. `package_dir` is where generated functions are rewritten after each successful reload.
pub fn watch(
    supervisor: Arc<Supervisor>,
    config: Config,
    go: GoToolchain,
    package_dir: Option<PathBuf>,
) -> Result<WatchHandle, Failure> {
    // Each relevant event, and whether it ends a change.
    let (tx, rx) = mpsc::unbounded_channel::<bool>();
    let output_dir = config.output_dir.clone();
    let mut watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
        if let Ok(event) = res {
            // Reads are events too (inotify open/close): the reload's own compile reads every file, and reacting to
            // that would reload forever. Only changes count, and the close of a file written to.
            let ends = ends_a_change(&event.kind);
            if matches!(event.kind, EventKind::Access(_)) && !ends {
                return;
            }
            if event.paths.iter().any(|p| is_relevant(p, &output_dir)) {
                let _ = tx.send(ends);
            }
        }
    })
    .map_err(|e| Failure::new(500, "watch_failed", format!("could not watch {}: {e}", config.forst_dir.display())))?;
    watcher.watch(&config.forst_dir, RecursiveMode::Recursive).map_err(|e| {
        Failure::new(500, "watch_failed", format!("could not watch {}: {e}", config.forst_dir.display()))
    })?;
    let task = tokio::spawn(reload_loop(rx, supervisor, config, go, package_dir));
    Ok(WatchHandle { _watcher: watcher, task })
}

async fn reload_loop(
    mut rx: mpsc::UnboundedReceiver<bool>,
    supervisor: Arc<Supervisor>,
    config: Config,
    go: GoToolchain,
    package_dir: Option<PathBuf>,
) {
    let mut last_reported = String::new();
    while let Some(mut ended) = rx.recv().await {
        // Debounce: wait until events stop, for SETTLE after the end of a change and DEBOUNCE otherwise.
        while let Ok(Some(ends)) = tokio::time::timeout(if ended { SETTLE } else { DEBOUNCE }, rx.recv()).await {
            ended = ends;
        }
        let t0 = Instant::now();
        let (cfg, g) = (config.clone(), go.clone());
        match run_blocking(move || build::build(&cfg, &g, stderr_color())).await {
            Err(f) => {
                // Print a given set of diagnostics once, however many saves repeat it.
                if f.message != last_reported {
                    eprintln!("[forst] ✗ reload failed — the previous version keeps serving\n{}", f.message);
                    last_reported = f.message.clone();
                }
                supervisor.record_error(f);
            }
            Ok(built) => {
                last_reported.clear();
                build::print_warnings(&config, &built.warnings, false);
                let routes = built.compiled.manifest.endpoints.len();
                let (compile_ms, build_ms, cached) = (built.compile_ms, built.build_ms, built.cached);
                if let Some(dir) = &package_dir {
                    if let Err(e) = generate::write(dir, &config, &built.compiled) {
                        eprintln!("[forst] warning: could not rewrite the generated functions: {e}");
                    }
                }
                let before = supervisor.manifest().map(|m| announce::route_table(&m));
                let (manifest, dts) = (built.compiled.manifest.clone(), built.compiled.dts.clone());
                match supervisor.swap(built).await {
                    Ok(child) => {
                        eprintln!(
                            "{}",
                            reload_line(routes, compile_ms, if cached { None } else { Some(build_ms) }, t0.elapsed())
                        );
                        // `forst dev`: the route table again when it changed, with a curl line for the new routes.
                        let table = announce::route_table(&manifest);
                        if config.stable_port && before.as_deref() != Some(table.as_str()) {
                            let url = &child.at.base_url;
                            let curl = announce::curl_line(&manifest, &dts, url, config.session_token.as_deref());
                            let curl = curl.map(|(c, note)| match note {
                                Some(n) => format!("  ({n})\n  {c}\n"),
                                None => format!("  {c}\n"),
                            });
                            println!("\nroutes changed:\n{table}{}", curl.unwrap_or_default());
                        }
                    }
                    Err(f) => {
                        eprintln!(
                            "[forst] ✗ the new version did not start — the previous version keeps serving\n{}",
                            f.message
                        );
                        supervisor.record_error(f);
                    }
                }
            }
        }
    }
}

/// `forst ✓ 5 routes · compile 9 ms · go build 610 ms · swapped in 0.7 s` (green tick on a TTY without NO_COLOR).
pub fn reload_line(routes: usize, compile_ms: f64, build_ms: Option<f64>, total: Duration) -> String {
    let tick = if stderr_color() { "\x1b[32m✓\x1b[0m" } else { "✓" };
    let build = match build_ms {
        Some(ms) => format!("go build {ms:.0} ms"),
        None => "go build cached".to_string(),
    };
    format!(
        "forst {tick} {routes} route{} · compile {compile_ms:.0} ms · {build} · swapped in {:.1} s",
        if routes == 1 { "" } else { "s" },
        total.as_secs_f64()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relevance_filters_editor_noise_and_output() {
        let out = Path::new("/p/dist/forst");
        assert!(is_relevant(Path::new("/p/forst/routes/a.ft"), out));
        assert!(is_relevant(Path::new("/p/forst/routes/new_folder"), out));
        assert!(!is_relevant(Path::new("/p/forst/routes/.a.ft.swp"), out));
        assert!(!is_relevant(Path::new("/p/forst/routes/a.ft~"), out));
        assert!(!is_relevant(Path::new("/p/forst/routes/4913"), out));
        assert!(!is_relevant(Path::new("/p/forst/notes.md"), out));
        assert!(!is_relevant(Path::new("/p/dist/forst/src/x.ft"), out));
    }

    #[test]
    fn the_end_of_a_change_is_a_close_after_writing_a_rename_into_place_or_a_removal() {
        use notify::event::{AccessKind, AccessMode, CreateKind, DataChange, ModifyKind, RemoveKind, RenameMode};
        assert!(ends_a_change(&EventKind::Access(AccessKind::Close(AccessMode::Write))));
        assert!(ends_a_change(&EventKind::Modify(ModifyKind::Name(RenameMode::To))));
        assert!(ends_a_change(&EventKind::Modify(ModifyKind::Name(RenameMode::Both))));
        assert!(ends_a_change(&EventKind::Remove(RemoveKind::File)));
        // A read (the reload's own compile), a write still under way, a file just created, a rename's first half.
        assert!(!ends_a_change(&EventKind::Access(AccessKind::Close(AccessMode::Read))));
        assert!(!ends_a_change(&EventKind::Access(AccessKind::Open(AccessMode::Any))));
        assert!(!ends_a_change(&EventKind::Modify(ModifyKind::Data(DataChange::Any))));
        assert!(!ends_a_change(&EventKind::Create(CreateKind::File)));
        assert!(!ends_a_change(&EventKind::Modify(ModifyKind::Name(RenameMode::From))));
    }

    #[test]
    fn reload_line_reads_well() {
        std::env::set_var("NO_COLOR", "1");
        let line = reload_line(5, 9.2, Some(610.0), Duration::from_millis(700));
        assert_eq!(line, "forst ✓ 5 routes · compile 9 ms · go build 610 ms · swapped in 0.7 s");
    }
}
