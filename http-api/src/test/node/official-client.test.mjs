// An application written for SpiceDB with its official Node.js client (@authzed/authzed-node),
// run against Relata: only the address and the token differ from what it would use with SpiceDB.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { v1 } from "@authzed/authzed-node";
import { startRelata } from "./server.mjs";
import { errorInfo } from "./errorinfo.mjs";

const SCHEMA = `use expiration

definition user {}

caveat on_network(allowed string, network string) {
    network == allowed
}

definition group {
    relation member: user | group#member
}

definition document {
    relation owner: user
    relation viewer: user | user:* | user with on_network | group#member | user with expiration
    relation banned: user
    permission view = (viewer + owner) - banned
    permission edit = owner
}
`;

const ref = (type, id) => v1.ObjectReference.create({ objectType: type, objectId: id });
const subject = (type, id, relation) =>
  v1.SubjectReference.create({ object: ref(type, id), optionalRelation: relation ?? "" });
const rel = (type, id, relation, subjectType, subjectId, extra = {}) =>
  v1.Relationship.create({ resource: ref(type, id), relation, subject: subject(subjectType, subjectId, extra.subjectRelation), ...extra.fields });
const touch = (relationship) =>
  v1.RelationshipUpdate.create({ operation: v1.RelationshipUpdate_Operation.TOUCH, relationship });
const fresh = (token) => v1.Consistency.create({ requirement: { oneofKind: "atLeastAsFresh", atLeastAsFresh: token } });
const full = () => v1.Consistency.create({ requirement: { oneofKind: "fullyConsistent", fullyConsistent: true } });

const HAS = v1.CheckPermissionResponse_Permissionship.HAS_PERMISSION;
const NO = v1.CheckPermissionResponse_Permissionship.NO_PERMISSION;
const CONDITIONAL = v1.CheckPermissionResponse_Permissionship.CONDITIONAL_PERMISSION;

