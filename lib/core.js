// The JS half of @forst/sidecar's public surface: project discovery, lazy start, argument encoding, ForstError.
// Everything heavy (compiling, building, supervising, the HTTP hop) happens in the native addon (binding.js).
"use strict";

const fs = require("node:fs");
const path = require("node:path");

const PACKAGE_DIR = path.resolve(__dirname, "..");
const ERROR_PREFIX = "FORST_ERROR:";

let binding;
function native() {
  if (!binding) {
    try {
      binding = require("../binding.js");
    } catch (cause) {
      const platform = platformName();
      throw new ForstError({
        status: 500,
        code: "addon_missing",
        message:
          `the @forst/sidecar native addon for this platform (${platform}) could not be loaded. ` +
          (SUPPORTED_PLATFORMS.includes(platform)
            ? `It comes in the package @forst/sidecar-${platform}, which npm installs as an optional dependency of ` +
              `@forst/sidecar: it is missing when optional dependencies were omitted (--omit=optional) or the lockfile ` +
              `was made on another platform — run \`npm install @forst/sidecar-${platform}\`. `
            : `No prebuilt addon exists for it (there are: ${SUPPORTED_PLATFORMS.join(", ")}). `) +
          "In a checkout of @forst/sidecar, `npm run build` builds it for this machine (Rust ≥ 1.88). " +
          "Cause: " + (cause && cause.message),
      });
    }
  }
  return binding;
}

/** The platforms a release ships an addon for (package.json `napi.targets`, as napi-rs names them). */
const SUPPORTED_PLATFORMS = ["linux-x64-gnu", "linux-x64-musl", "linux-arm64-gnu", "linux-arm64-musl", "darwin-x64", "darwin-arm64", "win32-x64-msvc"];

/** `linux-x64-musl`, `darwin-arm64`, `win32-x64-msvc`: the suffix of the platform package, as the napi loader picks it. */
function platformName() {
  const base = `${process.platform}-${process.arch}`;
  if (process.platform === "win32") return `${base}-msvc`;
  if (process.platform !== "linux") return base;
  const glibc = process.report?.getReport?.().header?.glibcVersionRuntime;
  return `${base}-${glibc ? "gnu" : "musl"}`;
}

/** Every failure of a Forst call or of the sidecar's lifecycle. */
class ForstError extends Error {
  constructor({ status, code, message, function: fn, location, details }) {
    super(message);
    this.name = "ForstError";
    /** HTTP-like status: 400 invalid input, 404 unknown function, 500 returned error/panic, 503 unavailable, … */
    this.status = status;
    /** Stable code: invalid_input, returned_error, panic, unknown_function, unavailable, timeout, aborted, … */
    this.code = code;
    /** The Forst function the call was for, when there was one. */
    this.function = fn;
    /** `routes/x.ft:12` for panics, when known. */
    this.location = location;
    /** More for programs: a nominal error's fields; the JSON path and constraint of invalid input. */
    if (details !== undefined) this.details = details;
  }

  /** Parses the `{"error": {...}}` envelope the sidecar and the addon use. */
  static fromEnvelope(text, status) {
    const { error } = JSON.parse(text);
    return new ForstError({ status: error.status ?? status, ...error });
  }
}

/** Native errors carry the envelope in their message; anything else is wrapped, keeping its message. */
function toForstError(err) {
  if (err instanceof ForstError) return err;
  const message = err && typeof err.message === "string" ? err.message : String(err);
  if (message.startsWith(ERROR_PREFIX)) {
    try {
      return ForstError.fromEnvelope(message.slice(ERROR_PREFIX.length));
    } catch {}
  }
  const wrapped = new ForstError({ status: 500, code: "internal", message: "internal error in @forst/sidecar: " + message });
  wrapped.cause = err;
  return wrapped;
}

const CONFIG_NAMES = ["forst.config.js", "forst.config.cjs", "forst.config.mjs"];

