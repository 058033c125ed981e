// DEV ONLY. A stand-in for docketd while it is being written: serves dist/
// and answers the API's routes from the sample documents docket produced
// (DOCKET_SAMPLES, default /work/console-samples) so the screens can be
// looked at and screenshotted. It decides nothing like the engine does; it
// is not in the build, not in the tests, and nothing in src/ depends on it.
//
//   npm run build && npm run fixture      # http://127.0.0.1:5180, password "demo"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { extname, join, resolve } from "node:path";
import { create, fromJson, toBinary, toJson, type JsonValue } from "@bufbuild/protobuf";
import { CaseEventSchema, type CaseEvent } from "../src/gen/docket/v1/events_pb";
import { CaseStateSchema, type CaseState } from "../src/gen/docket/v1/state_pb";
import { CommandSchema } from "../src/gen/docket/v1/commands_pb";
import { Stage } from "../src/gen/docket/v1/common_pb";

const SAMPLES = process.env.DOCKET_SAMPLES ?? "/work/console-samples";
const DIST = resolve(process.env.CONSOLE_DIR ?? "dist");
const EVIDENCE_DIR = resolve("../../examples/evidence");
const PORT = Number(process.env.PORT ?? 5180);

const ndjson = (f: string) => readFileSync(join(SAMPLES, f), "utf8").split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l));

const people = [
  { id: "E-100", name: "李娜", kind: "PRINCIPAL_KIND_PERSON", role: "ROLE_HANDLER", level: "LEVEL_BRANCH", branchId: "ZHUHAI", regionId: "SOUTH" },
  { id: "E-101", name: "周杰", kind: "PRINCIPAL_KIND_PERSON", role: "ROLE_HANDLER", level: "LEVEL_BRANCH", branchId: "HUZHOU", regionId: "EAST" },
  { id: "E-200", name: "王强", kind: "PRINCIPAL_KIND_PERSON", role: "ROLE_SUPERVISOR", level: "LEVEL_REGION", regionId: "SOUTH" },
  { id: "E-300", name: "赵敏", kind: "PRINCIPAL_KIND_PERSON", role: "ROLE_CLAIMS", level: "LEVEL_HEADQUARTERS" },
  { id: "A-1", name: "陈静", kind: "PRINCIPAL_KIND_PERSON", role: "ROLE_AUDITOR", level: "LEVEL_HEADQUARTERS" },
];
const branches = [
  { id: "ZHUHAI", name: "珠海分公司", regionId: "SOUTH" },
  { id: "GZ", name: "广州分公司", regionId: "SOUTH" },
  { id: "SZ-DIST", name: "深圳配送中心", regionId: "SOUTH" },
  { id: "HUZHOU", name: "湖州分公司", regionId: "EAST" },
];
const regions = [{ id: "SOUTH", name: "华南区" }, { id: "EAST", name: "华东区" }];

// ---- Cases and histories -------------------------------------------------------
const states = new Map<string, CaseState>();
for (const j of ndjson("cases.ndjson")) states.set(j.caseId, fromJson(CaseStateSchema, j));
const events = new Map<string, CaseEvent[]>();
for (const o of ndjson("outcomes.ndjson")) {
  for (const e of o.events ?? []) {
    const ev = fromJson(CaseEventSchema, e);
    const list = events.get(ev.caseId) ?? [];
    list.push(ev);
    events.set(ev.caseId, list);
  }
}

