import http from "node:http";
import path from "node:path";
import { parseArgs } from "node:util";
import { BASE_PATH, getGateway } from "../../lib/gateway/gateway.ts";
import { installShutdownHandlers } from "../../lib/runtime/shutdown.ts";

// `assay serve-web` (what `assay start` runs for the production app): one HTTP server on the app's port. Requests
// under /api/gateway/v1 go straight to the gateway (lib/gateway, one instance per process), outside Next's request
// pipeline (routing, patched fetch, compression of SSE, async context: 3–5 ms a request); everything else goes to
// Next through its custom server API, so pages keep proxy.ts (security headers) and instrumentation.ts still starts
// the run worker and the release monitor. The app/api/gateway/v1 route files serve `next dev`.

const root = path.resolve(import.meta.dirname, "../..");

/** The gateway's Web handler on Node's request and response, converting as little as the handler needs. */
function serveGateway(request: http.IncomingMessage, response: http.ServerResponse, host: string): void {
  const abort = new AbortController();
  response.once("close", () => {
    if (!response.writableFinished) abort.abort();
  });
  const chunks: Buffer[] = [];
  const hasBody = request.method !== "GET" && request.method !== "HEAD";
  request.on("data", (chunk: Buffer) => chunks.push(chunk));
  request.once("error", (error) => {
    response.destroy(error);
  });
  request.once("end", () => {
    const headers = new Headers();
    for (const [name, value] of Object.entries(request.headers)) {
      if (value === undefined) continue;
      if (Array.isArray(value)) for (const each of value) headers.append(name, each);
      else headers.set(name, value);
    }
    const webRequest = new Request(`http://${host}${request.url ?? "/"}`, {
      method: request.method,
      headers,
      body: hasBody ? Buffer.concat(chunks) : undefined,
      signal: abort.signal,
    });
    void getGateway()
      .handle(webRequest)
      .then((answer) => writeAnswer(answer, response))
      .catch((error: unknown) => {
        // Gateway.handle answers its own errors; what lands here is a failure writing to the socket.
        console.warn(`[gateway] writing an answer failed: ${error instanceof Error ? error.message : String(error)}`);
        response.destroy();
      });
  });
}

async function writeAnswer(answer: Response, response: http.ServerResponse): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  answer.headers.forEach((value, name) => {
    if (name === "set-cookie") return;
    headers[name] = value;
  });
  const cookies = answer.headers.getSetCookie();
  if (cookies.length > 0) headers["set-cookie"] = cookies;
  if (!answer.body) {
    response.writeHead(answer.status, headers);
    response.end();
    return;
  }
  response.writeHead(answer.status, headers);
  const reader = answer.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (response.destroyed) {
        await reader.cancel();
        return;
      }
      response.write(value);
    }
    response.end();
  } catch (error) {
    response.destroy(error instanceof Error ? error : new Error(String(error)));
  }
}

function isGatewayPath(url: string | undefined): boolean {
  if (!url || !url.startsWith(BASE_PATH)) return false;
  const next = url.charCodeAt(BASE_PATH.length);
  // "/api/gateway/v1", "/api/gateway/v1/…", "/api/gateway/v1?…" — not "/api/gateway/v10"
  return Number.isNaN(next) || next === 47 /* / */ || next === 63 /* ? */;
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { port: { type: "string", short: "p" }, host: { type: "string", short: "H" } },
    strict: true,
  });
  const port = Number(values.port ?? process.env.PORT ?? 3000);
  const host = (values.host ?? "127.0.0.1").replace(/^\[(.*)\]$/, "$1");
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    console.error(`--port must be a port number, not "${values.port}"`);
    return 2;
  }
  // One SIGTERM handler for the process (instrumentation.ts's call finds it installed: the registry is global).
  installShutdownHandlers();
  const { default: next } = await import("next");
  const app = next({ dev: false, dir: root, hostname: host, port });
  await app.prepare();
  const handle = app.getRequestHandler();
  const authority = `${host.includes(":") ? `[${host}]` : host}:${port}`;
  const server = http.createServer((request, response) => {
    if (isGatewayPath(request.url)) serveGateway(request, response, authority);
    else void handle(request, response);
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  // Keeps the process alive; the shutdown handler exits it.
  await new Promise(() => {});
  return 0;
}
