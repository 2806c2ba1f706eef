import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import react from "@vitejs/plugin-react";
import type { Plugin } from "vite";
import { defineConfig } from "vitest/config";

// Swagger UI for the API's /docs page, shipped in the package so that /docs works offline
// (FastAPI's default page loads it from a CDN). The server points /docs at these files.
const SWAGGER_UI_FILES = ["swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png"];

function swaggerUi(): Plugin {
  const dist = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
  return {
    name: "liveops-swagger-ui",
    apply: "build",
    generateBundle() {
      for (const file of SWAGGER_UI_FILES) {
        this.emitFile({ type: "asset", fileName: `swagger-ui/${file}`, source: readFileSync(join(dist, file)) });
      }
    },
  };
}

// The console ships as static files inside the Python package, so `liveops serve`
// needs no Node at runtime. The server serves index.html for `/`, `/shows/{id}` and `/shows/{id}/anchor`
// and the hashed bundles under `/assets/`; Swagger UI's files go to `/swagger-ui/`.
export default defineConfig({
  plugins: [react(), swaggerUi()],
  base: "/",
  build: {
    outDir: "../src/liveops/web/static",
    emptyOutDir: true,
    assetsDir: "assets",
    sourcemap: false,
    target: "es2022",
  },
  server: {
    // `npm run dev` against a local `liveops demo` on :8000. Same-origin proxying keeps the
    // SameSite=Strict session cookie and the websocket Origin check happy.
    proxy: {
      "/api": { target: "http://127.0.0.1:8000", ws: true, changeOrigin: false },
      "/login": { target: "http://127.0.0.1:8000" },
      "/healthz": { target: "http://127.0.0.1:8000" },
    },
  },
  test: {
    environment: "node",
    include: ["src/**/*.test.ts"],
  },
});
