// `fn.handler(options?)`: a whole HTTP route served by a Forst function, streaming. The request body flows from the
// client into the sidecar and the answer flows back to the client, chunk by chunk with backpressure both ways: Node
// never parses the JSON, never stringifies it and never holds a whole body. Works with anything that passes Node's
// `(req, res)` — node:http, Connect, Express 4 and 5 — and needs no body parser in front of it.
"use strict";

module.exports = ({ native, ready, toForstError, invalidArgument, encodeArguments, callOptions, ForstError }) => {
  const INPUTS = ["body", "params", "query"];

  /**
   * @param {string} name the Forst function
   * @param {number} arity its parameter count
   * @param {{ input?: "body" | "params" | "query" | ((req) => unknown), timeoutMs?: number, stream?: "ndjson" | "array" }} [options]
   *   `input`: what the function receives — the request body as it came (default; for several parameters it must
   *   be the JSON array of them), `req.params`, `req.query`, or what a function of the request returns (sent as the
   *   single argument, or as the arguments when it returns an array and the function takes several).
   *   `stream` (functions that return streams): NDJSON, one item per line (default), or one JSON array.
   * @param {boolean} streaming the function returns a stream
   */
  function routeHandler(name, arity, options = {}, streaming = false) {
    if (options === null || typeof options !== "object") {
      throw invalidArgument(name, `.handler() options must be an object { input, timeoutMs }, got ${typeof options}`);
    }
    const known = streaming ? ["input", "timeoutMs", "stream"] : ["input", "timeoutMs"];
    const { input = "body", timeoutMs: rawTimeout, stream: format = streaming ? "ndjson" : undefined, ...rest } = options;
    const unknown = Object.keys(rest).concat(!streaming && options.stream !== undefined ? ["stream"] : []);
    if (unknown.length > 0) throw invalidArgument(name, `.handler() does not know the option ${unknown.map((k) => JSON.stringify(k)).join(", ")} (known: ${known.join(", ")})`);
    if (streaming && format !== "ndjson" && format !== "array") {
      throw invalidArgument(name, `.handler() option stream must be "ndjson" or "array", got ${JSON.stringify(format)}`);
    }
    if (typeof input !== "function" && !INPUTS.includes(input)) {
      throw invalidArgument(name, `.handler() option input must be "body", "params", "query" or a function of the request, got ${JSON.stringify(input)}`);
    }
    const { timeoutMs } = callOptions(name, { timeoutMs: rawTimeout });

    return function forstRouteHandler(req, res) {
      // Every failure becomes an HTTP answer here: a handler must never leave a rejected promise behind.
      serve(name, arity, input, timeoutMs, format, req, res).catch((err) => answerError(res, toForstError(err)));
    };
  }

  async function serve(name, arity, input, timeoutMs, format, req, res) {
    const args = input === "body" ? undefined : argumentsOf(name, arity, input, req);
    await ready(name);
    const id = await native().streamOpen(name, timeoutMs, format);
    let done = false;
    // The client went away before the answer was complete: the sidecar cancels the call's context.
    const onClose = () => {
      if (!done) native().streamAbort(id);
    };
    res.once("close", onClose);
    try {
      const sending = args !== undefined ? sendText(id, args) : sendBody(id, req);
      sending.catch(() => native().streamAbort(id));
      const status = await native().streamHead(id);
      if (!res.headersSent) {
        res.statusCode = status;
        res.setHeader("Content-Type", status === 200 && format === "ndjson" ? "application/x-ndjson" : "application/json");
        // An early answer (413 while the client is still sending): close, so nobody waits for the rest.
        if (status !== 200) res.setHeader("Connection", "close");
      }
      for (;;) {
        const part = await native().streamRead(id);
        if (part === null) break;
        if (!res.write(part)) await drained(res);
      }
      done = true;
      res.end();
    } catch (err) {
      done = true;
      native().streamAbort(id);
      throw err;
    } finally {
      res.removeListener("close", onClose);
    }
  }

  /** The arguments taken from the request, as JSON text (small: params, query, a mapping's result). */
  function argumentsOf(name, arity, input, req) {
    const value = typeof input === "function" ? input(req) : req[input];
    const several = arity > 1 && Array.isArray(value);
    return encodeArguments(name, value, !several);
  }

  async function sendText(id, text) {
    if (text !== "" && !native().streamWrite(id, Buffer.from(text))) await native().streamWriteAsync(id, Buffer.from(text));
    await native().streamEnd(id);
  }

  /** Pipes the request body into the stream. A body parser in front of the handler already read it: send that. */
  async function sendBody(id, req) {
    if (req.readableEnded && req.body !== undefined) {
      const text = typeof req.body === "string" || Buffer.isBuffer(req.body) ? req.body : JSON.stringify(req.body);
      return sendText(id, text);
    }
    for await (const chunk of req) {
      if (!native().streamWrite(id, chunk)) await native().streamWriteAsync(id, chunk);
    }
    await native().streamEnd(id);
  }

  function drained(res) {
    return new Promise((resolve, reject) => {
      if (res.destroyed) return reject(new ForstError({ status: 499, code: "aborted", message: "the client went away" }));
      const onDrain = () => {
        res.removeListener("close", onClose);
        resolve();
      };
      const onClose = () => {
        res.removeListener("drain", onDrain);
        reject(new ForstError({ status: 499, code: "aborted", message: "the client went away" }));
      };
      res.once("drain", onDrain);
      res.once("close", onClose);
    });
  }

  /** A failure as an HTTP answer with the error envelope; once the answer has begun, only closing it can tell. */
  function answerError(res, err) {
    if (res.destroyed || res.writableEnded) return;
    if (res.headersSent) {
      res.destroy(err);
      return;
    }
    const body = JSON.stringify({ error: { code: err.code, message: err.message, function: err.function, location: err.location } });
    res.statusCode = err.status >= 400 && err.status <= 599 ? err.status : 500;
    res.setHeader("Content-Type", "application/json");
    res.setHeader("Content-Length", Buffer.byteLength(body));
    res.end(body);
  }

  return { routeHandler };
};