describe("the official Node.js client against relata serve-testing", () => {
  let relata;
  let client;
  let token;

  before(async () => {
    // Any token will do: serve-testing gives each one its own empty tenant.
    token = `node-${randomUUID()}`;
    relata = await startRelata("serve-testing");
    client = v1.NewClient(token, relata.grpc, v1.ClientSecurity.INSECURE_PLAINTEXT_CREDENTIALS).promises;
    const written = await client.writeSchema(v1.WriteSchemaRequest.create({ schema: SCHEMA }));
    assert.ok(written.writtenAt.token.length > 0);
  });

  after(async () => {
    client?.close();
    await relata?.stop();
  });

  const check = async (at, doc, permission, user, context) => {
    const response = await client.checkPermission(v1.CheckPermissionRequest.create({
      consistency: fresh(at), resource: ref("document", doc), permission, subject: subject("user", user),
      context: context ? v1.PbStruct.fromJson(context) : undefined,
    }));
    return response;
  };

  it("reads back the schema it wrote", async () => {
    const schema = await client.readSchema(v1.ReadSchemaRequest.create({}));
    assert.match(schema.schemaText, /caveat on_network/);
    assert.ok(schema.readAt.token.length > 0);
  });

  it("reflects the schema, diffs it, and walks its permissions", async () => {
    const reflected = await client.reflectSchema(v1.ReflectSchemaRequest.create({ consistency: full() }));
    const document = reflected.definitions.find((d) => d.name === "document");
    assert.deepEqual(document.relations.map((r) => r.name), ["owner", "viewer", "banned"]);
    assert.deepEqual(document.permissions.map((p) => p.name), ["view", "edit"]);
    const viewer = document.relations.find((r) => r.name === "viewer");
    assert.ok(viewer.subjectTypes.some((t) => t.subjectDefinitionName === "user" && t.optionalCaveatName === "on_network"));
    assert.ok(viewer.subjectTypes.some((t) => t.typeref.oneofKind === "isPublicWildcard"));
    assert.deepEqual(reflected.caveats.map((c) => c.name), ["on_network"]);
    assert.ok(reflected.readAt.token.length > 0);

    const diff = await client.diffSchema(v1.DiffSchemaRequest.create({ consistency: full(),
      comparisonSchema: SCHEMA.replace("permission edit = owner", "permission edit = owner\n    permission share = owner") }));
    assert.deepEqual(diff.diffs.map((d) => d.diff.oneofKind), ["permissionAdded"]);

    const dependent = await client.dependentRelations(v1.DependentRelationsRequest.create({ consistency: full(),
      definitionName: "document", permissionName: "view" }));
    const names = dependent.relations.map((r) => `${r.definitionName}#${r.relationName}`);
    for (const n of ["document#viewer", "document#owner", "document#banned", "group#member"]) assert.ok(names.includes(n), n);
    const computable = await client.computablePermissions(v1.ComputablePermissionsRequest.create({ consistency: full(),
      definitionName: "document", relationName: "owner" }));
    assert.deepEqual(computable.permissions.map((p) => p.relationName).sort(), ["edit", "view"]);
  });

  it("checks with caveat context, wildcards, exclusions and expiration", async () => {
    const written = await client.writeRelationships(v1.WriteRelationshipsRequest.create({
      updates: [
        touch(rel("document", "plan", "owner", "user", "alice")),
        touch(rel("document", "plan", "viewer", "group", "eng", { subjectRelation: "member" })),
        touch(rel("group", "eng", "member", "user", "bob")),
        touch(rel("document", "plan", "banned", "user", "bob")),
        touch(rel("document", "plan", "viewer", "user", "carol", { fields: {
          optionalCaveat: v1.ContextualizedCaveat.create({ caveatName: "on_network",
            context: v1.PbStruct.fromJson({ allowed: "10.0.0.0" }) }) } })),
        touch(rel("document", "plan", "viewer", "user", "past", { fields: {
          optionalExpiresAt: { seconds: "1577836800", nanos: 0 } } })),
        touch(rel("document", "public", "viewer", "user", "*")),
      ],
    }));
    const at = written.writtenAt;
    assert.equal((await check(at, "plan", "edit", "alice")).permissionship, HAS);
    assert.equal((await check(at, "plan", "view", "bob")).permissionship, NO);
    assert.equal((await check(at, "public", "view", "anyone")).permissionship, HAS);
    assert.equal((await check(at, "plan", "view", "past")).permissionship, NO, "an expired relationship grants nothing");
    const conditional = await check(at, "plan", "view", "carol");
    assert.equal(conditional.permissionship, CONDITIONAL);
    assert.deepEqual(conditional.partialCaveatInfo.missingRequiredContext, ["network"]);
    assert.ok(conditional.checkedAt.token.length > 0);
    assert.equal((await check(at, "plan", "view", "carol", { network: "10.0.0.0" })).permissionship, HAS);
    assert.equal((await check(at, "plan", "view", "carol", { network: "10.9.9.9" })).permissionship, NO);

    const bulk = await client.checkBulkPermissions(v1.CheckBulkPermissionsRequest.create({
      consistency: fresh(at),
      items: [
        v1.CheckBulkPermissionsRequestItem.create({ resource: ref("document", "plan"), permission: "edit", subject: subject("user", "alice") }),
        v1.CheckBulkPermissionsRequestItem.create({ resource: ref("document", "plan"), permission: "view", subject: subject("user", "carol"),
          context: v1.PbStruct.fromJson({ network: "10.0.0.0" }) }),
        v1.CheckBulkPermissionsRequestItem.create({ resource: ref("document", "plan"), permission: "view", subject: subject("user", "bob") }),
      ],
    }));
    assert.deepEqual(bulk.pairs.map((p) => p.response.oneofKind === "item" ? p.response.item.permissionship : "error"),
      [HAS, HAS, NO]);

    const expanded = await client.expandPermissionTree(v1.ExpandPermissionTreeRequest.create({
      consistency: fresh(at), resource: ref("document", "plan"), permission: "edit" }));
    assert.equal(expanded.treeRoot.treeType.oneofKind, "leaf");
    assert.deepEqual(expanded.treeRoot.treeType.leaf.subjects.map((s) => s.object.objectId), ["alice"]);
  });

  it("streams lookups and resumes them from a cursor midway", async () => {
    const updates = [];
    for (let i = 0; i < 30; i++) updates.push(touch(rel("document", `doc${String(i).padStart(2, "0")}`, "viewer", "user", "dana")));
    const at = (await client.writeRelationships(v1.WriteRelationshipsRequest.create({ updates }))).writtenAt;
    const request = v1.LookupResourcesRequest.create({ consistency: fresh(at), resourceObjectType: "document",
      permission: "view", subject: subject("user", "dana") });
    // dana sees the thirty she was given and the public one (user:*).
    const all = (await client.lookupResources(request)).map((r) => r.resourceObjectId);
    assert.equal(all.length, 31);
    assert.ok(all.includes("public"));
    const paged = [];
    let cursor;
    for (let page = 0; page < 10; page++) {
      const results = await client.lookupResources({ ...request, optionalLimit: 7, optionalCursor: cursor });
      assert.ok(results.length <= 7);
      if (results.length === 0) break;
      paged.push(...results.map((r) => r.resourceObjectId));
      cursor = results[results.length - 1].afterResultCursor;
    }
    assert.deepEqual([...paged].sort(), [...all].sort());
    assert.equal(new Set(paged).size, paged.length, "no result twice across pages");

    const subjects = await client.lookupSubjects(v1.LookupSubjectsRequest.create({ consistency: fresh(at),
      resource: ref("document", "doc05"), permission: "view", subjectObjectType: "user" }));
    assert.deepEqual(subjects.map((s) => s.subject.subjectObjectId), ["dana"]);

    const read = v1.ReadRelationshipsRequest.create({ consistency: fresh(at),
      relationshipFilter: v1.RelationshipFilter.create({ resourceType: "document", optionalRelation: "viewer",
        optionalSubjectFilter: v1.SubjectFilter.create({ subjectType: "user", optionalSubjectId: "dana" }) }) });
    const rows = await client.readRelationships(read);
    assert.equal(rows.length, 30);
    const rest = await client.readRelationships({ ...read, optionalCursor: rows[11].afterResultCursor });
    assert.deepEqual(rest.map((r) => r.relationship.resource.objectId),
      rows.slice(12).map((r) => r.relationship.resource.objectId));
  });

  it("deletes with a limit, partially, then the rest", async () => {
    const updates = ["x1", "x2", "x3"].map((id) => touch(rel("document", id, "viewer", "user", "erin")));
    await client.writeRelationships(v1.WriteRelationshipsRequest.create({ updates }));
    const filter = v1.RelationshipFilter.create({ resourceType: "document",
      optionalSubjectFilter: v1.SubjectFilter.create({ subjectType: "user", optionalSubjectId: "erin" }) });
    const partial = await client.deleteRelationships(v1.DeleteRelationshipsRequest.create({
      relationshipFilter: filter, optionalLimit: 2, optionalAllowPartialDeletions: true }));
    assert.equal(partial.deletionProgress, v1.DeleteRelationshipsResponse_DeletionProgress.PARTIAL);
    assert.equal(partial.relationshipsDeletedCount, "2");
    const rest = await client.deleteRelationships(v1.DeleteRelationshipsRequest.create({ relationshipFilter: filter }));
    assert.equal(rest.deletionProgress, v1.DeleteRelationshipsResponse_DeletionProgress.COMPLETE);
    assert.equal(rest.relationshipsDeletedCount, "1");
  });

  it("refuses a write whose precondition fails, writing nothing", async () => {
    await client.writeRelationships(v1.WriteRelationshipsRequest.create({
      updates: [touch(rel("document", "guarded", "owner", "user", "frank"))] }));
    await assert.rejects(client.writeRelationships(v1.WriteRelationshipsRequest.create({
      updates: [touch(rel("document", "guarded", "viewer", "user", "mallory"))],
      optionalPreconditions: [v1.Precondition.create({ operation: v1.Precondition_Operation.MUST_NOT_MATCH,
        filter: v1.RelationshipFilter.create({ resourceType: "document", optionalResourceId: "guarded" }) })],
    })), (e) => e.code === 9);
    const rows = await client.readRelationships(v1.ReadRelationshipsRequest.create({ consistency: full(),
      relationshipFilter: v1.RelationshipFilter.create({ resourceType: "document", optionalResourceId: "guarded" }) }));
    assert.deepEqual(rows.map((r) => r.relationship.relation), ["owner"]);
  });

  it("watches a write made over HTTP, with the same token", async () => {
    const callbacks = v1.NewClient(token, relata.grpc, v1.ClientSecurity.INSECURE_PLAINTEXT_CREDENTIALS);
    const stream = callbacks.watch(v1.WatchRequest.create({ optionalObjectTypes: ["document"] }));
    const first = new Promise((resolve, reject) => {
      stream.on("data", resolve);
      stream.on("error", reject);
    });
    await new Promise((r) => setTimeout(r, 400));
    const http = await fetch(`${relata.http}/v1/relationships/write`, {
      method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ updates: [{ operation: "OPERATION_TOUCH", relationship: {
        resource: { objectType: "document", objectId: "watched" }, relation: "viewer",
        subject: { object: { objectType: "user", objectId: "gina" } } } }] }),
    });
    assert.equal(http.status, 200);
    const httpToken = (await http.json()).writtenAt.token;
    const change = await first;
    stream.cancel();
    callbacks.close();
    assert.equal(change.updates.length, 1);
    assert.equal(change.updates[0].relationship.subject.object.objectId, "gina");
    assert.equal((await check({ token: httpToken }, "watched", "view", "gina")).permissionship, HAS,
      "a token from the HTTP API is valid over gRPC");
  });

  it("imports relationships in bulk and exports them, resuming from a cursor midway", async () => {
    const callbacks = v1.NewClient(token, relata.grpc, v1.ClientSecurity.INSECURE_PLAINTEXT_CREDENTIALS);
    const total = 20_000;
    const loaded = await new Promise((resolve, reject) => {
      const upload = callbacks.importBulkRelationships((err, response) => (err ? reject(err) : resolve(response)));
      for (let chunk = 0; chunk < total / 1000; chunk++) {
        const relationships = [];
        for (let i = 0; i < 1000; i++) relationships.push(rel("group", `bulk${chunk * 1000 + i}`, "member", "user", "ivy"));
        upload.write(v1.ImportBulkRelationshipsRequest.create({ relationships }));
      }
      upload.end();
    });
    assert.equal(loaded.numLoaded, String(total));
    const request = v1.ExportBulkRelationshipsRequest.create({ consistency: full(), optionalLimit: 3000,
      optionalRelationshipFilter: v1.RelationshipFilter.create({ resourceType: "group" }) });
    const pages = await client.exportBulkRelationships(request);
    const ids = pages.flatMap((p) => p.relationships.map((r) => r.resource.objectId)).filter((id) => id.startsWith("bulk"));
    assert.equal(new Set(ids).size, total);
    const rest = await client.exportBulkRelationships({ ...request, optionalCursor: pages[2].afterResultCursor });
    assert.deepEqual(rest.flatMap((p) => p.relationships.map((r) => r.resource.objectId)),
      pages.slice(3).flatMap((p) => p.relationships.map((r) => r.resource.objectId)));
    callbacks.close();
  });

  it("watches with update kinds: a change outside the filter arrives as a checkpoint", async () => {
    const callbacks = v1.NewClient(token, relata.grpc, v1.ClientSecurity.INSECURE_PLAINTEXT_CREDENTIALS);
    const stream = callbacks.watch(v1.WatchRequest.create({ optionalObjectTypes: ["group"],
      optionalUpdateKinds: [v1.WatchKind.INCLUDE_RELATIONSHIP_UPDATES, v1.WatchKind.INCLUDE_CHECKPOINTS] }));
    const first = new Promise((resolve, reject) => {
      stream.on("data", resolve);
      stream.on("error", reject);
    });
    await new Promise((r) => setTimeout(r, 400));
    await client.writeRelationships(v1.WriteRelationshipsRequest.create({
      updates: [touch(rel("document", "unwatched", "viewer", "user", "jo"))] }));
    const change = await first;
    stream.cancel();
    callbacks.close();
    assert.equal(change.updates.length, 0);
    assert.equal(change.isCheckpoint, true);
    assert.ok(change.changesThrough.token.length > 0);
  });

  it("answers errors with SpiceDB's codes and ErrorInfo reasons", async () => {
    const refused = async (promise, code, reason, metadata = {}) => {
      await assert.rejects(promise, (e) => {
        assert.equal(e.code, code, e.details);
        const info = errorInfo(e);
        assert.equal(info?.reason, reason, e.details);
        assert.equal(info.domain, "authzed.com");
        for (const [k, v] of Object.entries(metadata)) assert.equal(info.metadata[k], v, `${k} in ${JSON.stringify(info)}`);
        return true;
      });
    };
    // The unknown type sits on line 3, column 20 (SpiceDB's metadata counts from 0).
    await refused(client.writeSchema(v1.WriteSchemaRequest.create({
      schema: "definition user {}\ndefinition doc {\n  relation viewer: usr\n}" })),
    3, "ERROR_REASON_SCHEMA_PARSE_ERROR", { start_line_number: "2", start_column_position: "19", source_code: "usr" });
    await refused(client.checkPermission(v1.CheckPermissionRequest.create({ consistency: full(),
      resource: ref("folder", "x"), permission: "view", subject: subject("user", "u") })),
    9, "ERROR_REASON_UNKNOWN_DEFINITION", { definition_name: "folder" });
    await refused(client.checkPermission(v1.CheckPermissionRequest.create({ consistency: full(),
      resource: ref("document", "x"), permission: "destroy", subject: subject("user", "u") })),
    9, "ERROR_REASON_UNKNOWN_RELATION_OR_PERMISSION", { definition_name: "document", relation_or_permission_name: "destroy" });
    await refused(client.writeRelationships(v1.WriteRelationshipsRequest.create({
      updates: [touch(rel("document", "x", "view", "user", "u"))] })),
    3, "ERROR_REASON_CANNOT_UPDATE_PERMISSION", { permission_name: "view" });
    await refused(client.writeRelationships(v1.WriteRelationshipsRequest.create({
      updates: [touch(rel("document", "x", "owner", "user", "u"))],
      optionalPreconditions: [v1.Precondition.create({ operation: v1.Precondition_Operation.MUST_MATCH,
        filter: v1.RelationshipFilter.create({ resourceType: "document", optionalResourceId: "absent" }) })] })),
    9, "ERROR_REASON_WRITE_OR_DELETE_PRECONDITION_FAILURE");
    const many = [];
    for (let i = 0; i < 1001; i++) many.push(touch(rel("document", `m${i}`, "owner", "user", "u")));
    await refused(client.writeRelationships(v1.WriteRelationshipsRequest.create({ updates: many })),
      3, "ERROR_REASON_TOO_MANY_UPDATES_IN_REQUEST", { update_count: "1001", maximum_updates_allowed: "1000" });
    await refused(client.readRelationships(v1.ReadRelationshipsRequest.create({ consistency: full(),
      relationshipFilter: v1.RelationshipFilter.create({ resourceType: "document" }),
      optionalCursor: v1.Cursor.create({ token: "not-a-cursor" }) })),
    3, "ERROR_REASON_INVALID_CURSOR");
    const anonymous = v1.NewClient("", relata.grpc, v1.ClientSecurity.INSECURE_PLAINTEXT_CREDENTIALS).promises;
    await assert.rejects(anonymous.readSchema(v1.ReadSchemaRequest.create({})), (e) => e.code === 16);
    anonymous.close();
  });

  it("refuses one tenant's token on another tenant's data", async () => {
    const key = `node-other-${randomUUID()}`;
    const other = v1.NewClient(key, relata.grpc, v1.ClientSecurity.INSECURE_PLAINTEXT_CREDENTIALS).promises;
    const mine = await client.writeRelationships(v1.WriteRelationshipsRequest.create({
      updates: [touch(rel("document", "private", "owner", "user", "hank"))] }));
    await assert.rejects(other.checkPermission(v1.CheckPermissionRequest.create({ consistency: fresh(mine.writtenAt),
      resource: ref("document", "private"), permission: "edit", subject: subject("user", "hank") })),
    (e) => e.code === 3 || e.code === 9, "a token of another tenant is refused");
    await assert.rejects(other.readSchema(v1.ReadSchemaRequest.create({})), (e) => e.code === 5,
      "the other tenant has no schema");
    other.close();
  });
});
