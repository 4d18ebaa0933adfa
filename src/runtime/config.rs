//! Configuration: defaults, `forst.config.js` values (loaded by the JS side, passed here as JSON), environment
//! overrides, and validation with messages that name the key, the file and the expected type.
//!
//! Precedence, lowest first: built-in defaults → `forst.config.{js,cjs,mjs}` → environment (`FORST_*`) → options
//! passed to `start()`.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::prebuilt::Prebuilt;

/// How `go build` optimises (`compilation.optimization`). See [`crate::runtime::build`] for the exact flags.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Optimization {
    /// Go's defaults (inlining and optimisations on) plus `-trimpath`.
    Speed,
    /// Like `Speed`, and strips the symbol table and DWARF (`-ldflags=-s -w`): smaller binary, no debugger.
    Size,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// The directory containing `forst.config.js` (or `forst/`); relative paths are resolved against it.
    pub project_root: PathBuf,
    pub forst_dir: PathBuf,
    pub output_dir: PathBuf,
    /// `output`: where the typed functions are generated when not into the package itself (see
    /// [`super::generate`]): a directory of the project, for npm workspaces and for people who want them in their tree.
    pub generated_dir: Option<PathBuf>,
    /// `devServer.port`: when set, the sidecar must get exactly this port (busy → error). Unset (or 0) → a free
    /// ephemeral port: calls from this process go over the Unix socket, so the port only serves curl and other
    /// processes, and zero config must not take the port the user's own app wants (8080, 3000, …).
    pub port: Option<u16>,
    /// `devServer.watch`: recompile and hot-swap on `.ft` changes. Default: on unless `NODE_ENV=production`.
    pub watch: bool,
    pub optimization: Optimization,
    /// `compilation.debug`: build without optimisations or inlining (`-gcflags=all=-N -l`) so a debugger can step
    /// through the `.ft` lines.
    pub debug: bool,
    /// `limits.bodyBytes`: largest request body the sidecar accepts (default 64 MiB).
    pub body_limit: u64,
    /// `timeouts.readyMs`: how long a new sidecar may take to answer `/readyz` (default 10 s).
    pub ready_timeout_ms: u64,
    /// `timeouts.callMs`: default per-call timeout, 0 = none (default 0; a call's `timeoutMs` overrides it).
    pub call_timeout_ms: u64,
    /// `timeouts.shutdownGraceMs`: how long a stopping sidecar may drain in-flight calls (default 5 s).
    pub shutdown_grace_ms: u64,
    /// `timeouts.unavailableWaitMs`: how long a call made while the sidecar restarts waits for it (default 5 s).
    pub unavailable_wait_ms: u64,
    /// `limits.connections`: most connections this process opens to the sidecar (default 256). Calls beyond it
    /// wait for a connection instead of opening one each, so 30,000 concurrent calls cannot exhaust the process's
    /// file descriptors.
    pub max_connections: u64,
    /// `liveness`: how the supervisor checks that the running sidecar still answers (see [`Liveness`]).
    pub liveness: Liveness,
    /// `restart`: the crash-loop backoff (see [`Backoff`]).
    pub backoff: Backoff,
    /// Where the config was read from, for messages (`None` when zero-config).
    pub config_file: Option<PathBuf>,
    /// `forst dev --no-auth` only (never from a file or the environment): the sidecar accepts calls without a token.
    pub no_auth: bool,
    /// `forst dev` only: keep one URL across hot reloads for curl users. The sidecar binds with SO_REUSEPORT so that
    /// the next version can listen on the same port before the old one stops. Not used for in-process calls,
    /// because a second project configured with the same port could then share it instead of failing loudly.
    pub stable_port: bool,
    /// `forst dev` only: where the docs page's files are; the sidecar serves `/__forst/docs` when set.
    pub docs_dir: Option<PathBuf>,
    /// `forst dev` only: one token for the whole session (its `--token`, or one made at start), so the printed curl
    /// line keeps working across reloads and restarts. `None`: a new random token for every spawned child.
    pub session_token: Option<String>,
    /// `FORST_TRANSPORT` (`unix`, the default on Unix, or `tcp`): calls from this process with bodies up to 64 KiB go
    /// over a Unix socket beside the loopback TCP port (8–10% off a small call made one at a time; larger bodies are
    /// faster over TCP, see `client.rs`). TCP stays for `/readyz`, large bodies, curl and non-Node callers.
    pub unix_socket: bool,
    /// Production mode (see [`super::prebuilt`]): `FORST_REQUIRE_PREBUILT=1`, or `NODE_ENV=production` unless
    /// `FORST_REQUIRE_PREBUILT=0`, requires the build `forst build` left in `outputDir` and never runs Go.
    pub prebuilt: Prebuilt,
    /// Connect mode: `sidecar: { url, token }` or `FORST_SIDECAR_URL` (+ `FORST_TOKEN` / `FORST_TOKEN_FILE`): call a
    /// sidecar that runs elsewhere (a native sidecar container in the pod) instead of spawning one.
    pub sidecar: Option<RemoteSidecar>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemoteSidecar {
    /// `http://host:port`, without a trailing slash.
    pub url: String,
    /// Empty when the sidecar runs with `--no-auth`.
    pub token: String,
}

