// The console's one client of docketd's HTTP API (docs/api.md). Every
// document is read and written with the schemas generated from proto/, so the
// console speaks the engine's canonical proto3 JSON; every error surfaces as
// the server's docket.v1.Rejection inside an ApiError.
import { create, fromJson, toJson, type DescMessage, type JsonValue, type MessageShape } from "@bufbuild/protobuf";
import { fetchEventSource, EventStreamContentType } from "@microsoft/fetch-event-source";
import {
  AuditSummarySchema,
  CaseActionsSchema,
  CaseHistorySchema,
  CaseListSchema,
  CreateSessionRequestSchema,
  DirectoryViewSchema,
  MeSchema,
  RejectionListSchema,
  ReportTableSchema,
  SessionSchema,
  type AuditSummary,
  type CaseActions,
  type CaseHistory,
  type CaseList,
  type DirectoryView,
  type Me,
  type RejectionList,
  type ReportTable,
  type Session,
} from "@/gen/docket/v1/api_pb";
import { CommandSchema, type Command } from "@/gen/docket/v1/commands_pb";
import { CaseEventSchema, type CaseEvent } from "@/gen/docket/v1/events_pb";
import { EvidenceSchema, type Evidence } from "@/gen/docket/v1/facts_pb";
import { CommandOutcomeSchema, type CommandOutcome } from "@/gen/docket/v1/outcome_pb";
import { RejectionSchema, Rule, type Rejection } from "@/gen/docket/v1/rejection_pb";
import { CaseStateSchema, type CaseState } from "@/gen/docket/v1/state_pb";

const readOptions = { ignoreUnknownFields: true } as const;

/** A request the server answered with an error (or that never reached it). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly rejection: Rejection,
  ) {
    super(rejection.reason || `HTTP ${status}`);
    this.name = "ApiError";
  }
}

/** The Rejection a failed API call answered; anything else is thrown on. */
export function refusalOf(e: unknown): Rejection {
  if (e instanceof ApiError) return e.rejection;
  throw e;
}

/** Where the token comes from and what happens when it stops working. */
export interface ApiHooks {
  token(): string | null;
  unauthenticated(): void;
}

let hooks: ApiHooks = { token: () => null, unauthenticated: () => {} };

export function configureApi(h: ApiHooks): void {
  hooks = h;
}

type Query = Record<string, string | number | boolean | undefined | null>;

function url(path: string, query?: Query): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v === undefined || v === null || v === "" || v === false) continue;
    params.set(k, String(v));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

function authHeaders(): Record<string, string> {
  const t = hooks.token();
  return t ? { Authorization: `Bearer ${t}` } : {};
}

// Turns any failed response into the Rejection it carries; a body that is not
// a Rejection (a proxy's HTML page...) still yields one, with the HTTP status
// as its reason, so callers handle one shape.
async function rejectionOf(res: Response): Promise<Rejection> {
  const text = await res.text();
  try {
    return fromJson(RejectionSchema, JSON.parse(text) as JsonValue, readOptions);
  } catch {
    return create(RejectionSchema, {
      rule: res.status === 401 ? Rule.UNAUTHENTICATED : Rule.UNSPECIFIED,
      code: codeOfStatus(res.status),
      reason: `HTTP ${res.status} ${res.statusText}`.trim(),
    });
  }
}

/** The status code name a bare HTTP status most likely stands for (docs/api.md's table). */
export function codeOfStatus(status: number): string {
  switch (status) {
    case 400: return "INVALID_ARGUMENT";
    case 401: return "UNAUTHENTICATED";
    case 403: return "PERMISSION_DENIED";
    case 404: return "NOT_FOUND";
    case 409: return "FAILED_PRECONDITION";
    case 413:
    case 429: return "RESOURCE_EXHAUSTED";
    case 503: return "UNAVAILABLE";
    case 504: return "DEADLINE_EXCEEDED";
    default: return "UNKNOWN";
  }
}

interface RequestOptions {
  query?: Query;
  body?: BodyInit;
  contentType?: string;
  // Sign-in itself answers 401 for a wrong password: that is not an expired session.
  noSessionExpiry?: boolean;
}

async function send(method: string, path: string, opts: RequestOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { ...authHeaders(), Accept: "application/json" };
  if (opts.contentType) headers["Content-Type"] = opts.contentType;
  let res: Response;
  try {
    res = await fetch(url(path, opts.query), { method, headers, body: opts.body });
  } catch (e) {
    throw new ApiError(0, create(RejectionSchema, { code: "UNAVAILABLE", reason: String(e) }));
  }
  if (!res.ok) {
    const rejection = await rejectionOf(res);
    if (res.status === 401 && !opts.noSessionExpiry) hooks.unauthenticated();
    throw new ApiError(res.status, rejection);
  }
  return res;
}

async function getDoc<D extends DescMessage>(schema: D, path: string, query?: Query): Promise<MessageShape<D>> {
  const res = await send("GET", path, { query });
  return fromJson(schema, (await res.json()) as JsonValue, readOptions);
}

