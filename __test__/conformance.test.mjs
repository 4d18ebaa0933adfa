// The conformance corpus (tests/conformance/*.ft): ordinary Go programs in function form. All of them are compiled
// into ONE Forst project and called through the real sidecar; the same files are built as ONE ordinary Go program
// (`go run`, with a main that calls every function with the same arguments) and the answers must be the same JSON,
// byte for byte — expected output comes from Go itself, never typed by hand. A program may carry
// `//conformance:args <JSON array>` above its function (the call's arguments) and `//conformance:limitation <why>`
// (a documented difference, listed in the README: it must still differ, so that a fixed limitation is noticed).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, writeFileSync, copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { packageDir } from "./helpers.mjs";

const require = createRequire(import.meta.url);
const corpusDir = path.join(packageDir, "tests", "conformance");
const programs = readdirSync(corpusDir)
  .filter((f) => f.endsWith(".ft"))
  .sort()
  .map((file) => ({ file, text: readFileSync(path.join(corpusDir, file), "utf8") }));

/** Directives of one program: arguments per function, and the limitation it documents. */
function directives(text) {
  const args = {};
  for (const m of text.matchAll(/^\/\/conformance:args (.+)\n(?:\/\/.*\n)*func (\w+)/gm)) args[m[2]] = JSON.parse(m[1]);
  const limitation = (text.match(/^\/\/conformance:limitation (.+)$/m) || [])[1];
  // `parsed`: compare what a JavaScript caller gets (the typed function's parsed value), not the JSON text.
  const parsed = /^\/\/conformance:parsed$/m.test(text);
  return { args, limitation, parsed };
}

const project = mkdtempSync(path.join(tmpdir(), "forst-conformance-"));
let forst;
let core;
let manifest;
let expected;

function goVersionLine() {
  const v = spawnSync("go", ["env", "GOVERSION"], { encoding: "utf8" }).stdout.trim();
  const minor = (v.match(/^go1\.(\d+)/) || [])[1];
  return minor ? `1.${minor}` : "1.22";
}

const goString = (s) => (s.includes("`") ? JSON.stringify(s) : "`" + s + "`");

/** main.go of the `go run` side: every endpoint called once, as the sidecar calls it, with outcomes as JSON. */
function mainProgram(endpoints, argsByName) {
  const calls = endpoints.map((e) => {
    const args = argsByName[e.name] || [];
    const lines = e.params.map(
      (p, i) => `\t\tvar a${i} ${p.goType}\n\t\tif err := json.Unmarshal([]byte(${goString(JSON.stringify(args[i] ?? null))}), &a${i}); err != nil {\n\t\t\tpanic(err)\n\t\t}`,
    );
    const callArgs = [...(e.takesContext ? ["context.Background()"] : []), ...e.params.map((_, i) => `a${i}`)].join(", ");
    const call = `${e.name}(${callArgs})`;
    const ret = e.result
      ? e.returnsError ? `return ${call}` : `return ${call}, nil`
      : e.returnsError ? `return nil, ${call}` : `${call}\n\t\treturn nil, nil`;
    return `\tout[${JSON.stringify(e.name)}] = conformanceCall(func() (any, error) {\n${lines.join("\n")}${lines.length ? "\n" : ""}\t\t${ret}\n\t})`;
  });
  return `package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
)

var _ = context.Background

type conformanceOutcome struct {
	Result *string         \`json:"result,omitempty"\`
	Error  *string         \`json:"error,omitempty"\`
	Panic  *string         \`json:"panic,omitempty"\`
}

func conformanceCall(f func() (any, error)) (o conformanceOutcome) {
	defer func() {
		if r := recover(); r != nil {
			s := fmt.Sprint(r)
			o = conformanceOutcome{Panic: &s}
		}
	}()
	v, err := f()
	if err != nil {
		s := err.Error()
		return conformanceOutcome{Error: &s}
	}
	b, err := json.Marshal(v)
	if err != nil {
		s := "invalid result: " + err.Error()
		return conformanceOutcome{Error: &s}
	}
	text := string(b)
	return conformanceOutcome{Result: &text}
}

func main() {
	out := map[string]conformanceOutcome{}
${calls.join("\n")}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		panic(err)
	}
}
`;
}

