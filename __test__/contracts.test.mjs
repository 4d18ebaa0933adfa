// Validating types at the boundary, against the real sidecar: each constraint's 400 invalid_input names the JSON
// path, the constraint and the value's kind before the function runs; nominal errors reach JS as ForstErrors with
// their name as the code and their fields as details, and TypeScript narrows them; Go structs keep Go's zero-fill.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { useFixture, loadPackage, rejectsWith, packageDir, runNode, rawCall } from "./helpers.mjs";

const dir = useFixture("contracts");
const forst = loadPackage();
const { signup, rename, admit, legacy } = forst;

after(async () => {
  await forst.stop();
});

const valid = () => ({
  username: "carol",
  email: "carol@example.org",
  phone: "+4930123",
  age: 30,
  score: 0.5,
  terms: true,
  referrer: "bob",
  coupon: null,
  tags: ["a"],
  limits: { daily: 3 },
  address: { city: "Berlin", zipCode: "10115" },
  previous: [{ city: "Paris", zipCode: "75001" }],
});

test("a valid value passes every constraint and reaches the function", async () => {
  assert.deepEqual(await signup(valid()), { welcome: "carol", city: "Berlin" });
  const { website, ...noWebsite } = { ...valid(), website: undefined };
  assert.deepEqual(await signup(noWebsite), { welcome: "carol", city: "Berlin" }, "an optional field may be left out");
  assert.deepEqual(await signup({ ...valid(), website: "https://x.org" }), { welcome: "carol", city: "Berlin" });
});

// [what changes, JSON path, constraint as written, what the message says the value was]
const broken = [
  [{ username: "ab" }, "s.username", "Min(3)", "a string of 2 characters"],
  [{ username: "x".repeat(31) }, "s.username", "Max(30)", "a string of 31 characters"],
  [{ username: "éé" }, "s.username", "Min(3)", "a string of 2 characters"],
  [{ email: "carol.example.org" }, "s.email", 'Contains("@")', "a string of 17 characters"],
  [{ phone: "04930123" }, "s.phone", 'HasPrefix("+")', "a string of 8 characters"],
  [{ website: "https://x.com" }, "s.website", 'HasSuffix(".org")', "a string of 13 characters"],
  [{ age: 12 }, "s.age", "Min(13)", "12"],
  [{ age: 131 }, "s.age", "Max(130)", "131"],
  [{ score: 0 }, "s.score", "GreaterThan(0)", "0"],
  [{ score: 1 }, "s.score", "LessThan(1)", "1"],
  [{ terms: false }, "s.terms", "True()", "false"],
  [{ referrer: null }, "s.referrer", "Present()", "null"],
  [{ coupon: "FREE" }, "s.coupon", "Nil()", "a value"],
  [{ tags: [] }, "s.tags", "Min(1)", "0 elements"],
  [{ tags: ["a", "b", "c", "d"] }, "s.tags", "Max(3)", "4 elements"],
  [{ tags: ["a", ""] }, "s.tags[1]", "Min(1)", "a string of 0 characters"],
  [{ limits: { daily: 3, weekly: -1 } }, "s.limits.weekly", "Min(0)", "-1"],
  [{ address: { city: "Berlin", zipCode: "101" } }, "s.address.zipCode", "Min(5)", "a string of 3 characters"],
  [{ previous: [{ city: "Paris", zipCode: "75001" }, { city: "", zipCode: "75001" }] }, "s.previous[1].city", "Min(1)", "a string of 0 characters"],
];

const quote = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

for (const [change, at, constraint, got] of broken) {
  test(`400 invalid_input at ${at}: ${constraint}`, async () => {
    await rejectsWith(assert, signup({ ...valid(), ...change }), {
      status: 400,
      code: "invalid_input",
      function: "signup",
      message: new RegExp(`^at ${quote(at)}: .*\\(${quote(constraint)}\\), got ${quote(got)}$`),
    });
    const err = await signup({ ...valid(), ...change }).catch((e) => e);
    assert.deepEqual({ path: err.details.path, constraint: err.details.constraint, actual: err.details.actual }, { path: at, constraint, actual: got });
  });
}

test("a shape's required field that is missing (or null) is 400 invalid_input naming it", async () => {
  const { username, ...noUsername } = valid();
  for (const [input, at] of [
    [noUsername, "s.username"],
    [{ ...valid(), email: null }, "s.email"],
    [{ ...valid(), address: { city: "Berlin" } }, "s.address.zipCode"],
    [{ ...valid(), previous: [{ city: "Paris", zipCode: "75001" }, { zipCode: "75001" }] }, "s.previous[1].city"],
  ]) {
    const err = await signup(input).catch((e) => e);
    assert.equal(err.status, 400, at);
    assert.equal(err.code, "invalid_input");
    assert.equal(err.details.path, at);
    assert.equal(err.details.constraint, "required");
    assert.match(err.message, new RegExp(`^at ${quote(at)}: missing required field "${at.split(".").pop()}" \\(`));
  }
  // encoding/json's rules: a key that matches without regard to case is the field.
  const { username: u, ...rest } = valid();
  assert.deepEqual(await signup({ ...rest, USERNAME: "carol" }), { welcome: "carol", city: "Berlin" });
  // Optional fields and pointers may be left out; a null array is an empty one (then its own constraints apply).
  const { coupon, website, ...minimal } = valid();
  assert.deepEqual(await signup(minimal), { welcome: "carol", city: "Berlin" });
  const nullTags = await signup({ ...valid(), tags: null }).catch((e) => e);
  assert.deepEqual([nullTags.status, nullTags.details.path, nullTags.details.constraint], [400, "s.tags", "Min(1)"]);
});

