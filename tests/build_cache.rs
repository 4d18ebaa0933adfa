//! The build cache and its lock, on the example project with the real Go toolchain: two builds of one project at
//! once do not corrupt each other (one builds, the other waits and reuses), and an unchanged project skips `go build`.

use std::path::{Path, PathBuf};

use forst_sidecar::runtime::build;
use forst_sidecar::runtime::config::Config;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn example_project() -> (tempfile::TempDir, Config) {
    let dir = tempfile::tempdir().unwrap();
    let root: PathBuf = env!("CARGO_MANIFEST_DIR").into();
    copy_dir(&root.join("examples/express-app/forst"), &dir.path().join("forst"));
    let config = Config::defaults(dir.path());
    (dir, config)
}

/// The Go toolchain; tests that need it say loudly that they were skipped on a machine without one.
fn go_or_skip() -> Option<build::GoToolchain> {
    let go = build::find_go().ok();
    if go.is_none() {
        eprintln!("SKIPPED: no Go toolchain on this machine");
    }
    go
}

#[test]
fn concurrent_builds_of_one_project_share_one_go_build() {
    let Some(go) = go_or_skip() else { return };
    let (_dir, config) = example_project();
    let results: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..2).map(|_| s.spawn(|| build::build(&config, &go, false))).collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let built: Vec<_> = results.into_iter().map(|r| r.unwrap_or_else(|f| panic!("{}", f.message))).collect();
    assert_eq!(built[0].binary, built[1].binary);
    assert!(built[0].binary.is_file());
    assert_eq!(built.iter().filter(|b| b.cached).count(), 1, "exactly one of the two ran go build");

    let again = build::build(&config, &go, false).unwrap();
    assert!(again.cached, "an unchanged project skips go build");
    assert_eq!(again.binary, built[0].binary);
}

#[test]
fn an_edit_changes_the_cache_key() {
    let Some(go) = go_or_skip() else { return };
    let (dir, config) = example_project();
    let first = build::build(&config, &go, false).unwrap();
    let file = dir.path().join("forst/routes/calculate.ft");
    let text = std::fs::read_to_string(&file).unwrap().replace("math.Sqrt(result)", "math.Sqrt(result) + 1");
    std::fs::write(&file, text).unwrap();
    let second = build::build(&config, &go, false).unwrap();
    assert!(!second.cached);
    assert_ne!(first.hash, second.hash);
}