/**
 * Finds the project: the nearest directory (`cwd` itself or a parent) with forst.config.* or forst/. With FORST_DIR
 * (relative to `cwd`) the search starts beside that directory, and its parent is the project when nothing above it
 * has a config file — so FORST_DIR alone is enough to find a project from anywhere.
 */
function findProjectRoot(cwd) {
  const forstDir = process.env.FORST_DIR;
  if (forstDir) {
    const parent = path.dirname(path.resolve(cwd, forstDir));
    return nearest(parent, (dir) => configFileIn(dir) !== undefined) ?? parent;
  }
  return nearest(path.resolve(cwd), (dir) => configFileIn(dir) !== undefined || isDir(path.join(dir, "forst"))) ?? path.resolve(cwd);
}

function nearest(start, test) {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (test(dir)) return dir;
    if (path.dirname(dir) === dir) return undefined;
  }
}

function configFileIn(dir) {
  return CONFIG_NAMES.map((n) => path.join(dir, n)).find((p) => fs.existsSync(p));
}

function isDir(p) {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** A config file that Node loads as an ES module: `.mjs`, or `.js` in a `"type": "module"` package. */
function isEsmConfig(file) {
  if (file.endsWith(".mjs")) return true;
  if (file.endsWith(".cjs")) return false;
  const pkg = nearest(path.dirname(file), (dir) => fs.existsSync(path.join(dir, "package.json")));
  if (!pkg) return false;
  try {
    return JSON.parse(fs.readFileSync(path.join(pkg, "package.json"), "utf8")).type === "module";
  } catch {
    return false;
  }
}

function configError(message) {
  return new ForstError({ status: 500, code: "config_invalid", message });
}

/**
 * The configuration a module exported: `module.exports = {…}` or `export default {…}` (Node's ES-module namespace
 * and the `__esModule` interop object both unwrapped). Checked here for what JSON cannot carry, so that a function
 * is a clear config_invalid rather than a conversion error inside the addon.
 */
function configValue(file, exported) {
  let value = exported;
  if (value && typeof value === "object" && value[Symbol.toStringTag] === "Module") {
    if (!("default" in value)) {
      throw configError(`${file}: an ES module config needs a default export: \`export default { … }\``);
    }
    value = value.default;
  }
  if (value && typeof value === "object" && value.__esModule && "default" in value) value = value.default;
  if (typeof value === "function") {
    throw configError(`${file}: the configuration is a function; export the object itself (\`module.exports = { … }\` or \`export default { … }\`). Forst does not call config functions.`);
  }
  if (value !== null && value !== undefined && (typeof value !== "object" || Array.isArray(value))) {
    throw configError(`${file}: the configuration must be an object, got ${Array.isArray(value) ? "an array" : typeof value}`);
  }
  const bad = unserializable(value, "");
  if (bad) throw configError(`${file}: ${bad.path} is ${bad.what}; the configuration holds plain values (strings, numbers, booleans, objects)`);
  return value ?? null;
}

// What the ES-module config reader puts where JSON cannot carry a value, so that it is still reported.
const UNSERIALIZABLE = "\u0000forst:unserializable";

function unserializable(value, at) {
  if (value && typeof value === "object" && UNSERIALIZABLE in value) return { path: at || "the configuration", what: `a ${value[UNSERIALIZABLE]}` };
  const t = typeof value;
  if (t === "function" || t === "symbol" || t === "bigint") return { path: at || "the configuration", what: `a ${t}` };
  if (!value || t !== "object") return null;
  for (const [k, v] of Object.entries(value)) {
    const found = unserializable(v, at ? `${at}.${k}` : k);
    if (found) return found;
  }
  return null;
}

function loadFailed(file, cause) {
  if (cause instanceof ForstError) return cause;
  return configError(`could not load ${file}: ${cause && cause.message}`);
}

/** Loads forst.config.{js,cjs,mjs} (CommonJS or an ES module). Errors name the file. */
async function loadConfig(root) {
  const file = configFileIn(root);
  if (!file) return { file: undefined, value: null };
  try {
    if (isEsmConfig(file)) {
      const { pathToFileURL } = require("node:url");
      return { file, value: configValue(file, await import(pathToFileURL(file).href)) };
    }
    return { file, value: configValue(file, require(file)) };
  } catch (cause) {
    throw loadFailed(file, cause);
  }
}

/**
 * The same, synchronously (for `generate()` and `require("@forst/sidecar")`): an ES module config is imported by a
 * short-lived Node process that prints it as JSON, since `require` of an ES module is not available on every Node 20.
 */
function loadConfigSync(root) {
  const file = configFileIn(root);
  if (!file) return { file: undefined, value: null };
  try {
    if (!isEsmConfig(file)) return { file, value: configValue(file, require(file)) };
    const { spawnSync } = require("node:child_process");
    const script =
      `const UNSERIALIZABLE = ${JSON.stringify(UNSERIALIZABLE)};` +
      "const m = await import(process.argv[1]); const v = m.default;" +
      "const mark = (k, x) => ['function', 'bigint', 'symbol'].includes(typeof x) ? { [UNSERIALIZABLE]: typeof x } : x;" +
      "process.stdout.write(JSON.stringify({ kind: typeof v, hasDefault: 'default' in m, value: typeof v === 'function' ? null : v }, mark))";
    const { pathToFileURL } = require("node:url");
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script, pathToFileURL(file).href], { encoding: "utf8", timeout: 30000 });
    if (r.status !== 0) throw new Error((r.stderr || r.error?.message || "").trim().split("\n").filter(Boolean).pop());
    const { kind, hasDefault, value } = JSON.parse(r.stdout);
    if (!hasDefault) throw configError(`${file}: an ES module config needs a default export: \`export default { … }\``);
    return { file, value: configValue(file, kind === "function" ? () => {} : value) };
  } catch (cause) {
    throw loadFailed(file, cause);
  }
}

