// Placeholder until `npx forst generate` (or start()) writes the project's declarations here.
export interface ForstCallOptions {
  /** Aborts the call: the HTTP request is cancelled and so is the Go context. */
  signal?: AbortSignal;
  /** Fails the call with code "timeout" after this many milliseconds. */
  timeoutMs?: number;
}
