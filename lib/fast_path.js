// Small calls made by the JS thread itself (see src/runtime/fast_path.rs for why): a request of at most
// FAST_MAX_BODY bytes is written on a keep-alive socket to the child's Unix socket, and the answer is read when
// libuv sees it — one thread woken per call instead of three. The sockets are connected and peer-checked by the
// addon and handed over as descriptors; at most `limits.connections` are open, further calls wait in line for one.
// Anything unusual — no socket yet, a connection that cannot be made, one lost mid-call — goes back to the addon,
// which decides what it means (wait for a restart, a crash's cause, a retry after a hot swap) as for every call.
"use strict";

const net = require("node:net");

/** Bodies up to this size take the fast path; larger ones stream better from the addon's threads. */
const FAST_MAX_BODY = 64 * 1024;
/** Idle sockets are closed before the sidecar's own idle timeout (90 s) could close them under a request. */
const IDLE_MS = 30000;
/** FORST_FAST_PATH=0 sends every call through the addon (for comparisons, or if the fast path ever misbehaves). */
const ENABLED = process.env.FORST_FAST_PATH !== "0";

module.exports = ({ native, ForstError }) => {
  let target = null; // { generation, host, token, callTimeoutMs, maxConnections }
  let idle = []; // sockets of target.generation, free
  let open = 0; // sockets of target.generation, free or busy
  const waiting = []; // resolvers of calls waiting for a socket
  const heads = new Map(); // function name → its request head up to the Content-Length value, for target

  /** The current child, refreshed when another one took over; null when calls must use the addon. */
  function current() {
    const generation = native().fastGeneration();
    if (generation === 0) return null;
    if (target && target.generation === generation) return target;
    const t = native().fastTarget();
    if (!t) return null;
    if (!target || t.generation !== target.generation) {
      for (const s of idle) s.destroy();
      idle = [];
      open = 0;
      heads.clear();
      target = t;
    }
    return target;
  }

  /**
   * One call, or `undefined` when it must go through the addon instead (nothing was sent then).
   * @returns {Promise<string | Buffer> | undefined}
   */
  function call(name, body, { signal, timeoutMs, as }) {
    if (!ENABLED) return undefined;
    const size = typeof body === "string" ? Buffer.byteLength(body) : body.length;
    if (size > FAST_MAX_BODY) return undefined;
    const t = current();
    if (!t) return undefined;
    let head = heads.get(name);
    if (head === undefined) {
      const route = native().routeOf(name);
      if (!route) return undefined; // unknown: the addon says so, with the list of known functions
      // Everything but the length is the same for every call of this function to this child: built once.
      head =
        `POST ${route} HTTP/1.1\r\nHost: ${t.host}\r\nX-Forst-Token: ${t.token}\r\n` +
        `Content-Type: application/json\r\nContent-Length: `;
      heads.set(name, head);
    }
    head += `${size}\r\n\r\n`;
    // A free socket starts the call now; only a call that must wait for a connection goes through a promise first.
    const socket = checkout(t);
    if (socket === null) return undefined;
    if (socket instanceof Promise) {
      return socket.then((s) => (s === null ? undefined : send(s, name, head, body, signal, timeoutMs || t.callTimeoutMs, as)));
    }
    return send(socket, name, head, body, signal, timeoutMs || t.callTimeoutMs, as);
  }

  async function send(socket, name, head, body, signal, timeoutMs, as) {
    const started = performance.now();
    native().callStarted();
    let outcome;
    try {
      outcome = await exchange(socket, head, body, signal, timeoutMs, name);
    } catch (err) {
      release(socket, false);
      native().recordCall(name, err.code, (performance.now() - started) * 1000);
      throw err;
    }
    release(socket, outcome.keepAlive === true);
    let err = null;
    if (outcome.lost !== undefined) {
      // The connection broke after the request was written: the addon knows what happened to the child.
      const envelope = await native().fastLost(name, socket.forstGeneration, outcome.lost);
      if (envelope === null) {
        native().recordCall(name, "retried", (performance.now() - started) * 1000);
        return undefined; // retired by a hot swap before it started the call: the addon sends it again
      }
      err = ForstError.fromEnvelope(envelope);
    } else if (outcome.status !== 200) {
      err = errorOf(outcome, name);
    }
    native().recordCall(name, err ? err.code : null, (performance.now() - started) * 1000);
    if (err) throw err;
    return as === "buffer" ? outcome.body : outcome.body.toString("utf8");
  }

  function errorOf(outcome, name) {
    try {
      return ForstError.fromEnvelope(outcome.body.toString("utf8"), outcome.status);
    } catch {
      const text = outcome.body.toString("utf8").slice(0, 500);
      return new ForstError({ status: outcome.status, code: "unexpected_response", message: `the sidecar answered HTTP ${outcome.status} with a body that is not a Forst error: ${text}`, function: name });
    }
  }

  /** A free socket of the target, a new one, or a promise of one freed later (queued); null when one cannot be made. */
  function checkout(t) {
    while (idle.length > 0) {
      const socket = idle.pop();
      if (!socket.destroyed && socket.readyState === "open") return socket;
      open--;
    }
    if (open < t.maxConnections) {
      let fd;
      try {
        fd = native().fastConnect(t.generation);
      } catch {
        return null; // the addon makes the call and reports why it cannot reach the child
      }
      open++;
      const socket = new net.Socket({ fd, readable: true, writable: true });
      socket.forstGeneration = t.generation;
      socket.unref(); // an idle connection must not keep the process alive
      socket.on("error", () => {});
      return socket;
    }
    return new Promise((resolve) => waiting.push(resolve)).then(() => checkout(t));
  }

  /** Returns a socket after a call: kept for the next one, or closed (its slot freed) when it cannot be reused. */
  function release(socket, keepAlive) {
    const ours = target && socket.forstGeneration === target.generation;
    if (!keepAlive || !ours || socket.destroyed) {
      socket.destroy();
      if (ours) open--;
    } else {
      socket.forstIdleSince = performance.now();
      idle.push(socket);
      sweepLater();
    }
    const next = waiting.shift();
    if (next) next();
  }

  /**
   * Closes sockets idle for IDLE_MS. One unref'd timer for all of them, not one per call: arming and clearing a
   * timer for every call was a measurable share of a small call's cost on the JS thread.
   */
  let sweeper = null;
  function sweepLater() {
    if (sweeper) return;
    sweeper = setInterval(() => {
      const cutoff = performance.now() - IDLE_MS;
      const keep = [];
      for (const socket of idle) {
        if (socket.forstIdleSince > cutoff) keep.push(socket);
        else {
          open--;
          socket.destroy();
        }
      }
      idle = keep;
      if (idle.length === 0) {
        clearInterval(sweeper);
        sweeper = null;
      }
    }, IDLE_MS / 3).unref();
  }

  /**
   * Writes the request and reads one answer: `{ status, body, keepAlive, code }`, or `{ lost: detail }` when the
   * connection ended first. Timeouts and aborts reject (and close the connection: the sidecar cancels the call).
   */
  function exchange(socket, head, body, signal, timeoutMs, name) {
    return new Promise((resolve, reject) => {
      const parser = new ResponseParser();
      let timer;
      const finish = (fn, value) => {
        socket.removeListener("data", onData);
        socket.removeListener("close", onClose);
        if (signal) signal.removeEventListener("abort", onAbort);
        clearTimeout(timer);
        if (!socket.destroyed) socket.unref();
        fn(value);
      };
      const onData = (chunk) => {
        let answer;
        try {
          answer = parser.push(chunk);
        } catch (err) {
          socket.destroy();
          return finish(resolve, { lost: err.message });
        }
        if (answer) finish(resolve, answer);
      };
      const onClose = () => finish(resolve, { lost: "the connection closed before the answer was complete" });
      const onAbort = () => {
        socket.destroy();
        finish(reject, new ForstError({ status: 499, code: "aborted", message: "the call was aborted by its AbortSignal", function: name }));
      };
      socket.on("data", onData);
      socket.once("close", onClose);
      if (signal) signal.addEventListener("abort", onAbort, { once: true });
      if (timeoutMs > 0) {
        timer = setTimeout(() => {
          socket.destroy();
          finish(reject, new ForstError({ status: 504, code: "timeout", message: `the call did not finish within ${timeoutMs} ms; it was cancelled`, function: name }));
        }, timeoutMs);
      }
      socket.ref(); // a call in flight keeps the process alive, as the addon's promise does
      // One write, one syscall: the head and a string body joined, or a Buffer body after the head.
      if (typeof body === "string") socket.write(head + body);
      else socket.write(Buffer.concat([Buffer.from(head, "latin1"), body]));
    });
  }

  return { call };
};

