// `forst check` with Go's type checker, through the real CLI: the type errors (a wrong return type, an
// unknown package member, an unused variable) exit 1 with `.ft` line AND column, a code frame and help, in the
// rendered and --json forms; `forst generate` refuses the same project; the fixed project is clean. And `forst dev`:
// a hot reload that Go's checker rejects keeps the previous version serving, and stops the `go build` that ran beside
// the checker.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { useFixture, packageDir, runNode, waitFor, startForstDev } from "./helpers.mjs";

const forstBin = path.join(packageDir, "bin", "forst.js");
const forst = (args, cwd, env) => runNode([forstBin, ...args], { cwd, env: { NO_COLOR: "1", ...env }, timeoutMs: 120000 });

const broken = `import "strings"

func shout(s string) int {
  unused := 1
  return strings.ToUpperr(s)
}
`;

test("forst check reports Go's type errors with line, column, code frame and help; --json has them as data", async () => {
  const dir = useFixture("app");
  const file = path.join(dir, "forst", "routes", "shout.ft");
  writeFileSync(file, broken);
  const bad = await forst(["check"], dir);
  assert.equal(bad.code, 1, bad.stderr);
  assert.match(bad.stderr, /error\[F0406\]: declared and not used: unused\n\s+┌─ forst\/routes\/shout\.ft:4:3/);
  assert.match(bad.stderr, /error\[F0401\]: undefined: strings\.ToUpperr\n\s+┌─ forst\/routes\/shout\.ft:5:18/);
  assert.match(bad.stderr, /5 │   return strings\.ToUpperr\(s\)\n\s+│\s+\^{8} not defined/);
  assert.match(bad.stderr, /help: did you mean `strings\.ToUpper`\?/);

  const json = await forst(["check", "--json"], dir);
  assert.equal(json.code, 1);
  const diags = JSON.parse(json.stdout);
  const undefinedName = diags.find((d) => d.code === "F0401");
  assert.deepEqual(
    { file: undefinedName.file, line: undefinedName.line, column: undefinedName.column, endColumn: undefinedName.endColumn },
    { file: "forst/routes/shout.ft", line: 5, column: 18, endColumn: 26 },
  );
  assert.equal(undefinedName.help, "did you mean `strings.ToUpper`?");

  const gen = await forst(["generate"], dir);
  assert.equal(gen.code, 1, "generate refuses a project Go rejects");
  assert.match(gen.stderr, /F0401/);

  writeFileSync(file, `import "strings"\n\nfunc shout(s string) string {\n  return strings.ToUpper(s)\n}\n`);
  const ok = await forst(["check"], dir);
  assert.equal(ok.code, 0, ok.stderr);
  assert.doesNotMatch(ok.stderr, /error\[/);
});

/** The processes descended from `pid` (from /proc): [{ pid, comm }]. */
function descendants(pid) {
  const parent = new Map();
  for (const p of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      // comm may hold spaces and parentheses: the fields after it start at the last ")".
      const stat = readFileSync(`/proc/${p}/stat`, "utf8");
      const [state, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (state !== "Z") parent.set(Number(p), { ppid: Number(ppid), comm: stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")) });
    } catch {} // gone meanwhile
  }
  const isBelow = (p) => { for (let q = parent.get(p)?.ppid; q; q = parent.get(q)?.ppid) if (q === pid) return true; return false; };
  return [...parent].filter(([p]) => isBelow(p)).map(([p, { comm }]) => ({ pid: p, comm }));
}

test("a hot reload runs Go's type checker: a type error is reported with its .ft column and the old version keeps serving", async () => {
  const dir = useFixture("app");
  const dev = await startForstDev(dir, assert);
  const out = () => dev.output();
  try {
    const { url, token } = dev;
    const add = async () =>
      (await fetch(url + "/add", { method: "POST", headers: { "x-forst-token": token }, body: "[2, 40]" })).json();
    const file = path.join(dir, "forst", "routes", "testing.ft");
    const original = readFileSync(file, "utf8");
    const binDir = path.join(dir, "dist", "forst", "bin");
    const binaries = readdirSync(binDir).sort();
    // Forst's own checks accept this; Go's checker does not.
    writeFileSync(file, original.replace("return a + b\n", 'return a + "b"\n'));
    assert.ok(await waitFor(() => /reload failed/.test(out()) && /error\[F0403\][^]*routes\/testing\.ft:\d+:\d+/.test(out()), { timeoutMs: 30000 }), out());
    assert.match(out(), /mismatched types int and untyped string/);
    assert.doesNotMatch(out(), /go build` failed/, "the checker's diagnostics, not the build's");
    assert.equal(await add(), 42, "the previous version keeps serving");
    // The `go build` started beside the checker was killed with its compiler and linker, and left nothing behind.
    const builders = () => descendants(dev.child.pid).filter((p) => ["go", "compile", "link"].includes(p.comm));
    assert.ok(await waitFor(() => builders().length === 0, { timeoutMs: 5000 }), JSON.stringify(builders()));
    assert.deepEqual(readdirSync(binDir).sort(), binaries, "no new binary and no half-written one");
    writeFileSync(file, original);
    assert.ok(await waitFor(() => /forst ✓ \d+ routes/.test(out()), { timeoutMs: 30000 }), out());
  } finally {
    await dev.stop();
  }
});
