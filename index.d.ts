// @forst/sidecar — public types. The project's own functions and their types come from generated/index.d.ts,
// rewritten on `npx forst generate`, start() and every hot reload.
export * from "./generated/index";

/** Same keys as forst.config.js; they override it. */
export interface ForstConfig {
  /** Where the .ft files are (default "./forst"). */
  forstDir?: string;
  /** Where the Go module, the binary cache and the manifest go (default "./dist/forst"). */
  outputDir?: string;
  /**
   * Generate the typed functions into this directory of the project (e.g. "./forst/generated": index.mjs, index.cjs,
   * index.d.ts) instead of into the package; for npm workspaces and for people who want them in their tree.
   */
  output?: string;
  devServer?: {
    /** Exactly this port (busy → error port_in_use). Default: a free ephemeral port (calls use the Unix socket). */
    port?: number;
    /** Recompile and hot-swap on .ft changes (default: on unless NODE_ENV=production). */
    watch?: boolean;
  };
  compilation?: {
    /** "speed" (default): Go's optimisations; "size": also strip symbols (-ldflags=-s -w). */
    optimization?: "speed" | "size";
    /** Build for debuggers: -gcflags=all=-N -l (default false). */
    debug?: boolean;
  };
  limits?: {
    /** Largest request body the sidecar accepts, in bytes (default 64 MiB). */
    bodyBytes?: number;
    /** Most connections this process opens to the sidecar; further calls wait for one (default 256). */
    connections?: number;
  };
  /** How the supervisor checks that the running sidecar still answers (Kubernetes probe semantics). */
  liveness?: {
    /** How often /healthz is asked, 0 = never (default 1000). */
    periodMs?: number;
    /** How long an answer may take (default 2000). */
    timeoutMs?: number;
    /** Misses in a row before the sidecar is killed and restarted (default 3). */
    failureThreshold?: number;
  };
  /** Crash-loop backoff: the wait before a restart doubles with each crash in a row, up to the maximum; never gives up. */
  restart?: {
    /** The first wait (default 100). */
    backoffMs?: number;
    /** The longest wait (default 30000). */
    maxBackoffMs?: number;
  };
  /**
   * Connect mode: call a sidecar that runs elsewhere (the native sidecar container of a Kubernetes pod) instead of
   * spawning one. FORST_SIDECAR_URL, FORST_TOKEN and FORST_TOKEN_FILE override these.
   */
  sidecar?: {
    /** http://host:port of the sidecar. */
    url: string;
    /** The token the sidecar was started with. */
    token?: string;
    /** A file holding the token (a mounted Secret), relative to the project. */
    tokenFile?: string;
  };
  timeouts?: {
    /** How long a new sidecar may take to answer /readyz (default 10000). */
    readyMs?: number;
    /** Default per-call timeout, 0 = none (default 0). */
    callMs?: number;
    /** How long a stopping sidecar may drain in-flight calls (default 5000). */
    shutdownGraceMs?: number;
    /** How long a call made during a restart waits for the sidecar (default 5000). */
    unavailableWaitMs?: number;
  };
}

export interface StartInfo {
  /** Base URL of the sidecar, e.g. "http://127.0.0.1:8080". Calls need the per-spawn token; use the functions. */
  url: string;
  port: number;
  pid: number;
  /** "POST /process-data → processData", one per endpoint. */
  routes: string[];
}

export type ForstState = "stopped" | "starting" | "ready" | "restarting" | "stopping";

