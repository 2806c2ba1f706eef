import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

// The console ships as static files inside the Python package, so `liveops serve`
// needs no Node at runtime. The server serves index.html for `/` and `/shows/{id}`
// and the hashed bundles under `/assets/`.
export default defineConfig({
  plugins: [react()],
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