pub const DEFAULT_BODY_LIMIT: u64 = 64 * 1024 * 1024;

/// `liveness: { periodMs, timeoutMs, failureThreshold }` — Kubernetes' probe semantics: every `period_ms` the
/// supervisor asks the running sidecar for `/healthz` on a connection of its own; after `failure_threshold` answers
/// missing or later than `timeout_ms` in a row, it kills the sidecar and starts a new one. `period_ms: 0` disables it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Liveness {
    pub period_ms: u64,
    pub timeout_ms: u64,
    pub failure_threshold: u64,
}

/// `restart: { backoffMs, maxBackoffMs }`: after a crash the sidecar is restarted after `backoff_ms`, doubled for
/// each further crash in a row up to `max_backoff_ms`, and never given up on. A sidecar that served for a minute
/// resets the count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    pub backoff_ms: u64,
    pub max_backoff_ms: u64,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff { backoff_ms: 100, max_backoff_ms: 30_000 }
    }
}

impl Config {
    pub fn defaults(project_root: &Path) -> Config {
        Config {
            project_root: project_root.to_path_buf(),
            forst_dir: project_root.join("forst"),
            output_dir: project_root.join("dist").join("forst"),
            generated_dir: None,
            port: None,
            watch: !production(),
            optimization: Optimization::Speed,
            debug: false,
            body_limit: DEFAULT_BODY_LIMIT,
            ready_timeout_ms: 10_000,
            call_timeout_ms: 0,
            shutdown_grace_ms: 5_000,
            unavailable_wait_ms: 5_000,
            max_connections: 256,
            liveness: Liveness { period_ms: 1_000, timeout_ms: 2_000, failure_threshold: 3 },
            backoff: Backoff::default(),
            config_file: None,
            no_auth: false,
            stable_port: false,
            docs_dir: None,
            session_token: None,
            unix_socket: cfg!(unix),
            prebuilt: if production() { Prebuilt::Required } else { Prebuilt::Fallback },
            sidecar: None,
        }
    }

