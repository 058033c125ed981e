// URLs say where you are: /queue?tab=…&filters, /cases/:id, /dashboard,
// /audit?case=…, /cases/:id/file (printable). Titles follow the route.
import { createRouter, createWebHistory, type RouteLocationNormalized } from "vue-router";
import { i18n } from "./i18n";
import { canAudit, canSeeReports, loadProfile, signedIn, state } from "./session";

export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: "/", redirect: "/queue" },
    { path: "/signin", name: "signin", component: () => import("./screens/SignIn.vue"), meta: { public: true, title: "nav.signin" } },
    { path: "/queue", name: "queue", component: () => import("./screens/Queue.vue"), meta: { title: "nav.queue" } },
    { path: "/cases/:id", name: "case", component: () => import("./screens/CasePage.vue"), meta: { title: "nav.case" } },
    { path: "/cases/:id/file", name: "casefile", component: () => import("./screens/CaseFile.vue"), meta: { title: "nav.print", bare: true } },
    { path: "/dashboard", name: "dashboard", component: () => import("./screens/Dashboard.vue"), meta: { title: "nav.dashboard", reports: true } },
    { path: "/audit", name: "audit", component: () => import("./screens/Audit.vue"), meta: { title: "nav.audit", audit: true } },
    { path: "/:rest(.*)*", name: "notfound", component: () => import("./screens/NotFound.vue"), meta: { public: true, title: "app.notFound" } },
  ],
});

router.beforeEach(async (to) => {
  if (to.meta.public) return true;
  if (!signedIn()) return { name: "signin", query: { next: to.fullPath } };
  if (!state.me) {
    try {
      await loadProfile();
    } catch {
      return signedIn() ? true : { name: "signin", query: { next: to.fullPath } };
    }
  }
  if (to.meta.reports && !canSeeReports()) return { name: "queue" };
  if (to.meta.audit && !canAudit()) return { name: "queue" };
  return true;
});

export function pageTitle(to: RouteLocationNormalized): string {
  const key = (to.meta.title as string | undefined) ?? "app.name";
  const t = i18n.global.t;
  const here = t(key, { id: String(to.params.id ?? "") });
  return `${here} · ${t("app.name")}`;
}

router.afterEach((to) => {
  document.title = pageTitle(to);
});
