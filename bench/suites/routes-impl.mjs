// The benchmark routes twice: pure JS here, Forst in examples/express-app/forst/ plus BENCH_FT below.
// The JS versions mirror the .ft files line by line in meaning (same fields, same rounding, same strings), so the two
// answers can be compared with deepEqual. Where the Go version collects results from goroutines through a channel, its
// order is not defined: normalize() sorts those answers before comparing.
import { createHash } from "node:crypto";
import { mulberry32, makeRecords } from "../lib.mjs";

/** helpers.ft's catalog, searched by prefix. */
const CATALOG = ["apple", "apricot", "banana", "blueberry", "cherry", "grape", "grapefruit"];

export const js = {
  // process_data.ft: processRecord uppercases each record and drops it; the answer only counts.
  processData(input) {
    for (const r of input.records) r.data.toUpperCase();
    return { processed: input.records.length, status: "success" };
  },
  // BENCH_FT's processDataChecked: processData with constraints on its records' fields (the answer is the same).
  processDataChecked(input) {
    return js.processData(input);
  },
  // calculate.ft: sqrt of the sum of squares, summed left to right like the Go loop (math.Pow(x, 2) is x*x exactly).
  calculate(input) {
    let result = 0;
    for (const num of input.numbers) result += Math.pow(num, 2);
    return { result: Math.sqrt(result) };
  },
  // search.ft + helpers.ft performSearch: catalog entries starting with each query.
  performConcurrentSearch(queries) {
    return queries.map((q) => ({ query: q, hits: CATALOG.filter((item) => item.startsWith(q)).length }));
  },
  // process_large_dataset.ft + helpers.ft heavyProcessing. Data is ASCII, so .length equals Go's byte len().
  processLargeDataset(data) {
    return data.map((r) => ({ id: r.id, length: r.data.length, upper: r.data.toUpperCase() }));
  },
  // BENCH_FT's processLargeDatasetLoop: the same answer as processLargeDataset.
  processLargeDatasetLoop(data) {
    return js.processLargeDataset(data);
  },
  // BENCH_FT's sha256Stats, sequentially (Node has one JS thread per request).
  sha256Stats(input) {
    const digests = input.records.map((r) => {
      let d = createHash("sha256").update(r.data).digest();
      for (let k = 1; k < 100; k++) d = createHash("sha256").update(d).digest();
      return d.toString("hex");
    });
    const all = createHash("sha256");
    for (const d of digests) all.update(d);
    return { count: digests.length, checksum: all.digest("hex") };
  },
};

/**
 * The CPU-heavy route in Forst: 100 chained SHA-256 per record, spread over one goroutine per CPU; and the RFC's
 * processLargeDataset written as a Go programmer would for such light work (a loop, no goroutine per record), which
 * shows how much of that route's time is the RFC's goroutine per record rather than the data path.
 */
export const BENCH_FT = `// forst/routes/bench.ft — the benchmark's CPU-heavy route (bench/suites/routes-impl.mjs has its JS twin).
import (
  "crypto/sha256"
  "encoding/hex"
  "runtime"
  "strings"
  "sync"
)

type Sha256Stats struct {
  Count    int    \`json:"count"\`
  Checksum string \`json:"checksum"\`
}

// sha256Stats hashes each record's data, then the digest 99 more times; it answers the number of hex digests and
// the SHA-256 (hex) of all hex digests concatenated in record order.
func sha256Stats(input ProcessDataInput) Sha256Stats {
  records := input.Records
  digests := make([]string, len(records))
  if len(records) > 0 {
    workers := runtime.NumCPU()
    chunk := (len(records) + workers - 1) / workers
    var wg sync.WaitGroup
    for lo := 0; lo < len(records); lo += chunk {
      hi := lo + chunk
      if hi > len(records) {
        hi = len(records)
      }
      wg.Add(1)
      go func(lo int, hi int) {
        defer wg.Done()
        for i := lo; i < hi; i++ {
          sum := sha256.Sum256([]byte(records[i].Data))
          for k := 1; k < 100; k++ {
            sum = sha256.Sum256(sum[:])
          }
          digests[i] = hex.EncodeToString(sum[:])
        }
      }(lo, hi)
    }
    wg.Wait()
  }
  all := sha256.New()
  for _, d := range digests {
    all.Write([]byte(d))
  }
  return Sha256Stats{Count: len(digests), Checksum: hex.EncodeToString(all.Sum(nil))}
}

// processLargeDatasetLoop answers what processLargeDataset answers, in record order, without a goroutine per record.
func processLargeDatasetLoop(data []Record) []ProcessedRecord {
  results := make([]ProcessedRecord, len(data))
  for i, r := range data {
    results[i] = heavyProcessing(r)
  }
  return results
}

// processDataChecked is processData with Forst's validating types on its records: every id and data is checked
// where the JSON comes in (the routes-validation suite compares its throughput with processData's).
type CheckedRecord = {
  id:   String.Min(1).Max(64),
  data: String.Min(1).Max(100000),
}

type CheckedInput = {
  records: Array(CheckedRecord).Max(1000000),
}

func processDataChecked(input CheckedInput) {
  for i := range input.records {
    go processCheckedRecord(input.records[i])
  }
  return map[string]interface{}{
    "processed": len(input.records),
    "status": "success",
  }
}

//forst:internal
func processCheckedRecord(r CheckedRecord) {
  _ = strings.ToUpper(r.data)
}
`;

/** Route name → URL path segment and request body for `n` records (fixed seed per route and size). */
export const ROUTES = {
  processData: (n) => ({ records: makeRecords(n, 1) }),
  calculate: (n) => {
    const rand = mulberry32(2);
    return { numbers: Array.from({ length: n }, () => Math.round((rand() * 2000 - 1000) * 1000) / 1000) };
  },
  performConcurrentSearch: (n) => {
    const rand = mulberry32(3);
    const starts = ["a", "ap", "b", "bl", "c", "g", "gr", "grape", "x", "ban"];
    return Array.from({ length: n }, () => starts[(rand() * starts.length) | 0]);
  },
  processLargeDataset: (n) => makeRecords(n, 4),
  processLargeDatasetLoop: (n) => makeRecords(n, 4),
  sha256Stats: (n) => ({ records: makeRecords(n, 5) }),
};

/** Puts answers whose order Go leaves open into a canonical order before deepEqual. */
export function normalize(route, value) {
  if (!Array.isArray(value)) return value;
  const key = route === "performConcurrentSearch" ? (x) => x.query : (x) => x.id;
  return [...value].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
}
