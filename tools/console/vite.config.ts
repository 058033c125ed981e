import { defineConfig } from "vitest/config";
import vue from "@vitejs/plugin-vue";
import { fileURLToPath, URL } from "node:url";

// The console is a static bundle that docketd serves from --console_dir
// (default tools/console/dist) at "/". In development, `npm run dev` proxies
// the API to DOCKET_API (default http://127.0.0.1:8080).
const api = process.env.DOCKET_API ?? "http://127.0.0.1:8080";

export default defineConfig({
  plugins: [vue()],
  resolve: { alias: { "@": fileURLToPath(new URL("./src", import.meta.url)) } },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      output: {
        manualChunks: {
          "element-plus": ["element-plus"],
          echarts: ["echarts/core", "echarts/charts", "echarts/components", "echarts/renderers"],
        },
      },
    },
  },
  server: {
    proxy: {
      "/v1": { target: api, changeOrigin: false },
      "/healthz": api,
      "/readyz": api,
    },
  },
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
});
