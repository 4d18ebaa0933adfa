// What validation costs: the RFC's processData route against processDataChecked, the same route with Forst's
// validating types on its records (`id: String.Min(1).Max(64)`, `data: String.Min(1).Max(100000)`, the record list
// `Max(1000000)`; bench/suites/routes-impl.mjs). Same body, same answer, both as whole routes (`fn.handler()`: the body
// streams into the sidecar, where the checks run as it is decoded). Rounds alternate between the two so that a noisy
// neighbour hits both; the median of each is compared. Target: checked ≥ 0.9× unchecked req/s.
import { isDeepStrictEqual } from "node:util";
import { targetFigure, fmt, median } from "../lib.mjs";
import { ROUTES } from "./routes-impl.mjs";
import { startRoutes, post, load } from "./routes.mjs";

export async function run({ quick }) {
  const duration = quick ? 2 : 5;
  const rounds = quick ? 3 : 5;
  const sizes = quick ? [1_000, 10_000] : [1_000, 10_000, 100_000];
  const { child, base } = await startRoutes("routes-validation");
  const figures = {};
  const rows = [];
  const notes = [];
  try {
    for (const n of sizes) {
      const body = JSON.stringify(ROUTES.processData(n));
      const plainUrl = `${base}/forst-handler/processData`;
      const checkedUrl = `${base}/forst-handler/processDataChecked`;
      const [plain, checked] = [await post(plainUrl, body), await post(checkedUrl, body)];
      if (!isDeepStrictEqual(plain.value, checked.value)) notes.push(`!!! MISMATCH at ${n}: ${JSON.stringify(plain.value)} vs ${JSON.stringify(checked.value)}`);
      const slow = Math.max(plain.ms, checked.ms) * 10 > duration * 1000;
      const opts = slow ? { amount: 5 } : { duration };
      if (!slow) for (const url of [plainUrl, checkedUrl]) await load(url, body, { duration: 1 });
      const runs = { plain: [], checked: [] };
      for (let i = 0; i < rounds; i++) {
        runs.plain.push((await load(plainUrl, body, opts)).reqPerSec);
        runs.checked.push((await load(checkedUrl, body, opts)).reqPerSec);
      }
      const p = median(runs.plain);
      const c = median(runs.checked);
      const target = targetFigure(`processData ${n} checked/unchecked req/s`, c / p, ">=", 0.9);
      figures[`processData.${n}.plain`] = { value: p, unit: "req/s" };
      figures[`processData.${n}.checked`] = { value: c, unit: "req/s" };
      figures[`processData.${n}.checkedOverPlain`] = target;
      rows.push([n.toLocaleString("en-US"), fmt(p, 1), fmt(c, 1), fmt(c / p), `≥ 0.9: ${target.verdict}`, `${rounds} × ${slow ? `${opts.amount} requests` : `${duration} s`}`]);
    }
  } finally {
    child.disconnect();
  }
  return {
    title: "Validation cost: processData with and without constraints on its records (Forst handler, req/s, median of alternating rounds)",
    headers: ["records", "unchecked", "checked", "checked/unchecked", "target", "rounds"],
    rows, figures, notes,
  };
}