before(async () => {
  mkdirSync(path.join(project, "forst", "routes"), { recursive: true });
  for (const p of programs) writeFileSync(path.join(project, "forst", "routes", p.file), p.text);
  process.chdir(project);
  forst = require(packageDir);
  core = require(path.join(packageDir, "lib", "core.js"));
  await forst.start({ devServer: { watch: false } });
  // outputDir/manifest.json lists the functions (older builds called them endpoints).
  const written = JSON.parse(readFileSync(path.join(project, "dist", "forst", "manifest.json"), "utf8"));
  manifest = { endpoints: written.functions ?? written.endpoints };

  // The same programs as one ordinary Go program.
  const goDir = mkdtempSync(path.join(tmpdir(), "forst-conformance-go-"));
  writeFileSync(path.join(goDir, "go.mod"), `module conformance\n\ngo ${goVersionLine()}\n`);
  const argsByName = {};
  for (const p of programs) {
    copyFileSync(path.join(corpusDir, p.file), path.join(goDir, p.file.replace(/\.ft$/, ".go")));
    Object.assign(argsByName, directives(p.text).args);
  }
  writeFileSync(path.join(goDir, "conformance_main.go"), mainProgram(manifest.endpoints, argsByName));
  const run = spawnSync("go", ["run", "."], {
    cwd: goDir,
    encoding: "utf8",
    env: { ...process.env, GOTOOLCHAIN: "local", CGO_ENABLED: "0", GOFLAGS: "-mod=mod" },
    maxBuffer: 64 << 20,
  });
  assert.equal(run.status, 0, `go run of the corpus failed:\n${run.stderr}`);
  expected = JSON.parse(run.stdout);
});

after(async () => {
  if (forst) await forst.stop();
});

test("conformance: every corpus program answers through the sidecar exactly as `go run` does", async () => {
  const byFile = new Map(programs.map((p) => [`routes/${p.file}`, directives(p.text)]));
  const failures = [];
  const limited = [];
  let passed = 0;
  for (const e of manifest.endpoints) {
    const { args, limitation, parsed } = byFile.get(e.location.file);
    const callArgs = args[e.name] || [];
    const body = e.params.length === 0 ? "" : e.params.length === 1 ? JSON.stringify(callArgs[0] ?? null) : JSON.stringify(callArgs);
    let got;
    try {
      const fn = core.forstFunction(e.name, e.params.length);
      got = { result: parsed ? JSON.stringify(await fn(...callArgs.slice(0, e.params.length))) : (await fn.raw(body)).trim() };
    } catch (err) {
      got = err.code === "panic" ? { panic: err.message } : err.code === "returned_error" ? { error: err.message } : { failure: `${err.code}: ${err.message}` };
    }
    const want = expected[e.name];
    const wantNorm = want.result !== undefined ? { result: want.result } : want.panic !== undefined ? { panic: want.panic } : { error: want.error };
    // The sidecar's bytes against Go's bytes: compare the raw result text with Go's json.Marshal text.
    const same = JSON.stringify(got) === JSON.stringify(wantNorm);
    if (limitation) {
      if (same) failures.push(`${e.name} (${e.location.file}): documented as a limitation (${limitation}) but now matches: remove the directive and the README entry`);
      else limited.push(`${e.name}: ${limitation}`);
    } else if (same) {
      passed++;
    } else {
      failures.push(`${e.name} (${e.location.file}):\n  sidecar: ${JSON.stringify(got)}\n  go run:  ${JSON.stringify(wantNorm)}`);
    }
  }
  const total = manifest.endpoints.length;
  console.log(
    `conformance: ${programs.length} programs, ${total} functions: ${passed} identical to go run, ${limited.length} documented limitations, ${failures.length} failures (pass rate ${((100 * passed) / (total - limited.length)).toFixed(1)}% of the rest)`,
  );
  for (const l of limited) console.log(`  limitation: ${l}`);
  assert.deepEqual(failures, [], failures.join("\n"));
  assert.ok(programs.length >= 100, `the corpus has ${programs.length} programs; it should have at least 100`);
});