// An open copy of the damaged-signs case (waybill 345667) before its photo,
// for the handler's screens: C-2026-0001's first three events under a new id.
const DEMO = "C-2026-0101";
{
  const src = events.get("C-2026-0001")!.slice(0, 3);
  events.set(DEMO, src.map((e) => fromJson(CaseEventSchema, JSON.parse(JSON.stringify(toJson(CaseEventSchema, e)).replaceAll("C-2026-0001", DEMO)))));
  const s = fromJson(CaseStateSchema, toJson(CaseStateSchema, states.get("C-2026-0001")!));
  const now = Date.now();
  const iso = (ms: number) => new Date(ms).toISOString();
  Object.assign(s, { caseId: DEMO, revision: 3n, stage: Stage.RESOLVING, photoCount: 0, evidence: [], round: 0, proposedFen: 0n, computedFen: 0n, basis: 0, decision: 0, paidFen: 0n, satisfaction: 0, followUpMethod: 0, investigationConcluded: false, findings: undefined, archivedAt: undefined, firstRepliedAt: undefined });
  s.openedAt = fromJson(CaseStateSchema, { openedAt: iso(now - 5 * 3600e3) }).openedAt;
  s.handlerId = "E-100";
  s.deadlines = fromJson(CaseStateSchema, {
    deadlines: [
      { kind: "DEADLINE_KIND_FIRST_RESPONSE", startedAt: iso(now - 5 * 3600e3), dueAt: iso(now - 1 * 3600e3), windowMinutes: "240", businessTime: true, met: true, metAt: iso(now - 4.8 * 3600e3), windowNumber: 1 },
      { kind: "DEADLINE_KIND_REPORT_UPWARD", startedAt: iso(now - 5 * 3600e3), dueAt: iso(now + 19 * 3600e3), windowMinutes: "1440", reportTo: "LEVEL_BRANCH", marks: [{ percent: 50, at: iso(now + 7 * 3600e3) }, { percent: 75, at: iso(now + 13 * 3600e3) }], windowNumber: 1 },
      { kind: "DEADLINE_KIND_RESOLUTION", startedAt: iso(now - 5 * 3600e3), dueAt: iso(now + 2.5 * 3600e3), windowMinutes: "480", marks: [{ percent: 50, at: iso(now - 1 * 3600e3) }, { percent: 75, at: iso(now + 1 * 3600e3) }], warnedPercent: [50], windowNumber: 1 },
      { kind: "DEADLINE_KIND_REGULATORY_RESULT", startedAt: iso(now - 5 * 3600e3), dueAt: iso(now + 163 * 3600e3), windowMinutes: "10080", windowNumber: 1 },
    ],
  }).deadlines;
  states.set(DEMO, s);
}

function history(id: string) {
  let prev = Buffer.alloc(0);
  return {
    caseId: id,
    entries: (events.get(id) ?? []).map((e) => {
      const bytes = Buffer.from(toBinary(CaseEventSchema, e));
      const hash = createHash("sha256").update(Buffer.concat([prev, bytes])).digest();
      const entry = { revision: e.revision.toString(), hashHex: hash.toString("hex"), prevHashHex: prev.toString("hex"), linkVerified: true, event: toJson(CaseEventSchema, e), eventBytes: bytes.toString("base64") };
      prev = hash;
      return entry;
    }),
  };
}

// ---- Sessions ---------------------------------------------------------------------
const sessions = new Map<string, (typeof people)[number]>();
function who(req: IncomingMessage) {
  const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? "");
  return m ? sessions.get(m[1]!) : undefined;
}
const inScope = (p: (typeof people)[number], c: CaseState) =>
  p.level !== "LEVEL_BRANCH" || !c.intake?.handlingBranch || c.intake.handlingBranch === p.branchId;

// ---- HTTP ---------------------------------------------------------------------------
function send(res: ServerResponse, status: number, body: unknown, type = "application/json") {
  res.writeHead(status, { "Content-Type": type });
  res.end(typeof body === "string" || Buffer.isBuffer(body) ? body : JSON.stringify(body));
}
const reject = (res: ServerResponse, status: number, rule: string, code: string, reason: string) => send(res, status, { rule, code, reason });
async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

const evidence = new Map<string, { bytes: Buffer; type: string }>();
for (const f of ["acrylic_sign_crack.png", "laptop_screen_crack.png"]) {
  const p = join(EVIDENCE_DIR, f);
  if (existsSync(p)) {
    const b = readFileSync(p);
    evidence.set(createHash("sha256").update(b).digest("hex"), { bytes: b, type: "image/png" });
  }
}
const streams = new Set<ServerResponse>();
let position = 1000;

function actionsFor(p: (typeof people)[number], c: CaseState) {
  const all = CommandSchema.oneofs[0]!.fields.map((f) => f.name);
  const allowedByStage: Record<number, string[]> = {
    [Stage.OPENED]: ["acknowledge", "merge", "await_customer"],
    [Stage.ACKNOWLEDGED]: ["accept", "merge"],
    [Stage.RESOLVING]: ["classify", "report_upward", "open_investigation", "attach_evidence", "propose_resolution", "await_customer", "escalate"],
    [Stage.PROPOSED]: ["record_customer_reply", "attach_evidence"],
    [Stage.DISPUTED]: ["start_special_handling"],
    [Stage.REPLIED]: ["record_follow_up", "pay_compensation"],
    [Stage.FOLLOWED_UP]: ["archive", "pay_compensation"],
  };
  const now = allowedByStage[c.stage] ?? [];
  const system = ["open_case", "record_deadline_warning", "record_deadline_breach", "directory"];
  return {
    caseId: c.caseId,
    revision: c.revision.toString(),
    actions: all.map((k) => {
      if (p.role === "ROLE_AUDITOR" || system.includes(k)) return { command: k, allowed: false, rule: "RULE_PERMISSION", code: "PERMISSION_DENIED", reason: `${p.role} may not send ${k}` };
      if (k === "propose_resolution" && c.stage === Stage.RESOLVING && c.photoCount === 0)
        return { command: k, allowed: false, rule: "RULE_PHOTO_BEFORE_DAMAGE_RESOLUTION", code: "FAILED_PRECONDITION", reason: `case ${c.caseId}: a DAMAGE case needs at least one photo before a resolution` };
      if (now.includes(k)) return { command: k, allowed: true };
      if (c.stage === Stage.ARCHIVED || c.stage === Stage.MERGED) return { command: k, allowed: false, rule: "RULE_CASE_CLOSED", code: "FAILED_PRECONDITION", reason: `case ${c.caseId} is closed` };
      return { command: k, allowed: false, rule: "RULE_STEP_ORDER", code: "FAILED_PRECONDITION", reason: `case ${c.caseId} is at ${Stage[c.stage]}` };
    }),
  };
}

