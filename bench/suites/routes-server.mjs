// Child process of the routes suite: one Express server with /js/<route> (pure JS) and /forst/<route> (the Forst
// function), so autocannon in the parent does not share an event loop with the server it measures.
// argv[2] = project dir. Sends {port} (or {error}) to the parent over IPC.
// FORST_BENCH_FAKE=1 serves the JS versions under /forst too: it tests this harness without the addon (ratios ≈ 1).
import express from "express";
import { js } from "./routes-impl.mjs";
import { loadForst, forstFn, errorText } from "../lib.mjs";

async function main() {
  const fake = process.env.FORST_BENCH_FAKE === "1";
  const forst = fake ? { stop: async () => {} } : loadForst(process.argv[2]);
  if (!fake) await forst.start();
  const app = express();
  // /forst-raw/<route>: the body stays JSON text and the answer is sent as the sidecar wrote it (`fn.raw`), so Node
  // neither parses nor re-serializes the payload. Registered before the JSON body parser on purpose.
  for (const name of Object.keys(js)) {
    app.post(`/forst-raw/${name}`, express.text({ type: () => true, limit: "200mb" }), async (req, res) => {
      try {
        const text = fake ? JSON.stringify(js[name](JSON.parse(req.body))) : await forstFn(forst, name).raw(req.body);
        res.type("json").send(text);
      } catch (err) {
        res.status(err.status || 500).json({ error: { code: err.code, message: err.message } });
      }
    });
  }
  // /forst-handler/<route>: the whole route is the Forst function's handler — the body streams into the sidecar and
  // the answer streams back; no body parser runs for it. (The fake mode has no handler: it serves the JS version.)
  for (const [name, impl] of Object.entries(js)) {
    app.post(`/forst-handler/${name}`, fake ? express.json({ limit: "200mb" }) : forstFn(forst, name).handler(), (req, res) => res.json(impl(req.body)));
  }
  app.use(express.json({ limit: "200mb" }));
  for (const [name, impl] of Object.entries(js)) {
    const call = fake ? async (x) => impl(x) : forstFn(forst, name);
    app.post(`/js/${name}`, (req, res) => res.json(impl(req.body)));
    app.post(`/forst/${name}`, async (req, res) => {
      try {
        res.json(await call(req.body));
      } catch (err) {
        res.status(err.status || 500).json({ error: { code: err.code, message: err.message } });
      }
    });
  }
  // autocannon closes its connections when the duration ends, aborting bodies still being read: not an error of the
  // routes, and Express's default handler would print a stack trace for each.
  app.use((err, req, res, next) => (err.type === "request.aborted" ? res.destroy() : next(err)));
  const server = app.listen(0, "127.0.0.1", () => process.send({ port: server.address().port, sidecarPid: fake ? 0 : forst.status().pid }));
  process.on("disconnect", async () => {
    server.close();
    await forst.stop().catch(() => {});
    process.exit(0);
  });
}

main().catch((err) => {
  process.send({ error: errorText(err) });
  setTimeout(() => process.exit(1), 100);
});
