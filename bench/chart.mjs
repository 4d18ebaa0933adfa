// SVG charts of the overhead and routes suites, from a results report (bench/results/latest.json): people would
// rather look than read. Plain SVG strings, no dependency: horizontal bars on a log scale, one row per measurement.
import fs from "node:fs";
import path from "node:path";

const ROW = 18;
const LABEL_W = 250;
const BAR_W = 420;
const COLORS = { floor: "#9aa5b1", direct: "#6c8ebf", fetch: "#e8a33d", addon: "#2e8b57", js: "#e8a33d", forst: "#2e8b57", forstRaw: "#1f5f3b" };

function escape(s) {
  return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;");
}

/** rows: [{ label, bars: [{ key, name, value }] }]; values on a log10 axis from min to max. */
function barChart(title, unit, rows) {
  const values = rows.flatMap((r) => r.bars.map((b) => b.value)).filter((v) => v > 0 && Number.isFinite(v));
  if (values.length === 0) return null;
  const lo = Math.log10(Math.min(...values) / 2);
  const hi = Math.log10(Math.max(...values) * 1.2);
  const x = (v) => ((Math.log10(v) - lo) / (hi - lo)) * BAR_W;
  const height = 40 + rows.reduce((h, r) => h + (r.bars.length + 1) * ROW + 8, 0) + 30;
  let y = 34;
  let body = "";
  for (const r of rows) {
    body += `<text x="4" y="${y + 12}" font-size="12" font-weight="bold">${escape(r.label)}</text>`;
    y += ROW;
    for (const b of r.bars) {
      const w = b.value > 0 && Number.isFinite(b.value) ? Math.max(1, x(b.value)) : 0;
      body += `<text x="${LABEL_W - 6}" y="${y + 12}" font-size="11" text-anchor="end">${escape(b.name)}</text>`;
      body += `<rect x="${LABEL_W}" y="${y + 2}" width="${w.toFixed(1)}" height="${ROW - 5}" fill="${COLORS[b.key] || "#888"}"/>`;
      body += `<text x="${(LABEL_W + w + 4).toFixed(1)}" y="${y + 12}" font-size="11">${Number.isFinite(b.value) ? b.value.toPrecision(3) : "n/a"}</text>`;
      y += ROW;
    }
    y += 8;
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${LABEL_W + BAR_W + 80}" height="${height}" font-family="sans-serif">` +
    `<rect width="100%" height="100%" fill="white"/><text x="4" y="18" font-size="14" font-weight="bold">${escape(title)}</text>` +
    `<text x="${LABEL_W}" y="${height - 8}" font-size="11" fill="#555">${escape(unit)} (log scale)</text>${body}</svg>\n`;
}

function overheadChart(figures) {
  const cells = [...new Set(Object.keys(figures).map((k) => k.split(".").slice(0, 2).join(".")))].filter((k) => figures[`${k}.floor`]);
  const names = { floor: "(b) Go+Rust floor", direct: "(e) Rust → Forst sidecar", fetch: "(c) fetch → Go", addon: "(d) Forst addon" };
  const rows = cells.map((cell) => ({
    label: cell.replace(".c", ", concurrency "),
    bars: Object.keys(names).filter((k) => figures[`${cell}.${k}`]).map((k) => ({ key: k, name: names[k], value: figures[`${cell}.${k}`].p50 })),
  }));
  return barChart("Call overhead: echo, p50 latency", "ms", rows);
}

function routesChart(figures) {
  const cells = [...new Set(Object.keys(figures).map((k) => k.split(".").slice(0, 2).join(".")))].filter((k) => figures[`${k}.js`]);
  const names = { js: "pure JS", forst: "Forst", forstRaw: "Forst .raw" };
  const rows = cells.map((cell) => ({
    label: cell.replace(".", ", ") + " records",
    bars: Object.keys(names).filter((k) => figures[`${cell}.${k}`]).map((k) => ({ key: k, name: names[k], value: figures[`${cell}.${k}`].reqPerSec })),
  }));
  return barChart("Express routes: requests per second (higher is better)", "req/s", rows);
}

/** Writes overhead.svg and routes.svg next to the report for the suites it has; returns the files written. */
export function writeCharts(report, dir) {
  const written = [];
  const charts = { overhead: overheadChart, routes: routesChart };
  for (const [suite, make] of Object.entries(charts)) {
    const figures = report.suites[suite] && report.suites[suite].figures;
    const svg = figures && make(figures);
    if (svg) {
      const file = path.join(dir, `${suite}.svg`);
      fs.writeFileSync(file, svg);
      written.push(file);
    }
  }
  return written;
}
