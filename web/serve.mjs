// A tiny static server for dist/ (the built playground), with the MIME types the page needs
// (application/wasm lets the browser compile the module while it downloads).
//
//   node web/serve.mjs [--port N] [--host H] [--root DIR]     (defaults: 8080, 127.0.0.1, dist)
//
// The browser tests import startServer() and run it on a free port.

import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { createServer } from "node:http";
import { extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const MIME = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
  ".s": "text/plain; charset=utf-8",
  ".hex": "text/plain; charset=utf-8",
  ".ts": "text/plain; charset=utf-8",
};

export const repoRoot = resolve(fileURLToPath(new URL("..", import.meta.url)));

/**
 * Serves `root` on host:port (port 0 picks a free one). Resolves to { server, url } once listening.
 */
export function startServer({ root = join(repoRoot, "dist"), host = "127.0.0.1", port = 8080, log = false } = {}) {
  const base = resolve(root);
  const server = createServer(async (request, response) => {
    const send = (status, text) => {
      response.writeHead(status, { "content-type": "text/plain; charset=utf-8" });
      response.end(text);
      if (log) console.log(`${status} ${request.method} ${request.url}`);
    };
    if (request.method !== "GET" && request.method !== "HEAD") return send(405, "method not allowed\n");
    let path;
    try {
      path = decodeURIComponent(new URL(request.url ?? "/", "http://localhost").pathname);
    } catch {
      return send(400, "bad request\n");
    }
    let file = normalize(join(base, path));
    if (file !== base && !file.startsWith(base + sep)) return send(403, "forbidden\n");
    try {
      let info = await stat(file);
      if (info.isDirectory()) {
        file = join(file, "index.html");
        info = await stat(file);
      }
      response.writeHead(200, {
        "content-type": MIME[extname(file).toLowerCase()] ?? "application/octet-stream",
        "content-length": info.size,
        "cache-control": "no-cache",
        "x-content-type-options": "nosniff",
      });
      if (log) console.log(`200 ${request.method} ${request.url}`);
      if (request.method === "HEAD") return response.end();
      createReadStream(file).pipe(response);
    } catch {
      send(404, "not found\n");
    }
  });
  return new Promise((resolvePromise, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const { port: actual } = server.address();
      resolvePromise({ server, url: `http://${host}:${actual}/` });
    });
  });
}

function option(args, name, fallback) {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const port = Number(option(args, "port", process.env.PORT ?? "8080"));
  const host = option(args, "host", "127.0.0.1");
  const root = resolve(option(args, "root", join(repoRoot, "dist")));
  try {
    await stat(join(root, "index.html"));
  } catch {
    console.error(`serve: ${root}/index.html not found; build the page first (make build-web)`);
    process.exit(1);
  }
  const { url } = await startServer({ root, host, port, log: process.env.SERVE_LOG === "1" });
  console.log(`Unwind playground: ${url}  (serving ${root}; Ctrl-C stops)`);
}