/** Parses one HTTP/1.1 response: Content-Length or chunked bodies (the sidecar sends both). */
class ResponseParser {
  constructor() {
    this.buf = null;
    this.status = 0;
    this.headEnd = -1;
    this.length = -1;
    this.chunked = false;
    this.keepAlive = true;
    this.code = null;
  }

  push(chunk) {
    this.buf = this.buf ? Buffer.concat([this.buf, chunk]) : chunk;
    if (this.headEnd < 0) {
      const end = this.buf.indexOf("\r\n\r\n");
      if (end < 0) {
        if (this.buf.length > 64 * 1024) throw new Error("the answer's headers are larger than 64 KiB");
        return null;
      }
      this.parseHead(this.buf.toString("latin1", 0, end));
      this.headEnd = end + 4;
    }
    return this.chunked ? this.chunkedBody() : this.plainBody();
  }

  parseHead(text) {
    const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
    if (!m) throw new Error(`not an HTTP answer: ${JSON.stringify(text.slice(0, 80))}`);
    this.status = Number(m[1]);
    // Lines found with indexOf rather than split: this runs for every small call.
    let at = text.indexOf("\r\n");
    while (at >= 0) {
      const start = at + 2;
      at = text.indexOf("\r\n", start);
      const line = at < 0 ? text.slice(start) : text.slice(start, at);
      const colon = line.indexOf(":");
      if (colon < 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === "content-length") this.length = Number(value);
      else if (name === "transfer-encoding") this.chunked = /chunked/i.test(value);
      else if (name === "connection") this.keepAlive = !/close/i.test(value);
      else if (name === "x-forst-error") this.code = value;
    }
    if (!this.chunked && !(this.length >= 0)) this.keepAlive = false;
  }

