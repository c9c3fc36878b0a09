// The official Node.js client over TLS, trusting a self-signed certificate made for the test.
import { after, before, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { v1 } from "@authzed/authzed-node";
import { startRelata } from "./server.mjs";

let relata;
let dir;

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "relata-tls-"));
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
    "-keyout", path.join(dir, "key.pem"), "-out", path.join(dir, "cert.pem")], { stdio: "ignore" });
  relata = await startRelata("serve-testing", ["--tls-cert-path", path.join(dir, "cert.pem"),
    "--tls-key-path", path.join(dir, "key.pem")]);
});

after(async () => {
  await relata?.stop();
  rmSync(dir, { recursive: true, force: true });
});

it("talks to Relata over TLS with a custom certificate, and plaintext is refused", async () => {
  const secure = v1.NewClientWithCustomCert("tls-token", relata.grpc, readFileSync(path.join(dir, "cert.pem"))).promises;
  const written = await secure.writeSchema(v1.WriteSchemaRequest.create({ schema: "definition user {}" }));
  assert.ok(written.writtenAt.token.length > 0);
  const read = await secure.readSchema(v1.ReadSchemaRequest.create({}));
  assert.match(read.schemaText, /definition user/);
  secure.close();

  const plain = v1.NewClient("tls-token", relata.grpc, v1.ClientSecurity.INSECURE_PLAINTEXT_CREDENTIALS).promises;
  await assert.rejects(plain.readSchema(v1.ReadSchemaRequest.create({})), (e) => e.code === 14 || e.code === 13);
  plain.close();
});
