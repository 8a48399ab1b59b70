import http from "node:http";
import path from "node:path";
import { parseArgs } from "node:util";
import { configuredLimits } from "../../lib/configured-limits.ts";
import { BASE_PATH, getGateway } from "../../lib/gateway/gateway.ts";
import { PRELOADED_BODY } from "../../lib/gateway/request.ts";
import { installShutdownHandlers, registerShutdownHook } from "../../lib/runtime/shutdown.ts";

// `assay serve-web` (what `assay start` runs for the production app): one HTTP server on the app's port. Requests
// under /api/gateway/v1 go straight to the gateway (lib/gateway, one instance per process), outside Next's request
// pipeline (routing, patched fetch, compression of SSE, async context: 3–5 ms a request); everything else goes to
// Next through its custom server API, so pages keep proxy.ts (security headers) and instrumentation.ts still starts
// the run worker and the release monitor. The app/api/gateway/v1 route files serve `next dev`.

const root = path.resolve(import.meta.dirname, "../..");
const decoder = new TextDecoder();

/**
 * What lib/gateway reads of a request (url, method, headers.get, signal, the body as text), straight off Node's
 * request: no WHATWG Request, Headers or body stream is built on the hot path (they cost ~0.1 ms a request).
 */
class NodeGatewayRequest {
  readonly url: string;
  readonly method: string;
  readonly headers: { get(name: string): string | null };
  readonly signal: AbortSignal;
  readonly [PRELOADED_BODY]: string | null;

  constructor(request: http.IncomingMessage, authority: string, signal: AbortSignal, body: string | null) {
    this.url = `http://${authority}${request.url ?? "/"}`;
    this.method = request.method ?? "GET";
    const raw = request.headers;
    this.headers = {
      get(name: string): string | null {
        const value = raw[name.toLowerCase()];
        if (value === undefined) return null;
        return Array.isArray(value) ? value.join(", ") : value;
      },
    };
    this.signal = signal;
    this[PRELOADED_BODY] = body;
  }
}

/** The gateway's handler on Node's request and response; the body is read with the gateway's byte budget. */
function serveGateway(request: http.IncomingMessage, response: http.ServerResponse, authority: string): void {
  const abort = new AbortController();
  response.once("close", () => {
    if (!response.writableFinished) abort.abort();
  });
  const maxBytes = configuredLimits.jsonBodyBytes;
  const declared = Number(request.headers["content-length"] ?? NaN);
  const answer = (body: string | null) => {
    if (body === null) {
      // Refused unread: the rest of the body is not drained into memory; the connection closes after the 413.
      response.shouldKeepAlive = false;
      response.once("finish", () => request.destroy());
    }
    void getGateway()
      .handle(new NodeGatewayRequest(request, authority, abort.signal, body) as unknown as Request)
      .then((webAnswer) => writeAnswer(webAnswer, response))
      .catch((error: unknown) => {
        // Gateway.handle answers its own errors; what lands here is a failure writing to the socket.
        console.warn(`[gateway] writing an answer failed: ${error instanceof Error ? error.message : String(error)}`);
        response.destroy();
      });
  };
  if (request.method === "GET" || request.method === "HEAD") {
    request.resume();
    answer("");
    return;
  }
  if (declared > maxBytes) {
    answer(null);
    return;
  }
  const chunks: Buffer[] = [];
  let total = 0;
  let refused = false;
  request.on("data", (chunk: Buffer) => {
    if (refused) return;
    total += chunk.length;
    if (total > maxBytes) {
      refused = true;
      chunks.length = 0;
      request.pause();
      answer(null);
      return;
    }
    chunks.push(chunk);
  });
  request.once("error", (error) => response.destroy(error));
  request.once("end", () => {
    // TextDecoder as readText does (a BOM is dropped, malformed bytes become U+FFFD)
    if (!refused) answer(decoder.decode(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
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
  let corked = false;
  const uncork = () => {
    corked = false;
    response.uncork();
  };
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (response.destroyed) {
        await reader.cancel();
        return;
      }
      // Chunks that arrive together (one upstream packet holds several SSE events) leave in one write.
      if (!corked) {
        corked = true;
        response.cork();
        setImmediate(uncork);
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
  // ASSAY_CPU_PROFILE=<dir>: a CPU profile of this process, written on a clean stop (Node 20 refuses --cpu-prof in
  // NODE_OPTIONS, and this process is started by `assay start`). For `npm run bench:gateway` investigations.
  const profileDir = process.env.ASSAY_CPU_PROFILE;
  if (profileDir) {
    const { Session } = await import("node:inspector/promises");
    const { writeFile } = await import("node:fs/promises");
    const session = new Session();
    session.connect();
    await session.post("Profiler.enable");
    await session.post("Profiler.start");
    registerShutdownHook("cpu-profile", async () => {
      const { profile } = await session.post("Profiler.stop");
      await writeFile(path.join(profileDir, `serve-web-${process.pid}.cpuprofile`), JSON.stringify(profile));
    });
  }
  // The release monitor in its own thread, started before Next so instrumentation.ts sees it and starts none.
  const { env } = await import("../../lib/env.ts");
  if (env.ASSAY_RELEASE_MONITOR_MS > 0) {
    const { startMonitorThread } = await import("../../lib/releases/monitor-thread.ts");
    const monitor = startMonitorThread();
    registerShutdownHook("release-monitor-thread", () => monitor.stop());
  }
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