function nextDue(c: CaseState): number {
  const open = c.deadlines.filter((d) => !d.met && !d.silenced && c.stage !== Stage.ARCHIVED && c.stage !== Stage.MERGED);
  return Math.min(...open.map((d) => Number(d.dueAt?.seconds ?? 0n)), Number.MAX_SAFE_INTEGER);
}

function report(by: string[]) {
  const sample = JSON.parse(`[${readFileSync(join(SAMPLES, "report.json"), "utf8").trim().split("\n").join(",")}]`) as Record<string, unknown>[];
  const metrics = Object.keys(sample[0]!).filter((k) => k !== "day" && k !== "category");
  const dimOf = (c: CaseState, d: string) =>
    d === "branch" ? c.intake?.handlingBranch || "GZ" : d === "handler" ? c.handlerId || "E-100" : d === "channel" ? String(toJson(CaseStateSchema, c).intake && (toJson(CaseStateSchema, c) as { intake: { channel: string } }).intake.channel).replace("CHANNEL_", "") : d === "day" ? new Date(Number(c.openedAt!.seconds) * 1000 + 8 * 3600e3).toISOString().slice(0, 10) : "GENERAL";
  let rows: Record<string, unknown>[];
  if (by.every((d) => d === "day" || d === "category")) {
    const groups = new Map<string, Record<string, unknown>>();
    for (const r of sample) {
      const key = by.map((d) => r[d]).join("|");
      const g = groups.get(key) ?? Object.fromEntries([...by.map((d) => [d, r[d]]), ...metrics.map((m) => [m, typeof r[m] === "number" ? 0 : r[m]])]);
      for (const m of metrics) if (typeof r[m] === "number") g[m] = Number(g[m]) + Number(r[m]);
      if (typeof r.sla_met_pct === "number") g.sla_met_pct = r.sla_met_pct;
      if (typeof r.mean_satisfaction === "number") g.mean_satisfaction = r.mean_satisfaction;
      groups.set(key, g);
    }
    rows = [...groups.values()];
  } else {
    const groups = new Map<string, CaseState[]>();
    for (const c of states.values()) {
      const key = by.map((d) => dimOf(c, d)).join("|");
      groups.set(key, [...(groups.get(key) ?? []), c]);
    }
    rows = [...groups.entries()].map(([key, cs]) => {
      const sat = cs.filter((c) => c.satisfaction > 0);
      return {
        ...Object.fromEntries(by.map((d, i) => [d, key.split("|")[i]])),
        opened: cs.length, archived: cs.filter((c) => c.stage === Stage.ARCHIVED).length, merged: cs.filter((c) => c.stage === Stage.MERGED).length,
        first_responses: cs.filter((c) => c.acknowledgedAt).length, mean_first_response_min: "-", p50_first_response_min: "-", p90_first_response_min: "-",
        results: cs.filter((c) => c.firstRepliedAt).length, mean_result_h: "-", p50_result_min: "-", p90_result_min: "-",
        sla_met_pct: "-", paid_cny: (cs.reduce((a, c) => a + Number(c.paidFen), 0) / 100).toFixed(2), penalties: cs.reduce((a, c) => a + c.penalties.length, 0), penalty_cny: "0.00",
        breaches: cs.reduce((a, c) => a + c.deadlines.reduce((b, d) => b + d.breachCount, 0), 0),
        escalations: cs.filter((c) => c.handlingLevel > 1).length,
        mean_satisfaction: sat.length ? (sat.reduce((a, c) => a + c.satisfaction, 0) / sat.length).toFixed(1) : "-",
      };
    });
  }
  const columns = [...by, ...metrics];
  return { columns, rows: rows.map((r) => ({ cells: columns.map((c) => String(r[c] ?? "-")) })) };
}

