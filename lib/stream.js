// Streaming results in JS: a function whose Forst endpoint returns iter.Seq[T] or a channel of T returns an
// AsyncIterable<T>. Items arrive as NDJSON over a streamed call (src/runtime/stream.rs), are parsed one line at a
// time and handed out as `for await` asks for them, so memory stays flat however many there are; a slow consumer
// slows the producer down (the call reads only when asked). `break`, `return` or an AbortSignal end the call, and
// the Go context is cancelled; a failure after the first item ends the iteration with a ForstError.
"use strict";

const { StringDecoder } = require("node:string_decoder");

module.exports = ({ native, ready, toForstError, ForstError }) => {
  /** The AsyncIterable a streaming function returns; the call starts when the iteration does. */
  function streamCall(name, body, { signal, timeoutMs }) {
    return {
      [Symbol.asyncIterator]() {
        return items(name, body, signal, timeoutMs);
      },
    };
  }

  async function* items(name, body, signal, timeoutMs) {
    const aborted = () => new ForstError({ status: 499, code: "aborted", message: "the call was aborted by its AbortSignal", function: name });
    await ready(name);
    if (signal && signal.aborted) throw aborted();
    let id;
    try {
      id = await native().streamOpen(name, timeoutMs, "internal");
    } catch (err) {
      throw toForstError(err);
    }
    let complete = false;
    const onAbort = () => native().streamAbort(id);
    if (signal) signal.addEventListener("abort", onAbort, { once: true });
    try {
      if (body !== "" && !native().streamWrite(id, Buffer.from(body))) await native().streamWriteAsync(id, Buffer.from(body));
      await native().streamEnd(id);
      const status = await native().streamHead(id);
      if (status !== 200) throw ForstError.fromEnvelope(await readAll(id), status);
      const lines = new Lines();
      for (;;) {
        const part = await native().streamRead(id);
        if (part === null) break;
        for (const line of lines.push(part)) {
          // "!" starts the last line of a stream that failed after its first item (runtime/go/stream.go).
          if (line.charCodeAt(0) === 33) throw ForstError.fromEnvelope(line.slice(1), 500);
          yield JSON.parse(line);
        }
      }
      complete = true;
    } catch (err) {
      if (signal && signal.aborted) throw aborted();
      throw toForstError(err);
    } finally {
      if (signal) signal.removeEventListener("abort", onAbort);
      if (!complete) native().streamAbort(id);
    }
  }

  async function readAll(id) {
    const parts = [];
    for (let part = await native().streamRead(id); part !== null; part = await native().streamRead(id)) parts.push(part);
    return Buffer.concat(parts).toString("utf8");
  }

  return { streamCall };
};

/** Splits UTF-8 chunks into complete lines (a character or a line may be cut between chunks). */
class Lines {
  constructor() {
    this.decoder = new StringDecoder("utf8");
    this.rest = "";
  }

  push(chunk) {
    const text = this.rest + this.decoder.write(chunk);
    const lines = text.split("\n");
    this.rest = lines.pop();
    return lines.filter((l) => l !== "");
  }
}

module.exports.Lines = Lines;
