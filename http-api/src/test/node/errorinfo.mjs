// Reads SpiceDB's google.rpc.ErrorInfo out of a gRPC error's `grpc-status-details-bin` trailer
// (a serialized google.rpc.Status), with a minimal protobuf reader: the client does not export
// the google.rpc types.

function* fields(bytes) {
  let i = 0;
  const varint = () => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const b = bytes[i++];
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
    }
  };
  while (i < bytes.length) {
    const key = Number(varint());
    const number = key >>> 3;
    const wire = key & 7;
    if (wire === 0) {
      yield { number, value: varint() };
    } else if (wire === 2) {
      const length = Number(varint());
      yield { number, value: bytes.subarray(i, i + length) };
      i += length;
    } else if (wire === 1) {
      i += 8;
    } else if (wire === 5) {
      i += 4;
    } else {
      throw new Error(`unexpected wire type ${wire}`);
    }
  }
}

const text = (b) => Buffer.from(b).toString("utf8");

/** { reason, domain, metadata } of the error's ErrorInfo detail, or null when it has none. */
export function errorInfo(error) {
  const details = error?.metadata?.get("grpc-status-details-bin") ?? [];
  if (details.length === 0) return null;
  for (const f of fields(details[0])) {
    if (f.number !== 3) continue; // google.rpc.Status.details: Any
    let type = "";
    let value = null;
    for (const a of fields(f.value)) {
      if (a.number === 1) type = text(a.value);
      if (a.number === 2) value = a.value;
    }
    if (type !== "type.googleapis.com/google.rpc.ErrorInfo") continue;
    const info = { reason: "", domain: "", metadata: {} };
    for (const e of fields(value)) {
      if (e.number === 1) info.reason = text(e.value);
      if (e.number === 2) info.domain = text(e.value);
      if (e.number === 3) {
        let k = "";
        let v = "";
        for (const m of fields(e.value)) {
          if (m.number === 1) k = text(m.value);
          if (m.number === 2) v = text(m.value);
        }
        info.metadata[k] = v;
      }
    }
    return info;
  }
  return null;
}