    /// Builds the configuration from the user's config object (`null` when there is no file), then applies the
    /// environment. Every problem is reported, not just the first.
    #[cfg(test)]
    pub fn resolve(
        project_root: &Path,
        file: Option<&Path>,
        user: &Value,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Config, Vec<String>> {
        Config::resolve_with(project_root, file, user, &Value::Null, env)
    }

    /// The configuration from the file's value, then the options passed to `start()` (each problem blamed on where it
    /// was written: a typo in `start({...})` is not the config file's fault), then the environment.
    pub fn resolve_with(
        project_root: &Path,
        file: Option<&Path>,
        user: &Value,
        overrides: &Value,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Config, Vec<String>> {
        let mut config = Config::defaults(project_root);
        config.config_file = file.map(Path::to_path_buf);
        let mut errors = Vec::new();
        let file_name = file.map(|f| f.display().to_string()).unwrap_or_else(|| "forst.config.js".to_string());
        for (value, where_) in [(user, file_name.as_str()), (overrides, "start() options")] {
            let mut v = Validator { errors: &mut errors, file: where_ };
            match value {
                Value::Null => {}
                Value::Object(_) => v.apply(&mut config, value),
                other => v.errors.push(format!("{where_}: the configuration must be an object, got {}", kind(other))),
            }
        }
        apply_env(&mut config, env, &mut errors);
        if errors.is_empty() {
            Ok(config)
        } else {
            Err(errors)
        }
    }
}

/// `base` joined with a configured path (absolute ones are kept), without `.` and `..` steps, so that the paths in
/// messages and generated files read as the user would write them (`/app/gen`, not `/app/./gen`).
fn under(base: &Path, path: &str) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in base.join(path).components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

fn production() -> bool {
    std::env::var("NODE_ENV").is_ok_and(|v| v == "production")
}

/// Environment overrides (documented in the README's configuration table).
fn apply_env(config: &mut Config, env: &dyn Fn(&str) -> Option<String>, errors: &mut Vec<String>) {
    if let Some(dir) = env("FORST_DIR").filter(|s| !s.is_empty()) {
        // Like any path in the environment, relative to the current directory (the JS side searched for the project
        // from there too).
        config.forst_dir = under(&std::env::current_dir().unwrap_or_default(), &dir);
    }
    if let Some(dir) = env("FORST_OUTPUT_DIR").filter(|s| !s.is_empty()) {
        config.output_dir = under(&config.project_root, &dir);
    }
    if let Some(port) = env("FORST_PORT").filter(|s| !s.is_empty()) {
        match port.parse::<u16>() {
            Ok(p) => config.port = Some(p),
            Err(_) => errors.push(format!("FORST_PORT: expected a port number (0-65535), got {port:?}")),
        }
    }
    if let Some(w) = env("FORST_WATCH").filter(|s| !s.is_empty()) {
        config.watch = !matches!(w.as_str(), "0" | "false" | "no" | "off");
    }
    if let Some(d) = env("FORST_DEBUG").filter(|s| !s.is_empty()) {
        config.debug = !matches!(d.as_str(), "0" | "false" | "no" | "off");
    }
    if let Some(t) = env("FORST_TRANSPORT").filter(|s| !s.is_empty()) {
        match t.as_str() {
            "tcp" => config.unix_socket = false,
            "unix" if cfg!(unix) => config.unix_socket = true,
            _ => errors.push(format!(
                "FORST_TRANSPORT: expected {}, got {t:?}",
                if cfg!(unix) { "\"unix\" or \"tcp\"" } else { "\"tcp\" (Unix sockets need a Unix system)" }
            )),
        }
    }
    apply_sidecar_env(config, env, errors);
    if let Some(v) = env("FORST_REQUIRE_PREBUILT").filter(|s| !s.is_empty()) {
        match v.as_str() {
            "1" | "true" | "yes" | "on" => config.prebuilt = Prebuilt::Required,
            "0" | "false" | "no" | "off" => config.prebuilt = Prebuilt::Fallback,
            _ => errors.push(format!("FORST_REQUIRE_PREBUILT: expected 1 or 0, got {v:?}")),
        }
    }
    if let Some(limit) = env("FORST_BODY_LIMIT").filter(|s| !s.is_empty()) {
        match limit.parse::<u64>() {
            Ok(n) if n > 0 => config.body_limit = n,
            _ => errors.push(format!("FORST_BODY_LIMIT: expected a positive number of bytes, got {limit:?}")),
        }
    }
}

/// `FORST_SIDECAR_URL` wins over `sidecar.url`; the token comes from `FORST_TOKEN`, else `FORST_TOKEN_FILE`, else
/// the file's `sidecar.token` / `sidecar.tokenFile` (already read into `config.sidecar`).
fn apply_sidecar_env(config: &mut Config, env: &dyn Fn(&str) -> Option<String>, errors: &mut Vec<String>) {
    if let Some(url) = env("FORST_SIDECAR_URL").filter(|s| !s.is_empty()) {
        match sidecar_url(&url) {
            Ok(url) => {
                let token = config.sidecar.take().map(|s| s.token).unwrap_or_default();
                config.sidecar = Some(RemoteSidecar { url, token });
            }
            Err(why) => errors.push(format!("FORST_SIDECAR_URL: {why}")),
        }
    }
    let Some(sidecar) = config.sidecar.as_mut() else { return };
    if let Some(token) = env("FORST_TOKEN").filter(|s| !s.is_empty()) {
        sidecar.token = token;
    } else if let Some(file) = env("FORST_TOKEN_FILE").filter(|s| !s.is_empty()) {
        match read_token(Path::new(&file)) {
            Ok(token) => sidecar.token = token,
            Err(why) => errors.push(format!("FORST_TOKEN_FILE: {why}")),
        }
    }
}

/// `http://host:port` (a trailing slash is dropped). HTTPS is not spoken: the sidecar is meant to be in the same pod
/// or network; put a mesh or a proxy in between for anything else.
fn sidecar_url(url: &str) -> Result<String, String> {
    let url = url.trim_end_matches('/');
    let rest = url.strip_prefix("http://").ok_or_else(|| format!("expected http://host:port, got {url:?}"))?;
    if rest.is_empty() || rest.contains('/') || rest.contains('?') {
        return Err(format!("expected http://host:port without a path, got {url:?}"));
    }
    Ok(url.to_string())
}

fn read_token(path: &Path) -> Result<String, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {} ({e})", path.display()))?;
    let token = text.trim().to_string();
    if token.is_empty() {
        return Err(format!("{} is empty", path.display()));
    }
    Ok(token)
}

const TOP_KEYS: &[&str] = &[
    "forstDir",
    "outputDir",
    "output",
    "devServer",
    "compilation",
    "limits",
    "timeouts",
    "liveness",
    "restart",
    "sidecar",
];
const SIDECAR_KEYS: &[&str] = &["url", "token", "tokenFile"];
const DEV_KEYS: &[&str] = &["port", "watch"];
const COMPILATION_KEYS: &[&str] = &["optimization", "debug"];
const LIMIT_KEYS: &[&str] = &["bodyBytes", "connections"];
const LIVENESS_KEYS: &[&str] = &["periodMs", "timeoutMs", "failureThreshold"];
const RESTART_KEYS: &[&str] = &["backoffMs", "maxBackoffMs"];
const TIMEOUT_KEYS: &[&str] = &["readyMs", "callMs", "shutdownGraceMs", "unavailableWaitMs"];

struct Validator<'a> {
    errors: &'a mut Vec<String>,
    file: &'a str,
}