test("the function does not run when its input breaks a constraint", async () => {
  // `signup` of an existing member answers 409: a broken constraint answers 400 before that check could run.
  await rejectsWith(assert, signup({ ...valid(), username: "alice" }), { status: 409 });
  await rejectsWith(assert, signup({ ...valid(), username: "alice", age: 1 }), { status: 400 });
});

test("constrained parameters: the path is the parameter's name", async () => {
  assert.equal(await rename("abc", 2), "abcabc");
  await rejectsWith(assert, rename("ab", 2), { status: 400, message: /^at name: .*\(Min\(3\)\)/ });
  await rejectsWith(assert, rename("abc", 4), { status: 400, message: /^at times: a number ≤ 3 \(Max\(3\)\), got 4$/ });
});

test("a guard on a parameter's type runs before the function: 400 with what the guard said", async () => {
  assert.equal(await admit({ name: "Dana", age: 18 }), "Dana");
  await rejectsWith(assert, admit({ name: "Eli", age: 17 }), {
    status: 400,
    code: "invalid_input",
    message: /^at a: .*\(OfAge\(\)\), got ensure failed at routes\/accounts\.ft:\d+: a\.age is not Min\(18\) \(got 17\)$/,
  });
});

test("a nominal error reaches JS as a ForstError: code = its name, details = its fields, 422 by default", async () => {
  const err = await signup({ ...valid(), username: "abc" }).catch((e) => e);
  assert.equal(err.name, "ForstError");
  assert.equal(err.status, 422);
  assert.equal(err.code, "UsernameTaken");
  assert.deepEqual(err.details, { username: "abc", suggestions: ["abc1"] });
  assert.equal(signup.isError(err), true);
  assert.equal(signup.isError(err, "UsernameTaken"), true);
  assert.equal(signup.isError(err, "AlreadyMember"), false);
  assert.equal(rename.isError(err), false, "another function's error");
});

test("a nominal error with //forst:status answers with that status", async () => {
  const err = await signup({ ...valid(), username: "alice" }).catch((e) => e);
  assert.deepEqual([err.status, err.code, err.details], [409, "AlreadyMember", { since: 2019 }]);
  const raw = await rawCall("/signup", JSON.stringify({ ...valid(), username: "alice" }));
  assert.equal(raw.status, 409);
  assert.deepEqual(raw.json.error.details, { since: 2019 });
  assert.equal(raw.json.error.code, "AlreadyMember");
});

test("plain Go structs keep Go's zero-fill: missing fields are zero values", async () => {
  assert.deepEqual(await legacy({}), { name: "", count: 0 });
  assert.deepEqual(await legacy({ name: "x" }), { name: "x", count: 0 });
});

test("TypeScript narrows a domain error on its code: details are typed", async () => {
  mkdirSync(path.join(dir, "node_modules", "@forst"), { recursive: true });
  symlinkSync(packageDir, path.join(dir, "node_modules", "@forst", "sidecar"), "dir");
  writeFileSync(
    path.join(dir, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: { strict: true, noEmit: true, module: "NodeNext", moduleResolution: "NodeNext", target: "ES2022", types: ["node"], typeRoots: [path.join(packageDir, "node_modules", "@types")] },
      files: ["main.mts"],
    })
  );
  writeFileSync(
    path.join(dir, "main.mts"),
    `
    import { signup, ForstError, type ForstErrorName } from "@forst/sidecar";
    export async function register(input: signup.Input): Promise<string> {
      try {
        return (await signup(input)).welcome;
      } catch (err) {
        if (signup.isError(err, "UsernameTaken")) {
          const first: string = err.details.suggestions[0];
          // @ts-expect-error: UsernameTaken has no since
          err.details.since;
          return first;
        }
        if (signup.isError(err)) {
          switch (err.code) {
            case "AlreadyMember": { const year: number = err.details.since; return String(year); }
            case "UsernameTaken": return err.details.username;
            // @ts-expect-error: not one of signup's errors
            case "Nope": return "";
          }
        }
        if (err instanceof ForstError && err.code === "invalid_input") return String(err.details);
        throw err;
      }
    }
    const names: ForstErrorName[] = ["UsernameTaken", "AlreadyMember"];
    export { names };
    `
  );
  const r = await runNode([path.join(packageDir, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json"], { cwd: dir });
  assert.equal(r.code, 0, r.stdout + r.stderr);
});