/** The options every native entry point takes: the project root, its config, this package's folder. */
async function projectOptionsFor(root, overrides) {
  const { file, value } = await loadConfig(root);
  if (overrides !== undefined && overrides !== null) checkOverrides(overrides);
  return { cwd: root, configFile: file, fileConfig: value, overrides: overrides ?? null, packageDir: PACKAGE_DIR };
}

/** start()'s options: an object of plain values, blamed on start() (the addon validates the keys the same way). */
function checkOverrides(overrides) {
  if (typeof overrides !== "object" || Array.isArray(overrides)) {
    throw configError(`start() options: expected an object with the keys of forst.config.js, got ${Array.isArray(overrides) ? "an array" : typeof overrides}`);
  }
  const bad = unserializable(overrides, "");
  if (bad) throw configError(`start() options: ${bad.path} is ${bad.what}; options hold plain values`);
}

// The project that functions generated into a project's own tree (`output`) belong to: the first one registered
// wins over process.cwd(), so an app started from a workspace root still runs its own forst/.
let pinnedRoot;
function useProject(root) {
  if (pinnedRoot === undefined) pinnedRoot = root;
}

function projectOptions(overrides, cwd) {
  const root = cwd === undefined && pinnedRoot !== undefined ? pinnedRoot : findProjectRoot(cwd ?? process.cwd());
  return projectOptionsFor(root, overrides);
}

let started = false;
let starting = null;
// After stop(), calls fail with 503 until start() is called again: a call must not silently bring back a sidecar
// the application stopped (during shutdown, for example). Before the first start(), the first call starts it.
let stoppedByUser = false;

/**
 * Compiles, builds (or reuses the cached binary) and starts the sidecar; idempotent. Concurrent calls share one start.
 * @returns {Promise<{url: string, port: number, pid: number, routes: string[]}>}
 */
