import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { SseWriter } from "../../../lib/local-models/sse.ts";

let server: Server | undefined;

afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

/** The body a client reads from a server whose handler writes through an SseWriter. */
async function streamFrom(write: (sse: SseWriter) => void, log: (...parts: unknown[]) => void): Promise<string> {
  server = createServer((_request, response) => write(new SseWriter(response, log)));
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const response = await fetch(`http://127.0.0.1:${port}/`);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
  return response.text();
}

describe("SseWriter", () => {
  it("a failure mid-stream reaches the client as an error event, then [DONE], and is logged", async () => {
    const logged: unknown[][] = [];
    const failure = new Error("the sequence was disposed");
    const body = await streamFrom(
      (sse) => {
        sse.send({ choices: [{ index: 0, text: "Hello" }] });
        sse.fail(failure, "assay-random-1m");
      },
      (...parts) => logged.push(parts),
    );
    expect(body).toBe(
      'data: {"choices":[{"index":0,"text":"Hello"}]}\n\n' +
        'data: {"error":{"message":"the sequence was disposed","type":"server_error","param":null,"code":"generation_failed"}}\n\n' +
        "data: [DONE]\n\n",
    );
    expect(logged).toEqual([["[serve-model] assay-random-1m: failed mid-stream:", failure]]);
  });

  it("a stream that ends normally logs nothing", async () => {
    const logged: unknown[][] = [];
    const body = await streamFrom(
      (sse) => {
        sse.send({ n: 1 });
        sse.end();
      },
      (...parts) => logged.push(parts),
    );
    expect(body).toBe('data: {"n":1}\n\ndata: [DONE]\n\n');
    expect(logged).toEqual([]);
  });
});
