// The OpenAPI document, checked by real tools: a validator from npm (@apidevtools/swagger-parser) finds no error in
// the documents of the example app and of the validating-types fixture, the sidecar serves the same document at
// GET /__forst/openapi.json (with the token only), and schemathesis fuzzes the running sidecars from them: every
// answer matches its schema and status, schema-violating input is refused, and no 5xx but returned_error and panic.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, writeFileSync, mkdirSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { packageDir, here, forst, buildProject, runSidecar, runTool, toolsDir, exited } from "./helpers.mjs";

const SwaggerParser = createRequire(import.meta.url)("@apidevtools/swagger-parser");
const SCHEMATHESIS = path.join(toolsDir, "schemathesis-4.32.5", "bin", "schemathesis");
const TOKEN = "openapi-test-" + process.pid;
const projects = {};

/** A project copied into a temp dir, built, its document written and its sidecar started. */
async function project(name, forstDir, extra = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), `forst-openapi-${name}-`));
  cpSync(forstDir, path.join(dir, "forst"), { recursive: true });
  for (const [file, text] of Object.entries(extra)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  const { binary } = await buildProject(dir);
  const out = await forst(["openapi", "--out", "openapi.json"], dir);
  assert.equal(out.code, 0, out.stderr);
  const sidecar = await runSidecar(binary, ["--listen", "127.0.0.1:0"], { FORST_TOKEN: TOKEN });
  return { dir, doc: path.join(dir, "openapi.json"), sidecar };
}

before(async () => {
  projects.app = await project("app", path.join(packageDir, "examples", "express-app", "forst"));
  projects.contracts = await project("contracts", path.join(here, "fixtures", "contracts", "forst"));
});

after(async () => {
  for (const p of Object.values(projects)) {
    p.sidecar.child.kill("SIGTERM");
    await exited(p.sidecar.child);
  }
});

for (const name of ["app", "contracts"]) {
  test(`${name}: the document validates (swagger-parser, OpenAPI 3.1)`, async () => {
    const api = await SwaggerParser.validate(projects[name].doc);
    assert.equal(api.openapi, "3.1.0");
    assert.ok(Object.keys(api.paths).length >= 4);
  });

  test(`${name}: GET /__forst/openapi.json serves the same document, with the token only`, async () => {
    const { url } = projects[name].sidecar;
    const served = await fetch(url + "/__forst/openapi.json", { headers: { "x-forst-token": TOKEN } });
    assert.equal(served.status, 200);
    assert.deepEqual(await served.json(), JSON.parse(readFileSync(projects[name].doc, "utf8")));
    const anonymous = await fetch(url + "/__forst/openapi.json");
    assert.equal(anonymous.status, 401);
  });
}

test("contracts: constraints, required fields and error codes are in the document", async () => {
  const doc = JSON.parse(readFileSync(projects.contracts.doc, "utf8"));
  const signup = doc.components.schemas.Signup;
  assert.deepEqual(doc.components.schemas.Username, { type: "string", minLength: 3, maxLength: 30 });
  assert.equal(signup.properties.email.pattern, "@");
  assert.equal(signup.properties.phone.pattern, "^\\+");
  assert.deepEqual(signup.properties.age, { type: "integer", format: "int64", minimum: 13, maximum: 130 });
  assert.deepEqual(signup.properties.score, { type: "number", exclusiveMinimum: 0, exclusiveMaximum: 1 });
  assert.deepEqual(signup.properties.tags.items, { type: "string", minLength: 1 });
  assert.ok(signup.required.includes("username") && signup.required.includes("referrer"));
  assert.ok(!signup.required.includes("website") && !signup.required.includes("coupon"));
  const responses = doc.paths["/signup"].post.responses;
  assert.deepEqual(responses["422"].content["application/json"].schema.allOf[1].properties.error.properties.code.enum, ["UsernameTaken"]);
  assert.deepEqual(responses["409"].content["application/json"].schema.allOf[1].properties.error.properties.code.enum, ["AlreadyMember"]);
  assert.deepEqual(doc.components.securitySchemes.forstToken, {
    type: "apiKey", in: "header", name: "X-Forst-Token",
    description: doc.components.securitySchemes.forstToken.description,
  });
});

/**
 * schemathesis against a running sidecar: all its checks but positive_data_acceptance (a schema cannot say what a
 * guard or the function's own logic refuses, nor that Go's decoder refuses 1.0 for an integer) and
 * not_a_server_error (replaced by ours: 5xx only for returned_error and panic).
 */
function schemathesis(p, extra = []) {
  assert.ok(existsSync(SCHEMATHESIS), `schemathesis is not installed in ${toolsDir} (scripts/install-test-tools.sh)`);
  return runTool(
    SCHEMATHESIS,
    ["run", p.doc, "--url", p.sidecar.url, "-H", `X-Forst-Token: ${TOKEN}`, "--max-examples", "30", "--seed", "1",
      "--checks", "all", "--exclude-checks", "positive_data_acceptance,not_a_server_error", "--no-color", ...extra],
    { env: { PYTHONPATH: path.join(here, "tools"), SCHEMATHESIS_HOOKS: "forst_schemathesis" }, timeoutMs: 120000 }
  );
}

for (const name of ["app", "contracts"]) {
  test(`${name}: schemathesis finds no failure`, async () => {
    const r = await schemathesis(projects[name]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.doesNotMatch(r.stdout, /FAILURES/);
    // Every generated case passed every check (a warning such as "mostly rejected" — signup's own logic refuses
    // most short names with UsernameTaken — is not a failure).
    const [, generated, passed] = /(\d+) generated, (\d+) passed/.exec(r.stdout) ?? [];
    assert.ok(Number(generated) > 100 && generated === passed, r.stdout);
  });
}

test("the fuzz run does fail when a sidecar answers an undeclared 5xx (invalid_result)", async () => {
  const p = await project("nan", path.join(here, "fixtures", "contracts", "forst"), {
    "forst/routes/ratio.ft": "// ratio answers NaN or ±Inf for b = 0: JSON cannot carry it (500 invalid_result).\nfunc ratio(a Float, b Float) Float {\n  return a / b\n}\n",
  });
  try {
    const r = await schemathesis(p, ["--include-path", "/ratio"]);
    assert.notEqual(r.code, 0, r.stdout);
    assert.match(r.stdout, /only_declared_server_errors|invalid_result/);
  } finally {
    p.sidecar.child.kill("SIGTERM");
    await exited(p.sidecar.child);
  }
});
