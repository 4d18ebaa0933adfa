// Sharing types with a front end: `forst generate --types` writes declarations a browser app compiles with tsc
// --strict in a project that does not have this package (nothing imported), and `--schema` writes one JSON Schema
// (2020-12) per type that a standard validator (Ajv) uses to accept and refuse the same values the sidecar does.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, readdirSync, writeFileSync, mkdirSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { packageDir, here, forst, runNode } from "./helpers.mjs";

const Ajv2020 = createRequire(import.meta.url)("ajv/dist/2020").default;
const tsc = path.join(packageDir, "node_modules", "typescript", "bin", "tsc");
let project;
let web;

before(async () => {
  project = mkdtempSync(path.join(tmpdir(), "forst-frontend-"));
  cpSync(path.join(here, "fixtures", "contracts", "forst"), path.join(project, "forst"), { recursive: true });
  web = path.join(project, "web");
  mkdirSync(web);
  const r = await forst(["generate", "--types", "web/api.d.ts", "--schema", "web/schemas"], project);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /wrote the endpoints' types to web\/api\.d\.ts/);
});

test("the declarations import nothing, and name every endpoint, type and error", () => {
  const dts = readFileSync(path.join(web, "api.d.ts"), "utf8");
  assert.doesNotMatch(dts, /^\s*import\b|require\(|@forst\/sidecar/m);
  for (const name of ["interface Signup", "interface Address", "type Username", "interface UsernameTaken", "namespace signup", "namespace rename", "interface ForstEndpoints", "interface ForstErrorEnvelope"]) {
    assert.ok(dts.includes(name), `${name} in:\n${dts}`);
  }
});

test("a browser app compiles against them with tsc --strict, without this package", async () => {
  assert.ok(!existsSync(path.join(project, "node_modules")));
  writeFileSync(
    path.join(web, "tsconfig.json"),
    JSON.stringify({ compilerOptions: { strict: true, noEmit: true, target: "ES2022", module: "ESNext", moduleResolution: "Bundler", lib: ["ES2022", "DOM"], types: [] }, files: ["app.ts"] })
  );
  writeFileSync(
    path.join(web, "app.ts"),
    `
    import type { ForstEndpoints, ForstErrorEnvelope, Signup, signup } from "./api";

    /** POSTs to the Express API, typed by the endpoint's name. */
    async function call<K extends keyof ForstEndpoints>(name: K, input: ForstEndpoints[K]["input"]): Promise<ForstEndpoints[K]["output"]> {
      const res = await fetch("/api/" + name, { method: "POST", body: JSON.stringify(input) });
      if (!res.ok) throw (await res.json()) as ForstErrorEnvelope<ForstEndpoints[K]["error"]>;
      return res.json();
    }

    export async function register(form: Signup): Promise<string> {
      try {
        const result = await call("signup", form);
        return result.welcome + " in " + result.city;
      } catch (e) {
        const { error } = e as ForstErrorEnvelope<signup.Error>;
        switch (error.code) {
          case "UsernameTaken": return "try " + error.details.suggestions.join(", ");
          case "AlreadyMember": return "member since " + error.details.since;
        }
      }
      return "";
    }

    const form: Signup = {
      username: "carol", email: "c@x.org", phone: "+1", age: 30, score: 0.5, terms: true, referrer: "b",
      tags: ["a"], limits: {}, address: { city: "Berlin", zipCode: "10115" }, previous: [],
    };
    // @ts-expect-error: age is a number
    const wrong: Signup = { ...form, age: "30" };
    // @ts-expect-error: rename takes [name, times]
    call("rename", ["abc"]);
    export { form, wrong };
    `
  );
  const r = await runNode([tsc, "-p", "tsconfig.json"], { cwd: web });
  assert.equal(r.code, 0, r.stdout + r.stderr);
});

test("one JSON Schema (2020-12) per type; Ajv accepts and refuses what the sidecar does", () => {
  const dir = path.join(web, "schemas");
  const files = readdirSync(dir).sort();
  for (const f of ["Address.schema.json", "Signup.schema.json", "Username.schema.json", "UsernameTaken.schema.json"]) {
    assert.ok(files.includes(f), `${f} in ${files}`);
  }
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  const schema = JSON.parse(readFileSync(path.join(dir, "Signup.schema.json"), "utf8"));
  assert.equal(schema.$schema, "https://json-schema.org/draft/2020-12/schema");
  assert.ok(schema.$defs.Address && schema.$defs.Username, "what it refers to is in $defs");
  const validate = ajv.compile(schema);
  const ok = {
    username: "carol", email: "c@x.org", phone: "+1", age: 30, score: 0.5, terms: true, referrer: "b",
    tags: ["a"], limits: {}, address: { city: "Berlin", zipCode: "10115" }, previous: [],
  };
  assert.equal(validate(ok), true, JSON.stringify(validate.errors));
  const refused = [
    [{ username: "ab" }, "minLength"],
    [{ phone: "1" }, "pattern"],
    [{ age: 12 }, "minimum"],
    [{ score: 1 }, "exclusiveMaximum"],
    [{ tags: ["a", ""] }, "minLength"],
    [{ address: { city: "Berlin", zipCode: "1" } }, "minLength"],
    [{ terms: false }, "const"],
  ];
  for (const [change, keyword] of refused) {
    assert.equal(validate({ ...ok, ...change }), false, JSON.stringify(change));
    assert.ok(validate.errors.some((e) => e.keyword === keyword), `${keyword}: ${JSON.stringify(validate.errors)}`);
  }
  const { username, ...missing } = ok;
  assert.equal(validate(missing), false, "a shape's field is required");
  assert.equal(validate({ ...ok, website: undefined }), true, "an optional one is not");
});