async function start(options) {
  stoppedByUser = false;
  if (starting) return starting;
  starting = (async () => {
    const unguard = guardBuildAgainstSignals();
    try {
      const info = await native().start(await projectOptions(options));
      started = true;
      return info;
    } catch (err) {
      throw toForstError(err);
    } finally {
      unguard();
      starting = null;
    }
  })();
  return starting;
}

/**
 * While start() may be in `go build`: a Ctrl-C (or SIGTERM) that would end the process kills the build's process
 * group first, then ends the process as the signal would have. Only when the application has no handler of its own
 * for the signal — then it decides, and its stop() kills the build too.
 */
function guardBuildAgainstSignals() {
  const signals = ["SIGINT", "SIGTERM"].filter((s) => process.listenerCount(s) === 0);
  const onSignal = (signal) => {
    unguard();
    try {
      native().cancelBuilds();
    } finally {
      process.kill(process.pid, signal);
    }
  };
  const unguard = () => signals.forEach((s) => process.removeListener(s, onSignal));
  signals.forEach((s) => process.once(s, onSignal));
  return unguard;
}

/** Stops the sidecar: in-flight calls drain, then the process exits (killed after the grace period). */
async function stop() {
  started = false;
  stoppedByUser = true;
  if (starting) {
    // A start() still in `go build` would otherwise finish its build (up to half a minute cold) before stopping.
    native().cancelBuilds();
    await starting.catch(() => {});
  }
  await native().stop();
}

/** State, pid, url, restarts, lastError (a ForstError) and build info. */
function status() {
  const s = native().status();
  return { ...s, lastError: s.lastError ? ForstError.fromEnvelope(s.lastError) : null };
}

/**
 * The client's view of its calls: { calls, errors, errorsByCode, latencyMs: { p50, p90, p99, max, mean }, inFlight,
 * restarts, state, mode, functions: { name: { calls, errors, errorsByCode, latencyMs } } }.
 */
function metrics() {
  return native().metrics();
}
/** The client's metrics in the Prometheus text format (forst_client_*), to append to an app's own /metrics. */
metrics.prometheus = () => native().metricsPrometheus();
/** The sidecar's own GET /metrics (Prometheus text: per-function server metrics, Go memory, goroutines, GC). */
metrics.sidecar = async () => {
  try {
    return await native().sidecarMetrics();
  } catch (err) {
    throw toForstError(err);
  }
};

/** Compiles the project and writes the typed functions into this package (what `npx forst generate` does). */
function generateSync(cwd) {
  const root = cwd === undefined && pinnedRoot !== undefined ? pinnedRoot : findProjectRoot(cwd ?? process.cwd());
  try {
    const { file, value } = loadConfigSync(root);
    return native().generate({ cwd: root, configFile: file, fileConfig: value, packageDir: PACKAGE_DIR });
  } catch (err) {
    throw toForstError(err);
  }
}

let nextCallId = 1;

/** A call's argument that cannot be sent: a ForstError before anything reaches the sidecar. */
function invalidArgument(name, message) {
  return new ForstError({ status: 400, code: "invalid_argument", message: `${name}: ${message}`, function: name });
}

/**
 * Calls a Forst function by name. The last argument may be call options `{ signal, timeoutMs }` when it comes after
 * all of the function's parameters (generated functions know their arity; `invoke` treats a trailing object with only
 * those keys as options). Anything else after the parameters is an error, not silently dropped.
 */
async function call(name, arity, args) {
  const { body, options } = encodeCall(name, arity, args);
  const text = await callRaw(name, body, options);
  return text === "" ? undefined : JSON.parse(text);
}

/** The JSON text of a call's arguments and its options; too many arguments are an error, not dropped. */
function encodeCall(name, arity, args) {
  if (args.length > arity + 1 || (args.length === arity + 1 && !isCallOptions(args[arity]))) {
    const extra = args.length - arity;
    throw invalidArgument(
      name,
      `takes ${arity} argument${arity === 1 ? "" : "s"}, got ${args.length}` +
        (extra === 1 ? " (the last one is not call options { signal, timeoutMs })" : "")
    );
  }
  const options = args.length > arity ? args[arity] : undefined;
  const body = arity === 0 ? "" : encodeArguments(name, arity === 1 ? args[0] : args.slice(0, arity), arity === 1);
  return { body, options };
}