impl Validator<'_> {
    fn apply(&mut self, config: &mut Config, user: &Value) {
        let Some(obj) = self.object(user, "", TOP_KEYS) else { return };
        let root = config.project_root.clone();
        if let Some(dir) = self.string(obj.get("forstDir"), "forstDir") {
            config.forst_dir = under(&root, &dir);
        }
        if let Some(dir) = self.string(obj.get("outputDir"), "outputDir") {
            config.output_dir = under(&root, &dir);
        }
        if let Some(dir) = self.string(obj.get("output"), "output") {
            config.generated_dir = Some(under(&root, &dir));
        }
        if let Some(dev) = obj.get("devServer").and_then(|d| self.object(d, "devServer", DEV_KEYS)) {
            if let Some(port) = self.number(dev.get("port"), "devServer.port", 0.0, 65535.0) {
                config.port = Some(port as u16);
            }
            if let Some(watch) = self.boolean(dev.get("watch"), "devServer.watch") {
                config.watch = watch;
            }
        }
        if let Some(c) = obj.get("compilation").and_then(|c| self.object(c, "compilation", COMPILATION_KEYS)) {
            match c.get("optimization") {
                None | Some(Value::Null) => {}
                Some(Value::String(s)) if s == "speed" => config.optimization = Optimization::Speed,
                Some(Value::String(s)) if s == "size" => config.optimization = Optimization::Size,
                Some(other) => self.errors.push(format!(
                    "{}: compilation.optimization must be \"speed\" or \"size\", got {}",
                    self.file,
                    short(other)
                )),
            }
            if let Some(debug) = self.boolean(c.get("debug"), "compilation.debug") {
                config.debug = debug;
            }
        }
        if let Some(l) = obj.get("limits").and_then(|l| self.object(l, "limits", LIMIT_KEYS)) {
            if let Some(n) = self.number(l.get("bodyBytes"), "limits.bodyBytes", 1.0, 1e15) {
                config.body_limit = n as u64;
            }
            if let Some(n) = self.number(l.get("connections"), "limits.connections", 1.0, 65_536.0) {
                config.max_connections = n as u64;
            }
        }
        if let Some(l) = obj.get("liveness").and_then(|l| self.object(l, "liveness", LIVENESS_KEYS)) {
            let live = &mut config.liveness;
            self.numbers(
                l,
                "liveness",
                [("periodMs", &mut live.period_ms, 0.0), ("timeoutMs", &mut live.timeout_ms, 1.0)],
            );
            if let Some(n) = self.number(l.get("failureThreshold"), "liveness.failureThreshold", 1.0, 1000.0) {
                live.failure_threshold = n as u64;
            }
        }
        if let Some(r) = obj.get("restart").and_then(|r| self.object(r, "restart", RESTART_KEYS)) {
            let b = &mut config.backoff;
            self.numbers(
                r,
                "restart",
                [("backoffMs", &mut b.backoff_ms, 0.0), ("maxBackoffMs", &mut b.max_backoff_ms, 0.0)],
            );
        }
        if let Some(sc) = obj.get("sidecar").and_then(|s| self.object(s, "sidecar", SIDECAR_KEYS)) {
            if let Some(url) = self.string(sc.get("url"), "sidecar.url") {
                let token = match (
                    self.string(sc.get("token"), "sidecar.token"),
                    self.string(sc.get("tokenFile"), "sidecar.tokenFile"),
                ) {
                    (Some(token), _) => token,
                    (None, Some(file)) => read_token(&root.join(file)).unwrap_or_else(|why| {
                        self.errors.push(format!("{}: sidecar.tokenFile: {why}", self.file));
                        String::new()
                    }),
                    (None, None) => String::new(),
                };
                match sidecar_url(&url) {
                    Ok(url) => config.sidecar = Some(RemoteSidecar { url, token }),
                    Err(why) => self.errors.push(format!("{}: sidecar.url: {why}", self.file)),
                }
            }
        }
        if let Some(t) = obj.get("timeouts").and_then(|t| self.object(t, "timeouts", TIMEOUT_KEYS)) {
            self.numbers(
                t,
                "timeouts",
                [
                    ("readyMs", &mut config.ready_timeout_ms, 0.0),
                    ("callMs", &mut config.call_timeout_ms, 0.0),
                    ("shutdownGraceMs", &mut config.shutdown_grace_ms, 0.0),
                    ("unavailableWaitMs", &mut config.unavailable_wait_ms, 0.0),
                ],
            );
        }
    }

    /// Millisecond settings of one section: whole numbers from `min` to a day.
    fn numbers<const N: usize>(
        &mut self,
        section: &serde_json::Map<String, Value>,
        name: &str,
        fields: [(&str, &mut u64, f64); N],
    ) {
        for (key, slot, min) in fields {
            if let Some(n) = self.number(section.get(key), &format!("{name}.{key}"), min, 86_400_000.0) {
                *slot = n as u64;
            }
        }
    }

    /// An object whose keys must all be known; unknown keys are reported with a "did you mean" when one is close.
    fn object<'v>(&mut self, v: &'v Value, path: &str, known: &[&str]) -> Option<&'v serde_json::Map<String, Value>> {
        let Value::Object(map) = v else {
            if !v.is_null() {
                self.errors.push(format!("{}: {path} must be an object, got {}", self.file, short(v)));
            }
            return None;
        };
        for key in map.keys() {
            if !known.contains(&key.as_str()) {
                let full = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
                let hint = closest(key, known).map(|k| format!(" (did you mean `{k}`?)")).unwrap_or_default();
                self.errors.push(format!(
                    "{}: unknown key `{full}`{hint}; known keys here: {}",
                    self.file,
                    known.join(", ")
                ));
            }
        }
        Some(map)
    }

    fn string(&mut self, v: Option<&Value>, key: &str) -> Option<String> {
        match v? {
            Value::Null => None,
            Value::String(s) if !s.is_empty() => Some(s.clone()),
            other => {
                self.errors.push(format!(
                    "{}: {key} must be a non-empty string (a path), got {}",
                    self.file,
                    short(other)
                ));
                None
            }
        }
    }

    fn boolean(&mut self, v: Option<&Value>, key: &str) -> Option<bool> {
        match v? {
            Value::Null => None,
            Value::Bool(b) => Some(*b),
            other => {
                self.errors.push(format!("{}: {key} must be true or false, got {}", self.file, short(other)));
                None
            }
        }
    }

    fn number(&mut self, v: Option<&Value>, key: &str, min: f64, max: f64) -> Option<f64> {
        match v? {
            Value::Null => None,
            Value::Number(n) => match n.as_f64() {
                Some(x) if x.fract() == 0.0 && x >= min && x <= max => Some(x),
                _ => {
                    self.errors
                        .push(format!("{}: {key} must be a whole number from {min} to {max}, got {n}", self.file));
                    None
                }
            },
            other => {
                self.errors.push(format!("{}: {key} must be a number, got {}", self.file, short(other)));
                None
            }
        }
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The value as the user wrote it, for messages: `"8080"` (a string), `[1]` (an array).
fn short(v: &Value) -> String {
    let text = v.to_string();
    let text = if text.len() > 40 { format!("{}…", text.chars().take(40).collect::<String>()) } else { text };
    format!("{text} ({})", kind(v))
}

/// The known key within edit distance 2 of `key`, if any.
fn closest<'k>(key: &str, known: &[&'k str]) -> Option<&'k str> {
    known
        .iter()
        .map(|k| (edit_distance(&key.to_lowercase(), &k.to_lowercase()), *k))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev.get(j).copied().unwrap_or(0) + usize::from(ca != *cb);
            let del = prev.get(j + 1).copied().unwrap_or(0) + 1;
            let ins = cur.get(j).copied().unwrap_or(0) + 1;
            cur.push(sub.min(del).min(ins));
        }
        prev = cur;
    }
    prev.last().copied().unwrap_or(0)
}

