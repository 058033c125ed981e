import { describe, expect, test } from "vitest";
import { create, fromJson, toBinary, type JsonValue } from "@bufbuild/protobuf";
import { HistoryEntrySchema } from "@/gen/docket/v1/api_pb";
import { CaseEventSchema } from "@/gen/docket/v1/events_pb";
import { bytesToHex, hexToBytes, sha256Hex, verifyChain, verifyLink } from "@/chain";
import sample from "./chain-sample.json";

async function chainOf(payloads: Uint8Array[]) {
  let prev = "";
  const out = [];
  for (let i = 0; i < payloads.length; i++) {
    const p = payloads[i]!;
    const joined = new Uint8Array([...hexToBytes(prev), ...p]);
    const hash = await sha256Hex(joined);
    out.push(create(HistoryEntrySchema, { revision: BigInt(i + 1), prevHashHex: prev, hashHex: hash, eventBytes: p, linkVerified: true }));
    prev = hash;
  }
  return out;
}

describe("hash chain", () => {
  test("hex round-trips", () => {
    expect(bytesToHex(hexToBytes("00ff10ab"))).toBe("00ff10ab");
    expect(() => hexToBytes("zz")).toThrow();
  });

  test("a good chain verifies link by link", async () => {
    const entries = await chainOf([1, 2, 3].map((n) => new Uint8Array([n, n, n])));
    expect(await verifyChain(entries)).toEqual(["ok", "ok", "ok"]);
  });

  test("a changed event, a broken link or a gap fails where it happens", async () => {
    const entries = await chainOf([1, 2, 3].map((n) => new Uint8Array([n])));
    entries[1]!.eventBytes = new Uint8Array([9]);
    expect(await verifyChain(entries)).toEqual(["ok", "bad", "ok"]);

    const relinked = await chainOf([1, 2, 3].map((n) => new Uint8Array([n])));
    relinked[2]!.prevHashHex = relinked[0]!.hashHex;
    expect((await verifyChain(relinked))[2]).toBe("bad");

    const gap = await chainOf([1, 2].map((n) => new Uint8Array([n])));
    gap[1]!.revision = 3n;
    expect((await verifyChain(gap))[1]).toBe("bad");
  });

  test("no event bytes is reported, not passed", async () => {
    const entries = await chainOf([new Uint8Array([1])]);
    entries[0]!.eventBytes = new Uint8Array();
    expect(await verifyChain(entries)).toEqual(["missing"]);
  });

  // docket's own hashes (C-2026-0001 from the seed cases): the browser's
  // SHA-256 over the event's bytes gives what the C++ log recorded.
  test("docket's recorded hashes check out", async () => {
    for (const s of sample) {
      const bytes = toBinary(CaseEventSchema, fromJson(CaseEventSchema, s.event as unknown as JsonValue));
      expect(await verifyLink(s.prevHash, bytes, s.hash)).toBe(true);
    }
  });
});