function isCallOptions(value) {
  if (value === undefined) return true;
  if (!value || typeof value !== "object" || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.every((k) => k === "signal" || k === "timeoutMs");
}

/**
 * JSON text of the arguments. What JSON cannot carry is an invalid_argument naming where it is, instead of a plain
 * TypeError (BigInt, cycles), a RangeError (nesting too deep for the stack) or a silent null (NaN, Infinity).
 */
function encodeArguments(name, value, single) {
  let text;
  try {
    text = JSON.stringify(value);
  } catch (err) {
    const why = err instanceof RangeError ? "it is nested too deeply to encode" : err && err.message;
    throw invalidArgument(name, `the arguments cannot be sent as JSON: ${why}`);
  }
  if (text === undefined) return "";
  // NaN and ±Infinity become `null` in JSON.stringify. Only look for them when the text has a null at all, so the
  // common case pays one substring search.
  if (text.includes("null")) {
    const where = nonFinite(value, single ? "argument" : "arguments", new Set());
    if (where) throw invalidArgument(name, `${where.path} is ${where.value}, which JSON cannot carry (it would arrive as null)`);
  }
  return text;
}

function nonFinite(value, path, seen) {
  if (typeof value === "number") return Number.isFinite(value) ? null : { path, value: String(value) };
  if (!value || typeof value !== "object" || seen.has(value)) return null;
  seen.add(value);
  if (typeof value.toJSON === "function") return null;
  const entries = Array.isArray(value) ? value.map((v, i) => [`[${i}]`, v]) : Object.entries(value).map(([k, v]) => [`.${k}`, v]);
  for (const [key, v] of entries) {
    const found = nonFinite(v, path + key, seen);
    if (found) return found;
  }
  return null;
}

/** Validates `{ signal, timeoutMs, as }`; returns them with the timeout in whole ms (0: none). */
function callOptions(name, options) {
  if (options === undefined || options === null) return { signal: undefined, timeoutMs: 0, as: "string" };
  if (typeof options !== "object") throw invalidArgument(name, `call options must be an object { signal, timeoutMs }, got ${typeof options}`);
  const { signal, timeoutMs, as = "string" } = options;
  if (as !== "string" && as !== "buffer") throw invalidArgument(name, `options.as must be "string" or "buffer", got ${JSON.stringify(as)}`);
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw invalidArgument(name, "options.signal must be an AbortSignal (from an AbortController)");
  }
  if (timeoutMs !== undefined && !(typeof timeoutMs === "number" && timeoutMs >= 0 && timeoutMs <= MAX_TIMEOUT_MS)) {
    throw invalidArgument(name, `options.timeoutMs must be a number of milliseconds from 0 (none) to ${MAX_TIMEOUT_MS}, got ${typeof timeoutMs === "number" ? timeoutMs : JSON.stringify(timeoutMs) ?? typeof timeoutMs}`);
  }
  // A fraction of a millisecond still times out: round up, never down to "no timeout".
  return { signal, timeoutMs: timeoutMs === undefined ? 0 : Math.ceil(timeoutMs), as };
}

/** The longest timeout a call takes (2^31 − 1 ms, about 24.8 days, as for setTimeout). */
const MAX_TIMEOUT_MS = 2147483647;

/**
 * The raw form: the request body as JSON text (the single argument's JSON, or a JSON array of the arguments) — a
 * string, or bytes (`Buffer`/`Uint8Array`, sent as they are) — and the result as JSON text, or as a `Buffer` with
 * `{ as: "buffer" }`. Large payloads skip a JSON.parse/JSON.stringify round on each side.
 */