export interface ForstStatus {
  state: ForstState;
  /** "spawned": built here and run as a child; "prebuilt": the build `forst build` left, run without Go; "connect": a sidecar this process did not start (FORST_SIDECAR_URL). */
  mode: "spawned" | "prebuilt" | "connect";
  pid?: number;
  url?: string;
  /**
   * The Unix socket this process's calls travel over (default on Linux and macOS; `FORST_TRANSPORT=tcp` turns it
   * off). Absent when calls use `url`. `url` keeps working for curl and other processes either way.
   */
  socket?: string;
  port?: number;
  /** Restarts after crashes since start(). */
  restarts: number;
  /** The last failure: a compile error kept from a reload, a crash, a failed start. */
  lastError: ForstError | null;
  /** While `restarting` after a crash: which crash in a row, the backoff, when the next start is, and why. */
  restart?: { attempt: number; backoffMs: number; retryAt: number; cause: string };
  build?: {
    hash: string;
    /** The binary came from the cache: go build did not run. */
    cached: boolean;
    goVersion: string;
    binary: string;
    compileMs: number;
    buildMs: number;
    /** The binary `forst build` left in outputDir, run without Go (production mode, see the README). */
    prebuilt: boolean;
  };
}

export type ForstErrorCode =
  | "invalid_input"
  | "ensure_failed"
  | "returned_error"
  | "panic"
  | "invalid_result"
  | "unknown_function"
  | "method_not_allowed"
  | "body_too_large"
  | "unauthorized"
  | "forbidden_host"
  | "forbidden_origin"
  | "unsupported_media_type"
  | "body_timeout"
  | "unavailable"
  | "sidecar_crashed"
  | "overloaded"
  | "invalid_argument"
  | "timeout"
  | "aborted"
  | "compile_error"
  | "build_failed"
  | "go_not_found"
  | "go_too_old"
  | "config_invalid"
  | "no_project"
  | "port_in_use"
  | "not_ready"
  | "prebuilt_missing"
  | "contract_mismatch"
  | "spawn_failed"
  | "socket_unsafe"
  | "io_error"
  | "addon_missing"
  | "internal";

/** Every failure of a Forst call or of the sidecar's lifecycle. */
export declare class ForstError extends Error {
  readonly name: "ForstError";
  /** HTTP-like status: 400 invalid input, 404 unknown function, 500 returned error / panic, 503 unavailable, … */
  readonly status: number;
  readonly code: ForstErrorCode | (string & {});
  /** The Forst function the call was for. */
  readonly function?: string;
  /** "routes/x.ft:12" for panics, when known. */
  readonly location?: string;
  /**
   * More for programs: a nominal error's fields (narrow with `fn.isError(err, "OutOfStock")` to type them), the
   * JSON path and constraint of invalid input, what a failed `ensure` checked.
   */
  readonly details?: unknown;
  static fromEnvelope(text: string, status?: number): ForstError;
}

/** Compiles, builds (or reuses the cached binary) and starts the sidecar. Idempotent. */
export declare function start(options?: ForstConfig): Promise<StartInfo>;
/** Stops the sidecar: in-flight calls drain, then it exits (killed after the grace period). */
export declare function stop(): Promise<void>;
export declare function status(): ForstStatus;
export interface ForstLatency {
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export interface ForstCallStats {
  calls: number;
  /** Calls that failed, whatever the cause. */
  errors: number;
  /** Failed calls by ForstError code. */
  errorsByCode: Record<string, number>;
  /** Milliseconds from the call to its result, as the app saw it; null before the first call. */
  latencyMs: ForstLatency | null;
}

export interface ForstMetrics extends ForstCallStats {
  inFlight: number;
  /** Restarts of a crashed sidecar since start(). */
  restarts: number;
  state: ForstState;
  mode: ForstStatus["mode"];
  functions: Record<string, ForstCallStats>;
}

/** The client's view of its calls (this process). */
export declare const metrics: {
  (): ForstMetrics;
  /** The same as Prometheus text (forst_client_*): append it to your prom-client registry's output. */
  prometheus(): string;
  /** The sidecar's own GET /metrics (forst_* per function, go_* runtime): for a sidecar Prometheus cannot reach. */
  sidecar(): Promise<string>;
};

/** Calls a Forst function by name; prefer the generated, typed functions. */
export declare function invoke(name: string, ...args: unknown[]): Promise<unknown>;
/** Compiles the project found from `cwd` and writes the typed functions into the package. */
export declare function generate(cwd?: string): { functions: string[]; warnings: string };
