// The RFC's Express app: existing routes stay in TypeScript, performance-critical ones call Forst.
import express from "express";
import { processData, calculate, performConcurrentSearch, processLargeDataset, ForstError } from "@forst/sidecar";

export function createApp() {
  const app = express();
  app.use(express.json({ limit: "50mb" }));

  // Keep existing routes unchanged
  app.get("/health", (req, res) => {
    res.json({ status: "ok" });
  });

  // Replace performance-critical routes with Forst implementations
  app.post("/process-data", async (req, res) => {
    try {
      const result = await processData(req.body);
      res.json(result);
    } catch (error) {
      res.status(500).json({ error: (error as Error).message });
    }
  });

  app.get("/search", async (req, res) => {
    const queries = String(req.query.queries ?? "").split(",");
    const results = await performConcurrentSearch(queries);
    res.json(results);
  });

  app.post("/calculate", async (req, res) => {
    const result = await calculate(req.body);
    res.json(result);
  });

  app.post("/process-large-dataset", async (req, res) => {
    const result = await processLargeDataset(req.body);
    res.json(result);
  });

  // A Forst failure keeps its meaning over HTTP: 400 for bad input, 503 while the sidecar restarts, …
  app.use((err: unknown, req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (err instanceof ForstError) {
      res.status(err.status).json({ error: { code: err.code, message: err.message } });
    } else {
      next(err);
    }
  });
  return app;
}