async function callRaw(name, body, options) {
  if (typeof body !== "string" && !(body instanceof Uint8Array)) {
    throw invalidArgument(name, `.raw() takes the arguments as JSON text (a string, Buffer or Uint8Array), got ${body === null ? "null" : typeof body}`);
  }
  const { signal, timeoutMs, as } = callOptions(name, options);
  if (!started || stoppedByUser) await ready(name); // not awaited once started: every small call would pay the tick
  let id = 0;
  let onAbort;
  if (signal) {
    if (signal.aborted) {
      throw new ForstError({ status: 499, code: "aborted", message: "the call was aborted by its AbortSignal", function: name });
    }
    id = nextCallId = nextCallId >= 0x7fffffff ? 1 : nextCallId + 1;
    onAbort = () => native().cancel(id);
    signal.addEventListener("abort", onAbort, { once: true });
  }
  try {
    const fast = fastPath.call(name, body, { signal, timeoutMs, as });
    if (fast !== undefined) {
      const answer = await fast;
      if (answer !== undefined) return answer;
    }
    return await native().invoke(name, body, id, timeoutMs, as === "buffer");
  } catch (err) {
    throw toForstError(err);
  } finally {
    if (onAbort) signal.removeEventListener("abort", onAbort);
  }
}

/** Starts the sidecar for the first call; after stop(), refuses instead. */
async function ready(name) {
  if (stoppedByUser) {
    throw new ForstError({ status: 503, code: "unavailable", message: "the Forst sidecar was stopped with stop(); call start() to start it again", function: name });
  }
  if (!started) await start();
}

/** Builds the exported function for one endpoint, with its `.raw(json, options?)` form. */
/** Names of the functions that return streams (for invoke()). */
const streamingFunctions = new Set();

/**
 * `stream`: the endpoint answers a stream (its function returns an AsyncIterable and has no `.raw`); `errors`: the
 * codes of its domain errors, for `fn.isError(err)`.
 */
function forstFunction(name, arity, { stream = false, errors = [] } = {}) {
  if (stream) streamingFunctions.add(name);
  const fn = stream
    ? { [name]: (...args) => callStream(name, arity, args) }[name]
    : { [name]: (...args) => call(name, arity, args) }[name];
  Object.defineProperty(fn, "length", { value: arity });
  if (!stream) fn.raw = (json, options) => callRaw(name, json, options);
  fn.handler = (options) => routeHandler(name, arity, options, stream);
  // One of this function's domain errors (the one named `code`, when given): a ForstError it answered with.
  fn.isError = (err, code) =>
    err instanceof ForstError && err.function === name && (code === undefined ? errors.includes(err.code) : err.code === code);
  return fn;
}

/** A streaming function's call: an AsyncIterable of its items (see lib/stream.js). */
function callStream(name, arity, args) {
  const { body, options } = encodeCall(name, arity, args);
  const { signal, timeoutMs } = callOptions(name, options);
  return streamCall(name, body, { signal, timeoutMs });
}

/** Calls a Forst function by name: `invoke("calculate", { numbers: [1, 2] })`. */
function invoke(name, ...args) {
  const last = args[args.length - 1];
  const isOptions = args.length > 0 && last && Object.keys(last).length > 0 && isCallOptions(last);
  const arity = isOptions ? args.length - 1 : args.length;
  return streamingFunctions.has(name) ? callStream(name, arity, args) : call(name, arity, args);
}

module.exports = { ForstError, start, stop, status, metrics, invoke, generateSync, forstFunction, useProject, findProjectRoot, projectOptionsFor, native, PACKAGE_DIR };

// The small-call fast path and the route handler need the pieces above; they live in their own files.
const fastPath = require("./fast_path.js")({ native, ForstError });
const { streamCall } = require("./stream.js")({ native, ready, toForstError, ForstError });
const { routeHandler } = require("./handler.js")({ native, ready, toForstError, invalidArgument, encodeArguments, callOptions, ForstError });
