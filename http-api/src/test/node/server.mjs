// Starts a Relata server (the built jar) on free ports for a test, and stops it.
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
export const jar = path.resolve(here, "../../../target/relata.jar");

async function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/**
 * Runs `relata <command> <args>` with free HTTP and gRPC ports and waits until both listen.
 * Gives { http, grpc, stop(), output() }.
 */
export async function startRelata(command, args = []) {
  if (!existsSync(jar)) {
    throw new Error(`${jar} is missing: build it first (mvn -B -pl http-api -am package -DskipTests)`);
  }
  const httpPort = await freePort();
  const grpcPort = await freePort();
  const portFlag = command === "serve" ? "--port" : "--http-port";
  const child = spawn("java", ["-jar", jar, command, portFlag, String(httpPort), "--grpc-port", String(grpcPort),
    "--host", "127.0.0.1", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (d) => { output += d; });
  child.stderr.on("data", (d) => { output += d; });
  const deadline = Date.now() + 60_000;
  while (!/gRPC API/.test(output)) {
    if (child.exitCode !== null) {
      throw new Error(`relata ${command} exited with ${child.exitCode}:\n${output}`);
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`relata ${command} did not start within 60 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    http: `http://127.0.0.1:${httpPort}`,
    grpc: `127.0.0.1:${grpcPort}`,
    output: () => output,
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    }),
  };
}
