// Who is signed in: the session token and the principal (kept in the
// browser's localStorage, so a reload or a new tab keeps you signed in until
// you sign out or the session ends, in every tab), what /v1/me says they may
// see and send, and the directory for names. Nothing else the server holds
// is kept here.
import { reactive } from "vue";
import { fromJson, toJson, type JsonValue } from "@bufbuild/protobuf";
import { SessionSchema, type DirectoryView, type Me, type Session } from "@/gen/docket/v1/api_pb";
import { Role } from "@/gen/docket/v1/common_pb";
import * as api from "./api";

const KEY = "docket.session";

interface State {
  session: Session | null;
  me: Me | null;
  directory: DirectoryView | null;
  expired: boolean;
}

export const state = reactive<State>({ session: null, me: null, directory: null, expired: false });

function restore(): void {
  const raw = localStorage.getItem(KEY);
  if (!raw) return;
  try {
    state.session = fromJson(SessionSchema, JSON.parse(raw) as JsonValue);
  } catch {
    localStorage.removeItem(KEY);
  }
}

let onExpired: () => void = () => {};

/** Wires the API client to this session; `expired` runs when the server answers 401. */
export function initSession(expired: () => void): void {
  onExpired = expired;
  api.configureApi({
    token: () => state.session?.token ?? null,
    unauthenticated: () => {
      if (!state.session) return;
      clear();
      state.expired = true;
      onExpired();
    },
  });
  restore();
  // Signed out, or in as someone else, in another tab: this one follows.
  window.addEventListener("storage", (e) => {
    if (e.key === KEY && e.newValue !== e.oldValue) window.location.reload();
  });
}

function clear(): void {
  state.session = null;
  state.me = null;
  state.directory = null;
  localStorage.removeItem(KEY);
}

export async function signIn(principalId: string, password: string): Promise<void> {
  const s = await api.signIn(principalId, password);
  state.session = s;
  state.expired = false;
  localStorage.setItem(KEY, JSON.stringify(toJson(SessionSchema, s)));
  await loadProfile();
}

export async function signOut(): Promise<void> {
  try {
    await api.signOut();
  } finally {
    clear();
  }
}

/** /v1/me and the directory; once per sign-in or reload. */
export async function loadProfile(): Promise<void> {
  if (!state.session) return;
  const [me, dir] = await Promise.all([api.me(), api.directory()]);
  state.me = me;
  state.directory = dir;
}

export const signedIn = (): boolean => state.session !== null;

export function role(): Role {
  return state.me?.principal?.role ?? state.session?.principal?.role ?? Role.UNSPECIFIED;
}

// GET /v1/report: supervisors and auditors, each over the branches they
// see (docs/api.md).
export const canSeeReports = (): boolean => [Role.SUPERVISOR, Role.AUDITOR].includes(role());
export const canAudit = (): boolean => role() === Role.AUDITOR;

/** A principal's name from the directory, else its id. */
export function principalName(id: string): string {
  const p = state.directory?.principals.find((x) => x.id === id);
  return p?.name ? `${p.name}（${id}）` : id;
}

export function branchName(id: string): string {
  return state.directory?.branches.find((b) => b.id === id)?.name || id;
}
