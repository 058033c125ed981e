// "What changed": an event's body (or any docket.v1 message) as label/value
// lines for people, walked through its schema so every kind of event is
// covered without a line per kind.
import { ScalarType, type DescField, type DescMessage } from "@bufbuild/protobuf";
import type { Timestamp } from "@bufbuild/protobuf/wkt";
import { DeadlineKindSchema } from "@/gen/docket/v1/common_pb";
import { enumLabel, fieldLabel, localizeReason } from "@/i18n";
import { formatKg, formatMoney, formatTime } from "./format";

export interface Line {
  label: string;
  value: string;
}

type Any = Record<string, unknown>;

function valueText(f: DescField, v: unknown, locale: string): string | undefined {
  switch (f.fieldKind) {
    case "scalar":
      if (f.scalar === ScalarType.BOOL) return v ? "✓" : undefined;
      if (f.scalar === ScalarType.BYTES) return undefined;
      if (f.name.endsWith("_fen") || f.name.endsWith("_fen_per_kg")) return v ? formatMoney(v as bigint, locale) : undefined;
      if (f.name.endsWith("_g")) return v ? `${formatKg(v as bigint)} kg` : undefined;
      if (v === "" || v === 0 || v === 0n) return undefined;
      if (f.name === "uri") return undefined; // The hash says the same.
      if (f.name === "sha256_hex") return `${String(v).slice(0, 12)}…`;
      // The engine's words: a calculation, an escalation's reason (the
      // scanner's name the clock breached); other reasons people typed, and
      // they stay as typed (the printable case file is a record).
      if (f.name === "calculation" || (f.name === "reason" && f.parent.typeName === "docket.v1.Escalated")) {
        return localizeReason(String(v));
      }
      return String(v);
    case "enum":
      return v ? enumLabel(f.enum, v as number) : undefined;
    case "list": {
      const items = v as unknown[];
      if (items.length === 0) return undefined;
      if (f.listKind === "enum") return items.map((x) => enumLabel(f.enum, x as number)).join("、");
      if (f.listKind === "scalar") return items.map(String).join(", ");
      if (f.message.typeName === "docket.v1.Deadline") {
        return items
          .map((d) => {
            const dl = d as { kind: number; dueAt?: Timestamp; met: boolean };
            return `${enumLabel(DeadlineKindSchema, dl.kind)} ${formatTime(dl.dueAt)}${dl.met ? " ✓" : ""}`;
          })
          .join("；");
      }
      return `${items.length}`;
    }
    case "message": {
      if (!v) return undefined;
      if (f.message.typeName === "google.protobuf.Timestamp") return formatTime(v as Timestamp);
      const inner = describe(f.message, v as Any, locale);
      return inner.length ? inner.map((l) => `${l.label}: ${l.value}`).join("，") : undefined;
    }
    default:
      return undefined;
  }
}

/** The fields a message has set, labelled and formatted. */
export function describe(desc: DescMessage, msg: Any, locale: string): Line[] {
  const out: Line[] = [];
  for (const f of desc.fields) {
    let v: unknown;
    if (f.oneof) {
      const o = msg[f.oneof.localName] as { case?: string; value?: unknown } | undefined;
      if (o?.case !== f.localName) continue;
      v = o.value;
    } else {
      v = msg[f.localName];
    }
    const text = valueText(f, v, locale);
    if (text !== undefined) out.push({ label: fieldLabel(f.name), value: text });
  }
  return out;
}
