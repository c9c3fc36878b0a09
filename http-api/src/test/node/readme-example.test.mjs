// The README's Node.js example, as written, against relata serve-testing (only the port differs).
import { after, before, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync, rmSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { startRelata } from "./server.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
let relata;

before(async () => { relata = await startRelata("serve-testing"); });
after(async () => { await relata?.stop(); });

it("runs the README's Node.js example and prints true", () => {
  const readme = readFileSync(path.resolve(here, "../../../../README.md"), "utf8");
  const block = readme.split("<!-- node-example:start -->")[1]?.split("<!-- node-example:end -->")[0];
  assert.ok(block, "the README has a Node.js example between its markers");
  const code = block.replace(/^\s*```js\n/, "").replace(/```\s*$/, "");
  assert.match(code, /localhost:50051/);
  const file = path.join(here, "readme-example.generated.mjs");
  writeFileSync(file, code.replace("localhost:50051", relata.grpc));
  try {
    const printed = execFileSync("node", [file], { cwd: here, encoding: "utf8", timeout: 60_000 });
    assert.equal(printed.trim(), "true");
  } finally {
    rmSync(file, { force: true });
  }
});
