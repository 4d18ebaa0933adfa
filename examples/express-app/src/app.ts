// The RFC's Express app: existing routes stay in TypeScript, performance-critical ones call Forst.
// Written for Express 5 and correct under Express 4 too: every async route passes its errors to next(err) (Express 4
// does not catch a rejected promise: the process would die of an unhandled rejection), and the handler routes never
// reject at all.
import express from "express";
import type { Request, Response, NextFunction } from "express";
import { processData, calculate, performConcurrentSearch, processLargeDataset, ForstError } from "@forst/sidecar";

export interface AppOptions {
  /** Mount more routes before the error handler (the example's tests add one that panics). */
  extraRoutes?: (app: express.Express) => void;
}

/** body-parser's errors (malformed JSON, too large): an HTTP status in the 4xx range and a message meant for clients. */
function isClientError(err: unknown): err is { status: number; message: string } {
  const status = (err as { status?: unknown } | null)?.status;
  return typeof status === "number" && status >= 400 && status < 500 && (err as { expose?: unknown }).expose === true;
}

export function createApp({ extraRoutes }: AppOptions = {}) {
  const app = express();

  // Keep existing routes unchanged
  app.get("/health", (req, res) => {
    res.json({ status: "ok" });
  });

  // Replace performance-critical routes with Forst implementations.
  // A whole route moved: the body streams into Go and the answer streams back (no express.json(), so no 100 KB
  // body limit either; the sidecar's own limit is limits.bodyBytes, 64 MiB by default). Errors are answered with
  // the {"error": {...}} envelope and the ForstError's status.
  app.post("/process-data", processData.handler());
  app.post("/process-large-dataset", processLargeDataset.handler());
  app.get("/search", performConcurrentSearch.handler({ input: (req) => String(req.query.queries ?? "").split(",") }));

  // Calling the function where TypeScript needs its result.
  app.post("/calculate", express.json({ limit: "50mb" }), async (req, res, next) => {
    try {
      const { result } = await calculate(req.body);
      res.json({ result });
    } catch (err) {
      next(err); // → the error handler below: 400 for bad input, 500 for a panic, 503 while the sidecar restarts
    }
  });

  extraRoutes?.(app);

  // A Forst failure keeps its meaning over HTTP, in the same envelope the handler routes answer with; so does a body
  // express.json() could not parse (its errors carry a 4xx status).
  app.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (err instanceof ForstError) {
      res.status(err.status).json({ error: { code: err.code, message: err.message, function: err.function, location: err.location } });
    } else if (isClientError(err)) {
      res.status(err.status).json({ error: { code: err.status === 413 ? "body_too_large" : "invalid_input", message: err.message } });
    } else {
      next(err);
    }
  });
  return app;
}
