// The API docs page of `forst dev`, in headless Chromium (Debian's, driven by playwright-core): it loads with no
// request leaving the machine (the renderer ships in the package), lists the example app's endpoints (and those of
// the validating-types fixture, with their doc comments, constraints and errors), and a try-it call made from the
// page, with the token from the printed link, returns the result.
// UPDATE_DOCS_SCREENSHOT=1 writes the screenshot the README shows (docs/api-docs.png).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { packageDir, here, startForstDev } from "./helpers.mjs";

const { chromium } = createRequire(import.meta.url)("playwright-core");
const CHROMIUM = process.env.FORST_CHROMIUM || "/usr/bin/chromium";
let dev;
let browser;
let page;
let docsUrl;
const outside = [];

before(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "forst-docs-"));
  cpSync(path.join(packageDir, "examples", "express-app", "forst"), path.join(dir, "forst"), { recursive: true });
  cpSync(path.join(here, "fixtures", "contracts", "forst"), path.join(dir, "forst"), { recursive: true });
  dev = await startForstDev(dir, assert);
  docsUrl = /API docs \(try-it included\): (\S+)/.exec(dev.output())?.[1];
  assert.ok(docsUrl, `forst dev printed no docs link:\n${dev.output()}`);
  assert.ok(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM} (scripts/install-test-tools.sh installs it)`);
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox"] });
  page = await browser.newPage({ viewport: { width: 1280, height: 1500 } });
  // Offline: every request for another host is recorded and refused.
  await page.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if (url.hostname === "127.0.0.1") return route.continue();
    outside.push(url.href);
    return route.abort();
  });
});

after(async () => {
  await browser?.close();
  await dev?.stop();
});

test("the page loads offline and lists every endpoint", async () => {
  await page.goto(docsUrl);
  await page.waitForSelector(".opblock-summary", { timeout: 30000 });
  const summaries = await page.locator(".opblock-summary").allInnerTexts();
  for (const route of ["/process-data", "/perform-concurrent-search", "/calculate", "/process-large-dataset", "/signup"]) {
    assert.ok(summaries.some((s) => s.includes(route)), `${route} listed: ${summaries}`);
  }
  assert.ok(summaries.some((s) => s.includes("signup registers an account")), "the doc comment is the summary");
  assert.deepEqual(outside, [], "no request left the machine");
  assert.doesNotMatch(page.url(), /token=/, "the token is taken out of the address bar");
});

test("an endpoint shows its types, constraints and errors", async () => {
  const op = page.locator("#operations-default-signup");
  await op.locator(".opblock-summary").click();
  await op.locator(".responses-table").first().waitFor();
  const text = await op.innerText();
  for (const status of ["200", "400", "409", "422"]) assert.match(text, new RegExp(`^${status}\\s`, "m"), `response ${status}`);
  assert.match(text, /"code": "UsernameTaken"/);
  assert.match(text, /"code": "AlreadyMember"/);
  // The request body's schema, expanded: field names with their constraints.
  await op.locator(".opblock-section-request-body .tablinks[data-name=model]").click();
  const model = await op.locator(".opblock-section-request-body").innerText();
  assert.match(model, /username.*\[3, 30\] characters/);
  assert.match(model, /phone.*matches \^\\\+/);
  assert.match(model, /age.*\[13, 130\]/);
  assert.match(model, /score.*\(0, 1\)/);
  assert.match(model, /tags.*\[1, 3\] items/);
  await op.locator(".opblock-summary").click();
});

test("a try-it call from the page sends the token and shows the result", async () => {
  const op = page.locator("#operations-default-calculate");
  await op.locator(".opblock-summary").click();
  const body = op.locator("textarea.body-param__text");
  await body.fill('{"numbers": [1, 2, 2]}');
  await op.locator("button.execute").click();
  const response = op.locator(".live-responses-table tr.response .response-col_status").first();
  await response.waitFor({ timeout: 30000 });
  assert.equal((await response.innerText()).trim(), "200");
  const text = await op.locator(".live-responses-table tr.response .highlight-code pre").first().innerText();
  assert.deepEqual(JSON.parse(text), { result: 3 });
  assert.deepEqual(outside, []);
  if (process.env.UPDATE_DOCS_SCREENSHOT === "1") {
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: path.join(packageDir, "docs", "api-docs.png"), fullPage: false });
  }
});

test("without the token, the document is refused", async () => {
  const res = await page.evaluate(async () => (await fetch("/__forst/openapi.json")).status);
  assert.equal(res, 401);
});
