// Forms for commands, built from the Command schema itself: each kind of
// command (a field of Command's `body` oneof) becomes a form of its body
// message's fields, and the values become a Command through fromJson, so
// the form can only ever produce what the engine's schema allows.
import { fromJson, getOption, ScalarType, type DescEnum, type DescField, type DescMessage, type JsonObject, type JsonValue } from "@bufbuild/protobuf";
import { CommandSchema, type Command } from "@/gen/docket/v1/commands_pb";
import { CaseEventSchema, type CaseEvent } from "@/gen/docket/v1/events_pb";
import { required } from "@/gen/docket/v1/options_pb";
import { fromCstWallClock } from "@/format";

export type FieldKind = "text" | "longText" | "textList" | "money" | "weight" | "int" | "bool" | "enum" | "enumList" | "time" | "group";

export interface FieldSpec {
  name: string;       // The proto field name, e.g. "goodwill_fen" (also its label key).
  jsonName: string;   // The proto3 JSON name, e.g. "goodwillFen".
  kind: FieldKind;
  enum?: DescEnum;
  fields?: FieldSpec[]; // For "group": the nested message's fields.
  // The schema marks it (docket.v1.required): the engine refuses the step
  // without it, whatever else the form holds.
  required: boolean;
}

// Written out as paragraphs rather than one line.
const LONG_TEXT = new Set(["note", "reason", "report", "remedy", "summary", "comment", "customer_view", "description"]);
// Kinds the console never offers as a form: docket's scanner, channel
// adapters and administrators send these; evidence has its own panel.
export const NOT_FROM_CONSOLE = new Set(["open_case", "record_deadline_warning", "record_deadline_breach", "directory", "attach_evidence"]);

function bodyOneof() {
  const o = CommandSchema.oneofs.find((x) => x.name === "body");
  if (!o) throw new Error("Command has no body oneof");
  return o;
}

/** Every command kind, by its proto field name ("propose_resolution"). */
export function commandKinds(): string[] {
  return bodyOneof().fields.map((f) => f.name);
}

/** Every event kind, by its proto field name ("resolution_proposed"). */
export function eventKinds(): string[] {
  const o = CaseEventSchema.oneofs.find((x) => x.name === "body");
  return o ? o.fields.map((f) => f.name) : [];
}

/** The proto field name of an event's body ("resolutionProposed" case → "resolution_proposed"). */
export function eventKindOf(e: CaseEvent): string {
  const f = CaseEventSchema.fields.find((x) => x.localName === e.body.case);
  return f?.name ?? "";
}

export function commandKindOf(c: Command): string {
  const f = CommandSchema.fields.find((x) => x.localName === c.body.case);
  return f?.name ?? "";
}

function specOf(f: DescField, depth: number): FieldSpec | undefined {
  const base = { name: f.name, jsonName: f.jsonName, required: getOption(f, required) };
  switch (f.fieldKind) {
    case "scalar":
      if (f.scalar === ScalarType.STRING) return { ...base, kind: LONG_TEXT.has(f.name) ? "longText" : "text" };
      if (f.scalar === ScalarType.BOOL) return { ...base, kind: "bool" };
      if (f.scalar === ScalarType.INT64 || f.scalar === ScalarType.INT32) {
        if (f.name.endsWith("_fen") || f.name.endsWith("_fen_per_kg")) return { ...base, kind: "money" };
        if (f.name.endsWith("_g")) return { ...base, kind: "weight" };
        return { ...base, kind: "int" };
      }
      return undefined; // bytes and floats: no command body has them.
    case "enum":
      return { ...base, kind: "enum", enum: f.enum };
    case "list":
      if (f.listKind === "enum") return { ...base, kind: "enumList", enum: f.enum };
      // A task group's members and departments: each typed, or picked.
      if (f.listKind === "scalar" && f.scalar === ScalarType.STRING) return { ...base, kind: "textList" };
      return undefined;
    case "message":
      if (f.message.typeName === "google.protobuf.Timestamp") return { ...base, kind: "time" };
      if (depth > 2) return undefined;
      return { ...base, kind: "group", fields: fieldsOf(f.message, depth + 1) };
    default:
      return undefined;
  }
}

function fieldsOf(m: DescMessage, depth: number): FieldSpec[] {
  return m.fields.map((f) => specOf(f, depth)).filter((s): s is FieldSpec => s !== undefined);
}

/** The form of a command kind: its body message's fields. */
export function formSpec(kind: string): FieldSpec[] {
  const f = bodyOneof().fields.find((x) => x.name === kind);
  if (!f || f.fieldKind !== "message") throw new Error(`unknown command kind ${kind}`);
  return fieldsOf(f.message, 0);
}