  plainBody() {
    if (this.length < 0) return null; // read to the end of the connection: not something the sidecar does
    if (this.buf.length < this.headEnd + this.length) return null;
    const body = this.buf.subarray(this.headEnd, this.headEnd + this.length);
    return { status: this.status, body, keepAlive: this.keepAlive && this.buf.length === this.headEnd + this.length, code: this.code };
  }

  chunkedBody() {
    const parts = [];
    let at = this.headEnd;
    for (;;) {
      const lineEnd = this.buf.indexOf("\r\n", at);
      if (lineEnd < 0) return null;
      const size = parseInt(this.buf.toString("latin1", at, lineEnd), 16);
      if (Number.isNaN(size)) throw new Error("a malformed chunk in the answer");
      if (size === 0) {
        const end = this.buf.indexOf("\r\n", lineEnd + 2);
        if (end < 0) return null;
        return { status: this.status, body: Buffer.concat(parts), keepAlive: this.keepAlive && end + 2 === this.buf.length, code: this.code };
      }
      if (this.buf.length < lineEnd + 2 + size + 2) return null;
      parts.push(this.buf.subarray(lineEnd + 2, lineEnd + 2 + size));
      at = lineEnd + 2 + size + 2;
    }
  }
}

module.exports.ResponseParser = ResponseParser;
