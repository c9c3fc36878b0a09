// Prints the side-by-side table of relata.json and spicedb.json (written by
// EmbeddedComparison and spicedb-side.mjs into one directory) with the ratio Relata / SpiceDB
// of every figure, and how many check answers the two agree on.
//   node ratios.mjs DIR
import { readFileSync } from "node:fs";
import { join } from "node:path";

const dir = process.argv[2];
const relata = JSON.parse(readFileSync(join(dir, "relata.json"), "utf8"));
const spicedb = JSON.parse(readFileSync(join(dir, "spicedb.json"), "utf8"));
const f = (x, d = 2) => x.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });
const ratio = (a, b) => (b === 0 ? "n/a" : f(a / b, 2));

const agree = relata.answers.filter((a, i) => a === spicedb.answers[i]).length;
console.log(`Data set: ${relata.relationships.toLocaleString("en-US")} relationships; ` +
  `check answers that agree: ${agree} of ${relata.answers.length}.\n`);
console.log("| checks (one caller) | pass | Relata checks/s | SpiceDB checks/s | ratio | Relata p50 ms | SpiceDB p50 ms | ratio | Relata p99 ms | SpiceDB p99 ms | ratio |");
console.log("|---|---|---|---|---|---|---|---|---|---|---|");
for (const pass of Object.keys(relata.checks)) {
  for (const kind of Object.keys(relata.checks[pass])) {
    const r = relata.checks[pass][kind];
    const s = spicedb.checks[pass][kind];
    console.log(`| ${kind} | ${pass} | ${f(r.perSecond, 0)} | ${f(s.perSecond, 0)} | ${ratio(r.perSecond, s.perSecond)} | ` +
      `${f(r.p50Ms, 3)} | ${f(s.p50Ms, 3)} | ${ratio(r.p50Ms, s.p50Ms)} | ${f(r.p99Ms, 3)} | ${f(s.p99Ms, 3)} | ${ratio(r.p99Ms, s.p99Ms)} |`);
  }
}
console.log("\n| lookup | Relata results | SpiceDB results | Relata first ms | SpiceDB first ms | ratio | Relata all ms | SpiceDB all ms | ratio |");
console.log("|---|---|---|---|---|---|---|---|---|");
for (const label of Object.keys(relata.lookups)) {
  const r = relata.lookups[label];
  const s = spicedb.lookups[label];
  console.log(`| ${label} | ${r.results} | ${s.results} | ${f(r.firstMs, 1)} | ${f(s.firstMs, 1)} | ${ratio(r.firstMs, s.firstMs)} | ` +
    `${f(r.totalMs, 1)} | ${f(s.totalMs, 1)} | ${ratio(r.totalMs, s.totalMs)} |`);
}
if (agree !== relata.answers.length) {
  process.exitCode = 1;
  console.error("the two sides disagree on some answers");
}