async function postDoc<D extends DescMessage>(
  schema: D,
  path: string,
  body: JsonValue,
  opts: Omit<RequestOptions, "body" | "contentType"> = {},
): Promise<MessageShape<D>> {
  const res = await send("POST", path, { ...opts, body: JSON.stringify(body), contentType: "application/json" });
  return fromJson(schema, (await res.json()) as JsonValue, readOptions);
}

const casepath = (id: string) => `/v1/cases/${encodeURIComponent(id)}`;

// ---- Sessions and identity -------------------------------------------------

/** POST /v1/sessions: a person's id and password for a session token. */
export function signIn(principalId: string, password: string): Promise<Session> {
  const req = create(CreateSessionRequestSchema, { principalId, password });
  return postDoc(SessionSchema, "/v1/sessions", toJson(CreateSessionRequestSchema, req), { noSessionExpiry: true });
}

/** DELETE /v1/sessions/current: the token stops working. */
export async function signOut(): Promise<void> {
  await send("DELETE", "/v1/sessions/current", { noSessionExpiry: true });
}

export const me = (): Promise<Me> => getDoc(MeSchema, "/v1/me");
export const directory = (): Promise<DirectoryView> => getDoc(DirectoryViewSchema, "/v1/directory");

// ---- Commands ----------------------------------------------------------------

/**
 * POST /v1/commands with one command: its outcome, accepted or refused by a
 * rule. A refusal is answered with the status of its code and the Rejection
 * as the body (docs/api.md); it comes back here as the outcome it is. A call
 * that was not decided (401, 503, the network) is thrown.
 */
export async function submit(command: Command): Promise<CommandOutcome> {
  try {
    return await postDoc(CommandOutcomeSchema, "/v1/commands", toJson(CommandSchema, command));
  } catch (e) {
    const refused = decidedRefusal(e);
    if (!refused) throw e;
    return create(CommandOutcomeSchema, {
      commandId: refused.commandId || command.commandId,
      caseId: refused.caseId || command.caseId,
      rejection: refused,
    });
  }
}

/**
 * The Rejection of a command that was decided and refused, or null for any
 * other failure. A decided refusal names its rule, whatever its status (a
 * link that cannot be checked on a Kafka engine is UNAVAILABLE, 503, and
 * final); what was not decided (the transport, a timeout) names none. A 401
 * is the session's, handled apart.
 */
export function decidedRefusal(e: unknown): Rejection | null {
  if (!(e instanceof ApiError) || e.status === 0 || e.status === 401) return null;
  return e.rejection.rule !== Rule.UNSPECIFIED ? e.rejection : null;
}

/** POST /v1/commands as NDJSON: the commands decided and committed as one group. */
export async function submitGroup(commands: Command[]): Promise<CommandOutcome[]> {
  const body = commands.map((c) => JSON.stringify(toJson(CommandSchema, c))).join("\n") + "\n";
  const res = await send("POST", "/v1/commands", { body, contentType: "application/x-ndjson" });
  return (await res.text())
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => fromJson(CommandOutcomeSchema, JSON.parse(l) as JsonValue, readOptions));
}

/** POST /v1/cases/{id}/preview: the outcome the command would have, decided and not committed. */
export function preview(command: Command): Promise<CommandOutcome> {
  return postDoc(CommandOutcomeSchema, `${casepath(command.caseId)}/preview`, toJson(CommandSchema, command));
}

// ---- Cases -------------------------------------------------------------------

export interface CaseQuery {
  status?: string;    // Stage name, e.g. STAGE_RESOLVING.
  severity?: string;
  category?: string;
  kind?: string;      // CaseKind name, e.g. CASE_KIND_INQUIRY.
  channel?: string;
  branch?: string;
  overdue?: boolean;
  mine?: boolean;
  awaiting?: boolean; // Only the proposals awaiting the caller's approval.
  q?: string;         // Case id, waybill or customer.
  pageSize?: number;
  pageToken?: string;
}

/** GET /v1/cases: a page of the cases in scope, ordered by the next due time. */
export function listCases(q: CaseQuery = {}): Promise<CaseList> {
  return getDoc(CaseListSchema, "/v1/cases", {
    status: q.status,
    severity: q.severity,
    category: q.category,
    kind: q.kind,
    channel: q.channel,
    branch: q.branch,
    overdue: q.overdue,
    mine: q.mine,
    awaiting: q.awaiting ? "me" : undefined,
    q: q.q,
    page_size: q.pageSize,
    page_token: q.pageToken,
  });
}

/** GET /v1/cases/{id}, optionally as it was at a time (RFC 3339) or revision. */
export function getCase(id: string, at: { asOf?: string; revision?: number } = {}): Promise<CaseState> {
  return getDoc(CaseStateSchema, casepath(id), { as_of: at.asOf, revision: at.revision });
}

export const history = (id: string): Promise<CaseHistory> => getDoc(CaseHistorySchema, `${casepath(id)}/history`);
export const actions = (id: string): Promise<CaseActions> => getDoc(CaseActionsSchema, `${casepath(id)}/actions`);

