import { createApp } from "vue";
import ElementPlus from "element-plus";
import "element-plus/dist/index.css";
import "./style.css";
import App from "./App.vue";
import { i18n } from "./i18n";
import { router } from "./router";
import { initSession } from "./session";

initSession(() => {
  const next = router.currentRoute.value.fullPath;
  void router.push({ name: "signin", query: { next, expired: "1" } });
});

document.documentElement.lang = i18n.global.locale.value;
createApp(App).use(i18n).use(router).use(ElementPlus).mount("#app");
