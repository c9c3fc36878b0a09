// The playground in a real browser: Debian's headless Chromium driven by playwright-core,
// against `relata serve-testing` (and `relata serve`, where the page is off unless asked for).
// The screenshots are kept in http-api/target/playground/: playground-schema-error.png (an error
// marked as it is typed) and playground.png (assertions run, a check and an expand tree).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { chromium } from "playwright-core";
import { startRelata } from "./server.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const artifacts = path.resolve(here, "../../../target/playground");
const executablePath = process.env.RELATA_CHROMIUM || "/usr/bin/chromium";

let relata;
let browser;

before(async () => {
  if (!existsSync(executablePath)) {
    throw new Error(`${executablePath} is missing: install Debian's chromium (apt-get install chromium)`
      + " or point RELATA_CHROMIUM at a Chromium");
  }
  mkdirSync(artifacts, { recursive: true });
  relata = await startRelata("serve-testing");
  // --no-sandbox: CI runs as root, where Chromium's sandbox cannot start.
  browser = await chromium.launch({ executablePath, headless: true, args: ["--no-sandbox"] });
});

after(async () => {
  await browser?.close();
  await relata?.stop();
});

const BROKEN = "definition user {}\n\ndefinition doc {\n    relation viewer: usr\n    permission view = viewer\n}\n";

test("the playground shows a schema error at its position as you type, then runs the assertions", async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const problems = [];
  page.on("pageerror", (e) => problems.push(e.message));
  page.on("console", (m) => { if (m.type() === "error") problems.push(m.text()); });
  await page.goto(relata.http + "/playground");
  await page.locator("#diagnostics li.ok").waitFor(); // the example schema compiles

  // Type a schema with an error, key by key.
  const schema = page.locator("#schema");
  await schema.fill("");
  await schema.pressSequentially(BROKEN);
  const error = page.locator("#diagnostics li.error").first();
  await error.waitFor();
  assert.equal(await error.locator(".where").textContent(), "4:22");
  assert.match(await error.textContent(), /usr.*did you mean `user`\?/);
  // The mark covers the misspelt name, on the schema's fourth line, over the textarea's text.
  const mark = page.locator("#schema-marks mark.error");
  assert.equal(await mark.textContent(), "usr");
  const box = await mark.boundingBox();
  const area = await schema.boundingBox();
  const lineHeight = 18;
  const padding = 6;
  const row = Math.round((box.y - area.y - padding) / lineHeight);
  assert.equal(row, 3, `the mark is on row ${row} of the editor, not the fourth line`);
  assert.ok(box.x > area.x + 100, "the mark is along the line, where the name is");
  await page.screenshot({ path: path.join(artifacts, "playground-schema-error.png"), fullPage: true });

  // Fix it: clicking the error selects the name; type the right one over it.
  await error.click();
  await page.keyboard.type("user");
  await page.locator("#diagnostics li.ok").waitFor();
  assert.equal(await page.locator("#schema-marks mark").count(), 0);
  assert.match(await schema.inputValue(), /relation viewer: user\n/);

  // Relationships and assertions, one of them false; run them.
  await page.locator("#relationships").fill("doc:readme#viewer@user:alice\n");
  await page.locator("#assertions").fill("assertions:\n  assertTrue:\n    - doc:readme#view@user:alice\n"
    + "    - doc:readme#view@user:bob\n  assertFalse:\n    - doc:readme#view@user:carol\n");
  await page.locator("#run").click();
  await page.locator("#results li").nth(2).waitFor();
  const results = page.locator("#results li");
  assert.deepEqual(await results.evaluateAll((items) => items.map((i) => i.className)), ["pass", "fail", "pass"]);
  assert.match(await results.nth(0).textContent(), /line 3.*assertTrue doc:readme#view@user:alice/);
  assert.match(await results.nth(1).textContent(), /line 4.*assertTrue doc:readme#view@user:bob.*expected HAS, found NO/);
  assert.match(await page.locator("#status").textContent(), /1 relationships, 3 assertions: 1 failed/);

  // A check and an expand tree against the same data.
  await page.locator("#check").fill("doc:readme#view@user:alice");
  await page.locator("#check-form button").click();
  await page.locator("#check-result.has").waitFor();
  assert.equal(await page.locator("#check-result").textContent(), "doc:readme#view@user:alice: has permission");
  await page.locator("#expand").fill("doc:readme#view");
  await page.locator("#expand-form button").click();
  await page.locator("#expand-tree .subject").waitFor();
  assert.equal(await page.locator("#expand-tree summary").first().textContent(), "doc:readme#viewer");
  assert.equal(await page.locator("#expand-tree .subject").textContent(), "user:alice");

  const shot = path.join(artifacts, "playground.png");
  await page.screenshot({ path: shot, fullPage: true });
  assert.ok(statSync(shot).size > 10_000, "the screenshot has content");
  assert.deepEqual(problems, []);
  await page.close();
});

test("the playground saves the panes as a validation file and loads one back", async () => {
  const page = await browser.newPage({ acceptDownloads: true });
  await page.goto(relata.http + "/playground");
  await page.locator("#diagnostics li.ok").waitFor();
  const [download] = await Promise.all([page.waitForEvent("download"), page.locator("#save").click()]);
  const saved = readFileSync(await download.path(), "utf8");
  assert.match(saved, /^schema: \|-\n  definition user \{\}\n/);
  assert.match(saved, /\nrelationships: \|-\n  doc:readme#owner@user:alice\n/);

  // Load a file of another schema: the panes take its parts and its assertions run.
  const other = saved.replaceAll("readme", "guide").replace("doc:guide#view@user:carol", "doc:guide#view@user:alice");
  await page.locator("#load").setInputFiles({ name: "other.yaml", mimeType: "application/yaml", buffer: Buffer.from(other) });
  await page.locator("#results li.fail").waitFor();
  assert.match(await page.locator("#relationships").inputValue(), /^doc:guide#owner@user:alice\n/);
  assert.match(await page.locator("#assertions").inputValue(), /"doc:guide#view@user:alice"/);
  assert.match(await page.locator("#results li.fail").textContent(), /assertFalse doc:guide#view@user:alice/);
  await page.close();
});

test("relata serve answers 404 at /playground unless started with --playground", async () => {
  const off = await startRelata("serve", ["--preshared-key", "playground-off"]);
  try {
    assert.equal((await fetch(off.http + "/playground")).status, 404);
  } finally {
    await off.stop();
  }
  const on = await startRelata("serve", ["--preshared-key", "playground-on", "--playground"]);
  try {
    assert.equal((await fetch(on.http + "/playground")).status, 200);
    // The page's endpoints want the server's key there.
    const refused = await fetch(on.http + "/relata/v1/schema/validate", { method: "POST", body: '{"schema": ""}' });
    assert.equal(refused.status, 401);
    const page = await browser.newPage();
    await page.goto(on.http + "/playground");
    await page.locator("#token").fill("playground-on");
    await page.locator("#run").click();
    await page.locator("#results li").first().waitFor();
    assert.match(await page.locator("#status").textContent(), /all hold/);
    await page.close();
  } finally {
    await on.stop();
  }
});