/**
 * GET /v1/rejections: refused commands with their rules (supervisors, auditors), every page of
 * them (at most `limit`), gathered into one list.
 */
export async function rejections(caseId?: string, limit = 5000): Promise<RejectionList> {
  const all = await getDoc(RejectionListSchema, "/v1/rejections", { case_id: caseId, page_size: 500 });
  const seen = new Set<string>();
  while (all.nextPageToken && !seen.has(all.nextPageToken) && all.rejections.length < limit) {
    seen.add(all.nextPageToken);
    const page = await getDoc(RejectionListSchema, "/v1/rejections", {
      case_id: caseId,
      page_size: 500,
      page_token: all.nextPageToken,
    });
    all.rejections.push(...page.rejections);
    all.nextPageToken = page.nextPageToken;
  }
  return all;
}

// ---- Reports and audit ---------------------------------------------------------

export interface ReportQuery {
  by: string[];       // day, category, channel, severity, branch, kind, handler.
  from?: string;      // The first day counted, "2026-11-01" (China Standard Time).
  to?: string;        // The last day counted, included.
}

/** GET /v1/report?format=json: one row per group. */
export function report(q: ReportQuery): Promise<ReportTable> {
  return getDoc(ReportTableSchema, "/v1/report", { by: q.by.join(","), from: q.from, to: q.to, format: "json" });
}

/** GET /v1/report?format=csv: the same table as the server writes it, for a download. */
export async function reportCsv(q: ReportQuery): Promise<Blob> {
  const res = await send("GET", "/v1/report", { query: { by: q.by.join(","), from: q.from, to: q.to, format: "csv" } });
  return res.blob();
}

/** GET /v1/audit: verify on the live data (auditors). */
export const audit = (): Promise<AuditSummary> => getDoc(AuditSummarySchema, "/v1/audit");

// ---- Evidence ------------------------------------------------------------------

/** POST /v1/evidence: stores the bytes; the Evidence is then attached with a command. */
export async function uploadEvidence(file: Blob, kind: string, name: string): Promise<Evidence> {
  const res = await send("POST", "/v1/evidence", {
    query: { kind, name },
    body: file,
    contentType: file.type || "application/octet-stream",
  });
  return fromJson(EvidenceSchema, (await res.json()) as JsonValue, readOptions);
}

/**
 * GET /v1/evidence/{sha256}?case_id=: the bytes, for a reader of the case
 * that attached them (fetched with the bearer header, so no <img src>).
 */
export async function evidenceBlob(sha256Hex: string, caseId: string): Promise<Blob> {
  const res = await send("GET", `/v1/evidence/${encodeURIComponent(sha256Hex)}`, { query: { case_id: caseId } });
  return res.blob();
}

// ---- Operations ------------------------------------------------------------------

export async function healthz(): Promise<boolean> {
  return (await fetch("/healthz")).ok;
}

export async function readyz(): Promise<boolean> {
  return (await fetch("/readyz")).ok;
}

/** GET /metrics: Prometheus text (operators). */
export async function metrics(): Promise<string> {
  return (await send("GET", "/metrics")).text();
}

// ---- Live events ---------------------------------------------------------------

export interface LiveHandlers {
  event(position: string, e: CaseEvent): void;
  // The stream is (re)connected; false while it is retrying.
  status?(connected: boolean): void;
}

/**
 * GET /v1/events as server-sent events, with the bearer header (which
 * EventSource cannot send). After a drop it reconnects with Last-Event-ID, so
 * nothing between is missed. Returns a function that stops the stream.
 */
export function subscribeEvents(handlers: LiveHandlers, from?: string): () => void {
  const ctrl = new AbortController();
  // fetch-event-source keeps the last id it saw and sends it as Last-Event-ID
  // when it reconnects; `from` only places the first connection.
  void fetchEventSource(url("/v1/events", { from }), {
    signal: ctrl.signal,
    openWhenHidden: true,
    headers: { ...authHeaders(), accept: EventStreamContentType },
    async onopen(res) {
      if (res.ok && (res.headers.get("content-type") ?? "").startsWith(EventStreamContentType)) {
        handlers.status?.(true);
        return;
      }
      if (res.status === 401) {
        hooks.unauthenticated();
        ctrl.abort();
      }
      throw new ApiError(res.status, await rejectionOf(res));
    },
    onmessage(msg) {
      if (!msg.data) return;
      try {
        const e = fromJson(CaseEventSchema, JSON.parse(msg.data) as JsonValue, readOptions);
        handlers.event(msg.id, e);
      } catch {
        // A message of a kind this console does not know: skip it, keep the stream.
      }
    },
    onclose() {
      handlers.status?.(false);
      throw new Error("event stream closed; reconnecting");
    },
    onerror(err) {
      handlers.status?.(false);
      if (ctrl.signal.aborted) throw err;
      return 5000; // Retry in 5 s, resuming after the last id seen.
    },
  });
  return () => ctrl.abort();
}
