import { randomUUID } from "node:crypto";
import http from "node:http";
import net, { type AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai-server.ts";

process.env.DATABASE_URL = inject("databaseUrl");
process.env.ASSAY_SECRET ??= "integration-test-master-secret";

const { db } = await import("../../lib/db.ts");
const { httpStatusOf } = await import("../../lib/errors.ts");
const connections = await import("../../lib/connections/service.ts");
const { callModel } = await import("../../lib/llm/call-model.ts");
const { fetchModels } = await import("../../lib/llm/list-models.ts");
const { createOutboundFetch } = await import("../../lib/net/outbound-fetch.ts");
const { OutboundPolicy } = await import("../../lib/net/outbound-policy.ts");

const METADATA_REFUSAL =
  "169.254.169.254 is a cloud metadata address (refused by Assay's outbound policy; ASSAY_OUTBOUND_ALLOW can allow it)";
const messages = [{ role: "user" as const, content: "hello there" }];

let fake: FakeOpenAI;
let workspaceId: string;

beforeAll(async () => {
  fake = await startFakeOpenAI();
  workspaceId = (await db.workspace.create({ data: { name: "Outbound", slug: `outbound-${randomUUID().slice(0, 8)}` } })).id;
});
afterAll(async () => {
  await fake.close();
});
afterEach(() => {
  fake.requests.length = 0;
  vi.restoreAllMocks();
});

/** A plain server that records what reached it and answers with `handler`. */
async function startServer(
  handler: (request: http.IncomingMessage, response: http.ServerResponse) => void,
  host = "127.0.0.1",
  port = 0,
) {
  const hits: string[] = [];
  const server = http.createServer((request, response) => {
    hits.push(`${request.method} ${request.url} host=${request.headers.host}`);
    handler(request, response);
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const actualPort = (server.address() as AddressInfo).port;
  return {
    hits,
    port: actualPort,
    origin: `http://${host}:${actualPort}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe("outbound policy at save time and test time", () => {
  it("testConnectionSettings with a cloud metadata base URL is a 400 naming baseUrl and the rule, with no connection attempted", async () => {
    const connect = vi.spyOn(net.Socket.prototype, "connect");
    const error = await connections
      .testConnectionSettings(workspaceId, { baseUrl: "http://169.254.169.254/v1", timeoutMs: 5_000 })
      .catch((caught: unknown) => caught);
    expect(httpStatusOf(error)).toBe(400);
    expect(error).toMatchObject({
      code: "bad_request",
      subject: "outbound",
      message: `baseUrl: ${METADATA_REFUSAL}`,
      details: [{ path: "baseUrl", message: METADATA_REFUSAL }],
    });
    expect(connect).not.toHaveBeenCalled();
  });

  it("refuses to save a connection whose base URL is refused, and writes nothing", async () => {
    const name = `Metadata ${randomUUID().slice(0, 6)}`;
    const create = await connections
      .createConnection(workspaceId, { name, baseUrl: "http://[::ffff:169.254.169.254]/v1" })
      .catch((caught: unknown) => caught);
    expect(httpStatusOf(create)).toBe(400);
    expect((create as Error).message).toBe(
      "baseUrl: ::ffff:a9fe:a9fe (169.254.169.254) is a cloud metadata address (refused by Assay's outbound policy; ASSAY_OUTBOUND_ALLOW can allow it)",
    );
    expect(await db.connection.count({ where: { workspaceId, name } })).toBe(0);

    const saved = await connections.createConnection(workspaceId, { name, baseUrl: fake.url });
    const update = await connections
      .updateConnection(workspaceId, saved.id, { baseUrl: "http://metadata.google.internal/v1" })
      .catch((caught: unknown) => caught);
    expect(httpStatusOf(update)).toBe(400);
    expect((update as Error).message).toBe(
      "baseUrl: metadata.google.internal is a cloud metadata host name (refused by Assay's outbound policy; ASSAY_OUTBOUND_ALLOW can allow it)",
    );
    expect((await connections.getConnection(workspaceId, saved.id)).baseUrl).toBe(fake.url);
  });

  it("a model call to a refused address is a bad request in the policy's words, before any connection", async () => {
    const connect = vi.spyOn(net.Socket.prototype, "connect");
    const result = await callModel({ baseURL: "http://0xA9FEA9FE/v1", apiKey: null, model: "gpt-4o-mini", timeoutMs: 5_000 }, messages, {});
    expect(result.error).toEqual({ kind: "bad_request", code: "outbound_policy", message: METADATA_REFUSAL });
    expect(result.finishReason).toBe("error");
    expect(connect).not.toHaveBeenCalled();
    // The spy does see the connections the policy lets through.
    const allowed = await callModel({ baseURL: fake.url, apiKey: null, model: "fake-echo", timeoutMs: 5_000 }, messages, {});
    expect(allowed.error).toBeNull();
    expect(connect).toHaveBeenCalled();
  });
});

describe("the policy's fetch connects to the address it checked", () => {
  it("resolves a name once and connects to that checked address, keeping the Host header (DNS rebinding)", async () => {
    // A second server on the same port of another loopback address: where a second resolution would send the request.
    const first = await startServer((_request, response) => response.end("first"));
    const second = await startServer((_request, response) => response.end("second"), "127.0.0.2", first.port);
    const answered: string[] = [];
    // Answers the allowed address once, then another address to any later question.
    const lookup = async () => {
      const address = answered.length === 0 ? "127.0.0.1" : "127.0.0.2";
      answered.push(address);
      return [{ address, family: 4 }];
    };
    try {
      const outbound = createOutboundFetch({ policy: new OutboundPolicy(), lookup });
      const response = await outbound(`http://models.rebind.test:${first.port}/v1/models`);
      expect(await response.text()).toBe("first");
      expect(answered).toEqual(["127.0.0.1"]);
      expect(first.hits).toEqual([`GET /v1/models host=models.rebind.test:${first.port}`]);
      expect(second.hits).toEqual([]);
    } finally {
      await first.close();
      await second.close();
    }
  });

  it("refuses a name when any address it resolves to is refused, and sends nothing", async () => {
    const lookup = async () => [
      { address: "127.0.0.1", family: 4 },
      { address: "169.254.169.254", family: 4 },
    ];
    const outbound = createOutboundFetch({ policy: new OutboundPolicy(), lookup });
    const error = await outbound(`http://mixed.rebind.test:${fake.port}/v1/models`).catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      code: "bad_request",
      subject: "outbound",
      message:
        "mixed.rebind.test resolves to 169.254.169.254, a cloud metadata address (refused by Assay's outbound policy; ASSAY_OUTBOUND_ALLOW can allow it)",
    });
    expect(fake.requests).toHaveLength(0);
  });

  it("streams a chat completion (SSE) through a pinned name, with the key and the Host header intact", async () => {
    const keyed = await startFakeOpenAI({ apiKey: "sk-outbound-test-0000" });
    try {
      const outbound = createOutboundFetch({ policy: new OutboundPolicy(), lookup: async () => [{ address: "127.0.0.1", family: 4 }] });
      const deltas: string[] = [];
      const result = await callModel(
        { baseURL: `http://llm.internal.test:${keyed.port}/v1`, apiKey: "sk-outbound-test-0000", model: "fake-echo", timeoutMs: 5_000, fetch: outbound },
        messages,
        {},
        { onDelta: (text) => deltas.push(text) },
      );
      expect(result.error).toBeNull();
      expect(result.output).toBe("Echo: hello there");
      expect(deltas.length).toBeGreaterThan(1);
      expect(keyed.requests[0]?.headers.host).toBe(`llm.internal.test:${keyed.port}`);
    } finally {
      await keyed.close();
    }
  });
});