/** What a form holds: by proto field name; groups nest. */
export type FormValues = { [name: string]: FormValue };
export type FormValue = string | number | boolean | string[] | Date | null | undefined | FormValues;

export function emptyValues(spec: FieldSpec[]): FormValues {
  const v: FormValues = {};
  for (const s of spec) {
    if (s.kind === "group") v[s.name] = emptyValues(s.fields ?? []);
    else if (s.kind === "enumList" || s.kind === "textList") v[s.name] = [];
    else if (s.kind === "bool") v[s.name] = false;
    else v[s.name] = undefined;
  }
  return v;
}

// Form values → proto3 JSON: 元 to fen, kg to grams, dates to RFC 3339;
// empty values are left out (proto3's default).
function toJsonValues(spec: FieldSpec[], values: FormValues): JsonObject {
  const out: JsonObject = {};
  for (const s of spec) {
    const v = values[s.name];
    if (v === undefined || v === null || v === "") continue;
    let j: JsonValue | undefined;
    switch (s.kind) {
      case "text":
      case "longText":
      case "enum":
        j = String(v);
        break;
      case "money":
        j = String(Math.round(Number(v) * 100));
        break;
      case "weight":
        j = String(Math.round(Number(v) * 1000));
        break;
      case "int":
        j = Number(v);
        break;
      case "bool":
        j = v === true ? true : undefined;
        break;
      case "enumList":
        j = Array.isArray(v) && v.length > 0 ? v : undefined;
        break;
      case "textList": {
        const items = Array.isArray(v) ? v.map((x) => String(x).trim()).filter((x) => x !== "") : [];
        j = items.length > 0 ? items : undefined;
        break;
      }
      case "time":
        // The pickers hold China Standard Time's wall clock (format.ts).
        j = v instanceof Date ? v.toISOString() : typeof v === "string" ? fromCstWallClock(v).toISOString() : undefined;
        break;
      case "group": {
        const inner = toJsonValues(s.fields ?? [], v as FormValues);
        j = Object.keys(inner).length > 0 ? inner : undefined;
        break;
      }
    }
    if (j !== undefined) out[s.jsonName] = j;
  }
  return out;
}

/**
 * The required fields (docket.v1.required) a form leaves empty, by proto
 * field name, nested ones as "group.field": sent so, the engine would
 * refuse the step, and the refusal would stay in the record. A group is
 * looked into only when it is required or holds something.
 */
export function missingRequired(spec: FieldSpec[], values: FormValues, prefix = ""): string[] {
  const missing: string[] = [];
  for (const s of spec) {
    const v = values[s.name];
    if (s.kind === "group") {
      const inner = (v ?? {}) as FormValues;
      if (s.required || Object.keys(toJsonValues(s.fields ?? [], inner)).length > 0) {
        missing.push(...missingRequired(s.fields ?? [], inner, `${prefix}${s.name}.`));
      }
      continue;
    }
    if (!s.required) continue;
    const empty = v === undefined || v === null || (typeof v === "string" && v.trim() === "") || (Array.isArray(v) && v.length === 0);
    if (empty) missing.push(`${prefix}${s.name}`);
  }
  return missing;
}

/** A command id no one else will choose; works outside a secure context too. */
export function newCommandId(): string {
  const b = new Uint8Array(12);
  crypto.getRandomValues(b);
  return `console-${Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("")}`;
}

export interface CommandDraft {
  kind: string;
  caseId: string;
  actorId: string;
  expectedRevision?: bigint;
  occurredAt?: Date;
  values: FormValues;
  commandId?: string;
}

/** The Command a form describes, parsed by the generated schema. */
export function buildCommand(d: CommandDraft): Command {
  const spec = formSpec(d.kind);
  const bodyJson = toJsonValues(spec, d.values);
  const f = bodyOneof().fields.find((x) => x.name === d.kind);
  const json: JsonObject = {
    commandId: d.commandId ?? newCommandId(),
    caseId: d.caseId,
    actor: { id: d.actorId },
    [f!.jsonName]: bodyJson,
  };
  if (d.expectedRevision !== undefined) json.expectedRevision = d.expectedRevision.toString();
  if (d.occurredAt) json.occurredAt = d.occurredAt.toISOString();
  return fromJson(CommandSchema, json);
}

/** attach_evidence for an Evidence the server stored (POST /v1/evidence). */
export function attachEvidenceCommand(caseId: string, actorId: string, evidence: JsonObject, expectedRevision?: bigint): Command {
  const json: JsonObject = { commandId: newCommandId(), caseId, actor: { id: actorId }, attachEvidence: { evidence } };
  if (expectedRevision !== undefined) json.expectedRevision = expectedRevision.toString();
  return fromJson(CommandSchema, json);
}
