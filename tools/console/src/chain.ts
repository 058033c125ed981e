// The hash chain checked in the browser, with WebCrypto: each stored event's
// hash = SHA-256(prev_hash || event_bytes), and prev_hash is the previous
// event's hash (empty for the first). Nothing is re-serialized: the bytes are
// the server's own.
import type { HistoryEntry } from "@/gen/docket/v1/api_pb";

export function hexToBytes(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || /[^0-9a-f]/i.test(hex)) throw new Error(`not hex: ${hex.slice(0, 16)}…`);
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function bytesToHex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

/** WebCrypto is there only in a secure context (https, or localhost). */
export function canVerify(): boolean {
  return typeof crypto !== "undefined" && crypto.subtle !== undefined;
}

export async function sha256Hex(data: Uint8Array | ArrayBuffer | Blob): Promise<string> {
  const buf = data instanceof Blob ? await data.arrayBuffer() : data;
  return bytesToHex(new Uint8Array(await crypto.subtle.digest("SHA-256", buf as BufferSource)));
}

/** One link: SHA-256(prevHash || eventBytes) === hash. */
export async function verifyLink(prevHashHex: string, eventBytes: Uint8Array, hashHex: string): Promise<boolean> {
  const prev = hexToBytes(prevHashHex);
  const joined = new Uint8Array(prev.length + eventBytes.length);
  joined.set(prev, 0);
  joined.set(eventBytes, prev.length);
  return (await sha256Hex(joined)) === hashHex.toLowerCase();
}

export type LinkCheck = "ok" | "bad" | "missing";

/**
 * Every entry checked in order: its own hash, and that it points at the
 * previous entry's hash (the first at nothing) with a revision one higher.
 */
export async function verifyChain(entries: HistoryEntry[]): Promise<LinkCheck[]> {
  const out: LinkCheck[] = [];
  let prev = "";
  let prevRevision = 0n;
  for (const e of entries) {
    if (e.eventBytes.length === 0) {
      out.push("missing");
    } else {
      const linked = e.prevHashHex.toLowerCase() === prev && e.revision === prevRevision + 1n;
      out.push(linked && (await verifyLink(e.prevHashHex, e.eventBytes, e.hashHex)) ? "ok" : "bad");
    }
    prev = e.hashHex.toLowerCase();
    prevRevision = e.revision;
  }
  return out;
}