describe("redirects are not followed", () => {
  it("a 302 from the base URL is reported, and the server it points to is never contacted", async () => {
    const target = await startServer((_request, response) => response.end('{"object":"list","data":[{"id":"leaked"}]}'));
    const redirecting = await startServer((request, response) => {
      response.writeHead(302, { location: `${target.origin}${request.url}` });
      response.end();
    });
    try {
      const models = await fetchModels({ baseURL: `${redirecting.origin}/v1`, apiKey: null });
      expect(models).toMatchObject({
        ok: false,
        status: 302,
        error: {
          kind: "bad_request",
          status: 302,
          message: `The server answered HTTP 302, a redirect to ${target.origin}/v1/models; Assay does not follow redirects for API calls, so put the final address in the base URL.`,
        },
      });
      const call = await callModel({ baseURL: `${redirecting.origin}/v1`, apiKey: null, model: "fake-echo", timeoutMs: 5_000 }, messages, {});
      expect(call.error).toMatchObject({ kind: "bad_request", status: 302 });
      expect(redirecting.hits).toEqual([
        `GET /v1/models host=127.0.0.1:${redirecting.port}`,
        `POST /v1/chat/completions host=127.0.0.1:${redirecting.port}`,
      ]);
      expect(target.hits).toEqual([]);
    } finally {
      await target.close();
      await redirecting.close();
    }
  });
});

describe("answers that are not an API's are described, not echoed", () => {
  it("lists models from an internal HTML page as 'HTTP 200, text/html, N bytes', never its title or text", async () => {
    const page = "<html><head><title>Intranet admin</title></head><body>secret numbers 4242</body></html>";
    const internal = await startServer((_request, response) => {
      response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      response.end(page);
    });
    const failing = await startServer((_request, response) => {
      response.writeHead(500, { "content-type": "text/plain" });
      response.end("stack trace: at /srv/internal/app.js:12");
    });
    try {
      const listed = await fetchModels({ baseURL: `${internal.origin}/v1`, apiKey: null });
      expect(listed).toMatchObject({
        ok: false,
        error: { kind: "invalid_response", message: "The server answered, but not like an OpenAI-compatible API (got HTTP 200, text/html, 87 bytes)." },
      });
      const broken = await fetchModels({ baseURL: `${failing.origin}/v1`, apiKey: null });
      expect(broken).toMatchObject({
        ok: false,
        error: { kind: "server", status: 500, message: "The server answered with no OpenAI-style error (HTTP 500, text/plain, 39 bytes)." },
      });
    } finally {
      await internal.close();
      await failing.close();
    }
  });
});