/// Finds the project root from `start`: the nearest directory (itself or an ancestor) holding a
/// `forst.config.{js,cjs,mjs}` or a `forst/` directory.
pub fn find_project_root(start: &Path) -> Option<PathBuf> {
    start.ancestors().find(|dir| config_file_in(dir).is_some() || dir.join("forst").is_dir()).map(Path::to_path_buf)
}

/// The config file in `dir`, if any.
pub fn config_file_in(dir: &Path) -> Option<PathBuf> {
    ["forst.config.js", "forst.config.cjs", "forst.config.mjs"].iter().map(|n| dir.join(n)).find(|p| p.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn configured_paths_are_normalised() {
        assert_eq!(under(Path::new("/app"), "./forst/generated"), PathBuf::from("/app/forst/generated"));
        assert_eq!(under(Path::new("/app/sub"), "../gen"), PathBuf::from("/app/gen"));
        assert_eq!(under(Path::new("/app"), "/abs/dir"), PathBuf::from("/abs/dir"));
    }

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn rfc_config_is_accepted() {
        let user = json!({
            "forstDir": "./forst", "outputDir": "./dist/forst",
            "devServer": {"port": 8080, "watch": true},
            "compilation": {"optimization": "speed", "debug": false}
        });
        let c = Config::resolve(Path::new("/app"), None, &user, &no_env).unwrap();
        assert_eq!(c.port, Some(8080));
        assert_eq!(c.forst_dir, Path::new("/app/./forst"));
        assert_eq!(c.optimization, Optimization::Speed);
    }

    #[test]
    fn unknown_key_suggests_the_close_one_and_names_the_file() {
        let user = json!({"devServer": {"prot": 1}});
        let errs =
            Config::resolve(Path::new("/app"), Some(Path::new("/app/forst.config.js")), &user, &no_env).unwrap_err();
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert!(errs[0].contains("/app/forst.config.js"), "{}", errs[0]);
        assert!(errs[0].contains("unknown key `devServer.prot` (did you mean `port`?)"), "{}", errs[0]);
    }

    #[test]
    fn wrong_types_are_all_reported() {
        let user = json!({"devServer": {"port": "8080", "watch": 1}, "compilation": {"optimization": "fast"}});
        let errs = Config::resolve(Path::new("/app"), None, &user, &no_env).unwrap_err();
        assert_eq!(errs.len(), 3, "{errs:?}");
        assert!(errs[0].contains("devServer.port must be a number, got \"8080\" (a string)"), "{}", errs[0]);
        assert!(errs[1].contains("devServer.watch must be true or false"), "{}", errs[1]);
        assert!(errs[2].contains("\"speed\" or \"size\""), "{}", errs[2]);
    }

    #[test]
    fn environment_overrides_the_file() {
        let env = |k: &str| match k {
            "FORST_PORT" => Some("9000".to_string()),
            "FORST_BODY_LIMIT" => Some("1024".to_string()),
            _ => None,
        };
        let c = Config::resolve(Path::new("/app"), None, &json!({"devServer": {"port": 1}}), &env).unwrap();
        assert_eq!(c.port, Some(9000));
        assert_eq!(c.body_limit, 1024);
    }

    #[test]
    fn connect_mode_from_the_file_or_the_environment() {
        let user = json!({"sidecar": {"url": "http://forst:8080/", "token": "from-file"}});
        let c = Config::resolve(Path::new("/app"), None, &user, &no_env).unwrap();
        assert_eq!(c.sidecar, Some(RemoteSidecar { url: "http://forst:8080".into(), token: "from-file".into() }));
        let env = |k: &str| match k {
            "FORST_SIDECAR_URL" => Some("http://127.0.0.1:9000".to_string()),
            "FORST_TOKEN" => Some("from-env".to_string()),
            _ => None,
        };
        let c = Config::resolve(Path::new("/app"), None, &Value::Null, &env).unwrap();
        assert_eq!(c.sidecar, Some(RemoteSidecar { url: "http://127.0.0.1:9000".into(), token: "from-env".into() }));
        let no_url = |k: &str| (k == "FORST_TOKEN").then(|| "t".to_string());
        assert_eq!(Config::resolve(Path::new("/app"), None, &Value::Null, &no_url).unwrap().sidecar, None);
        let bad = |k: &str| (k == "FORST_SIDECAR_URL").then(|| "https://x:1".to_string());
        let errs = Config::resolve(Path::new("/app"), None, &Value::Null, &bad).unwrap_err();
        assert!(errs[0].contains("FORST_SIDECAR_URL: expected http://host:port"), "{errs:?}");
    }

    #[test]
    fn liveness_restart_and_connection_limits_are_read_and_checked() {
        let user = json!({
            "limits": {"connections": 64},
            "liveness": {"periodMs": 200, "failureThreshold": 2},
            "restart": {"backoffMs": 10, "maxBackoffMs": 500}
        });
        let c = Config::resolve(Path::new("/app"), None, &user, &no_env).unwrap();
        assert_eq!(c.max_connections, 64);
        assert_eq!(c.liveness, Liveness { period_ms: 200, timeout_ms: 2000, failure_threshold: 2 });
        assert_eq!(c.backoff, Backoff { backoff_ms: 10, max_backoff_ms: 500 });
        let bad = json!({"limits": {"connections": 0}, "liveness": {"timeoutMs": 0, "perodMs": 1}});
        let errs = Config::resolve(Path::new("/app"), None, &bad, &no_env).unwrap_err();
        assert_eq!(errs.len(), 3, "{errs:?}");
        assert!(errs.iter().any(|e| e.contains("limits.connections must be a whole number from 1")), "{errs:?}");
        assert!(errs.iter().any(|e| e.contains("`liveness.perodMs` (did you mean `periodMs`?)")), "{errs:?}");
    }

    #[test]
    fn bad_environment_values_are_errors() {
        let env = |k: &str| (k == "FORST_PORT").then(|| "eighty".to_string());
        let errs = Config::resolve(Path::new("/app"), None, &Value::Null, &env).unwrap_err();
        assert!(errs[0].starts_with("FORST_PORT: expected a port number"), "{}", errs[0]);
    }
}