const server = createServer(async (req, res) => {
  const url = new URL(req.url ?? "/", "http://x");
  const path = url.pathname;
  if (!path.startsWith("/v1/")) {
    if (path === "/healthz" || path === "/readyz") return send(res, 200, "ok", "text/plain");
    const file = join(DIST, path);
    const f = file.startsWith(DIST) && existsSync(file) && statSync(file).isFile() ? file : join(DIST, "index.html");
    const types: Record<string, string> = { ".js": "text/javascript", ".css": "text/css", ".html": "text/html; charset=utf-8", ".svg": "image/svg+xml", ".png": "image/png" };
    return send(res, 200, readFileSync(f), types[extname(f)] ?? "application/octet-stream");
  }
  if (path === "/v1/sessions" && req.method === "POST") {
    const b = JSON.parse((await body(req)).toString() || "{}");
    const p = people.find((x) => x.id === b.principalId);
    if (!p || b.password !== "demo") return reject(res, 401, "RULE_UNAUTHENTICATED", "UNAUTHENTICATED", "unknown principal or wrong password");
    const token = randomBytes(16).toString("hex");
    sessions.set(token, p);
    return send(res, 200, { token, expiresAt: new Date(Date.now() + 8 * 3600e3).toISOString(), principal: p });
  }
  const p = who(req);
  if (!p) return reject(res, 401, "RULE_UNAUTHENTICATED", "UNAUTHENTICATED", "missing or unknown token");
  const m = /^\/v1\/cases\/([^/]+)(?:\/(history|actions|preview))?$/.exec(path);
  if (path === "/v1/sessions/current" && req.method === "DELETE") {
    sessions.delete((req.headers.authorization ?? "").slice(7));
    res.writeHead(204).end();
  } else if (path === "/v1/me") {
    const all = p.level !== "LEVEL_BRANCH";
    send(res, 200, { principal: p, allBranches: all, branchIds: all ? [] : [p.branchId], commands: p.role === "ROLE_AUDITOR" ? [] : ["acknowledge", "accept", "propose_resolution", "attach_evidence", "archive"] });
  } else if (path === "/v1/directory") {
    send(res, 200, { regions, branches, principals: people });
  } else if (path === "/v1/cases") {
    const q = url.searchParams;
    let list = [...states.values()].filter((c) => inScope(p, c));
    const json = (c: CaseState) => toJson(CaseStateSchema, c) as Record<string, any>;
    if (q.get("status")) list = list.filter((c) => json(c).stage === q.get("status"));
    if (q.get("severity")) list = list.filter((c) => json(c).severity === q.get("severity"));
    if (q.get("category")) list = list.filter((c) => json(c).category === q.get("category"));
    if (q.get("channel")) list = list.filter((c) => json(c).intake?.channel === q.get("channel"));
    if (q.get("branch")) list = list.filter((c) => c.intake?.handlingBranch === q.get("branch"));
    if (q.get("mine")) list = list.filter((c) => c.handlerId === p.id);
    if (q.get("overdue")) list = list.filter((c) => c.deadlines.some((d) => !d.met && !d.silenced && (d.breached || Number(d.dueAt?.seconds) * 1000 < Date.now())) && c.stage < Stage.ARCHIVED);
    const text = q.get("q");
    if (text) list = list.filter((c) => [c.caseId, c.intake?.shipment?.waybill, c.intake?.customer?.id, c.intake?.customer?.name].some((v) => v && v.includes(text)));
    list.sort((a, b) => nextDue(a) - nextDue(b) || a.caseId.localeCompare(b.caseId));
    const size = Number(q.get("page_size") ?? 20);
    const start = Number(q.get("page_token") ?? 0);
    send(res, 200, { cases: list.slice(start, start + size).map((c) => toJson(CaseStateSchema, c)), nextPageToken: start + size < list.length ? String(start + size) : "", total: String(list.length) });
  } else if (m) {
    const c = states.get(decodeURIComponent(m[1]!));
    if (!c || !inScope(p, c)) return reject(res, 404, "RULE_UNKNOWN_CASE", "NOT_FOUND", `case ${m[1]} not found`);
    if (!m[2]) send(res, 200, toJson(CaseStateSchema, c));
    else if (m[2] === "history") send(res, 200, history(c.caseId));
    else if (m[2] === "actions") send(res, 200, actionsFor(p, c));
    else {
      const cmd = JSON.parse((await body(req)).toString());
      if (c.photoCount === 0 && c.category === 2) return send(res, 200, { commandId: cmd.commandId, caseId: c.caseId, rejection: { commandId: cmd.commandId, caseId: c.caseId, rule: "RULE_PHOTO_BEFORE_DAMAGE_RESOLUTION", code: "FAILED_PRECONDITION", reason: `case ${c.caseId}: a DAMAGE case needs at least one photo before a resolution` } });
      const proposal = (events.get("C-2026-0001") ?? []).find((e) => e.body.case === "resolutionProposed")!;
      send(res, 200, { commandId: cmd.commandId, caseId: c.caseId, events: [{ ...(toJson(CaseEventSchema, proposal) as object), caseId: c.caseId, actor: { id: p.id, role: p.role } }] });
    }
  } else if (path === "/v1/commands" && req.method === "POST") {
    const cmd = fromJson(CommandSchema, JSON.parse((await body(req)).toString()) as JsonValue);
    const c = states.get(cmd.caseId);
    if (!c || !inScope(p, c)) return reject(res, 404, "RULE_UNKNOWN_CASE", "NOT_FOUND", "no such case");
    if (cmd.body.case !== "attachEvidence") return reject(res, 503, "RULE_UNSPECIFIED", "UNAVAILABLE", "the dev fixture does not decide this command; run docketd");
    const ev = create(CaseEventSchema, { eventId: `${c.caseId}/${c.revision + 1n}`, caseId: c.caseId, revision: c.revision + 1n, commandId: cmd.commandId, actor: { id: p.id }, body: { case: "evidenceAttached", value: { evidence: cmd.body.value.evidence } } });
    ev.occurredAt = ev.recordedAt = fromJson(CaseEventSchema, { occurredAt: new Date().toISOString() }).occurredAt;
    events.get(c.caseId)!.push(ev);
    c.revision += 1n;
    c.photoCount += 1;
    c.evidence.push(cmd.body.value.evidence!);
    const data = JSON.stringify(toJson(CaseEventSchema, ev));
    position++;
    for (const s of streams) s.write(`id: ${position}\nevent: evidence_attached\ndata: ${data}\n\n`);
    send(res, 200, { commandId: cmd.commandId, caseId: c.caseId, events: [JSON.parse(data)] });
  } else if (path === "/v1/report") {
    const r = report((url.searchParams.get("by") ?? "").split(",").filter(Boolean));
    if (url.searchParams.get("format") === "csv") send(res, 200, [r.columns.join(","), ...r.rows.map((x) => x.cells.join(","))].join("\n") + "\n", "text/csv");
    else send(res, 200, r);
  } else if (path === "/v1/audit") {
    send(res, 200, { ok: true, cases: String(states.size), events: String([...events.values()].reduce((a, l) => a + l.length, 0)), logEntries: "69", evidenceChecked: String(evidence.size), checkedAt: new Date().toISOString() });
  } else if (path === "/v1/rejections") {
    send(res, 200, { rejections: ndjson("outcomes.ndjson").filter((o) => o.rejection && (!url.searchParams.get("case_id") || o.caseId === url.searchParams.get("case_id"))).map((o) => o.rejection) });
  } else if (path === "/v1/events") {
    res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache" });
    res.write(": connected\n\n");
    streams.add(res);
    const keep = setInterval(() => res.write(": keep-alive\n\n"), 15000);
    req.on("close", () => {
      clearInterval(keep);
      streams.delete(res);
    });
  } else if (path === "/v1/evidence" && req.method === "POST") {
    const b = await body(req);
    const sha = createHash("sha256").update(b).digest("hex");
    evidence.set(sha, { bytes: b, type: req.headers["content-type"] ?? "application/octet-stream" });
    send(res, 200, { kind: url.searchParams.get("kind") ?? "EVIDENCE_KIND_PHOTO", uri: `cas://${sha}`, sha256Hex: sha, sizeBytes: String(b.length), mediaType: req.headers["content-type"] });
  } else if (path.startsWith("/v1/evidence/")) {
    const e = evidence.get(path.slice("/v1/evidence/".length));
    if (!e) return reject(res, 404, "RULE_EVIDENCE", "NOT_FOUND", "no such evidence");
    send(res, 200, e.bytes, e.type);
  } else {
    reject(res, 404, "RULE_UNSPECIFIED", "NOT_FOUND", `no route ${path}`);
  }
});
server.listen(PORT, "127.0.0.1", () => console.log(`dev fixture (not docketd) on http://127.0.0.1:${PORT}; sign in as E-100, E-200, E-300 or A-1 with password "demo"`));
