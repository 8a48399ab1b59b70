import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai-server.ts";
import { runAssay, type CliOutcome } from "../support/cli.ts";

// `npx assay eval promptfooconfig.yaml`: a promptfoo config runs unchanged against an OpenAI-compatible server (the
// fake one answers "Echo: <the last user message>"), what Assay cannot run is listed, and --strict refuses it.

process.env.DATABASE_URL = inject("databaseUrl");
process.env.ASSAY_SECRET ??= "test-secret-for-runs-0123456789";

const { db } = await import("../../lib/db.ts");
let fake: FakeOpenAI;
let dir: string;
let workspaceSlug: string;
let workspaceId: string;

const assay = (args: string[]): Promise<CliOutcome> => runAssay(args, { ...process.env, ASSAY_PUBLIC_URL: "http://assay.test", OPENAI_API_KEY: "" });

beforeAll(async () => {
  fake = await startFakeOpenAI({ latencyMs: 1, apiKey: "sk-from-config" });
  dir = await mkdtemp(path.join(os.tmpdir(), "assay-promptfoo-"));
  workspaceSlug = `promptfoo-${process.pid}-${Date.now()}`;
  workspaceId = (await db.workspace.create({ data: { name: "Promptfoo", slug: workspaceSlug } })).id;
  await writeFile(path.join(dir, "prompt.txt"), "Greet {{name}} in {{language}}\n");
  await writeFile(path.join(dir, "tests.csv"), "name,language,__expected,__metric\nAda,French,contains: Greet Ada,greeting\nAlan,German,icontains: GREET ALAN,greeting\nGrace,Spanish,Echo: Greet Grace in Italian,greeting\n");
  await writeFile(
    path.join(dir, "promptfooconfig.yaml"),
    `description: Greetings
prompts:
  - file://prompt.txt
providers:
  - id: openai:chat:fake-echo
    config:
      apiBaseUrl: ${fake.url}
      apiKey: sk-from-config
      temperature: 0
tests:
  - file://tests.csv
  - description: javascript is listed, not run
    vars: { name: Edsger, language: Dutch }
    assert:
      - type: javascript
        value: output.length > 3
      - type: starts-with
        value: "Echo: Greet Edsger"
        metric: prefix
`,
  );
});

afterAll(async () => {
  await db.workspace.deleteMany({ where: { id: workspaceId } });
  await fake?.close();
  await db.$disconnect();
});

describe("assay eval on a promptfoo config", () => {
  it("runs it: 3 of 4 tests pass (the CSV's third expects another language), the javascript assertion is listed as left out", async () => {
    const result = await assay(["eval", path.join(dir, "promptfooconfig.yaml"), "--workspace", workspaceSlug]);
    expect(result.stderr).toContain("a promptfoo config; 1 part is left out, 0 noted:");
    expect(result.stderr).toMatch(/promptfooconfig\.yaml:15: tests\[1\]\.assert\[0\]: javascript: skipped/);
    expect(result.stderr).not.toContain("sk-from-config");
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/75\.0%\s+3\/4/);
    // named metrics, as promptfoo's: the CSV's __metric and the assertion's metric
    expect(result.stdout).toMatch(/metric \(mean score, passed\)\s+greeting\s+prefix\n.*\nprompt\.txt\s+66\.7% \(2\/3\)\s+100\.0% \(1\/1\)/);
    const run = await db.run.findFirstOrThrow({ where: { workspaceId }, include: { suite: true, results: { include: { case: true } } } });
    expect(run.suite?.name).toBe("Greetings");
    expect(JSON.stringify(run.config)).not.toContain("sk-from-config");
    const failed = run.results.filter((result) => !result.pass).map((result) => result.case.key);
    expect(failed).toEqual(["test 3"]);
    // the fake server got the rendered prompt and the config's temperature, with the config's key
    const request = fake.requests.find((entry) => JSON.stringify(entry.body).includes("Edsger"));
    expect(request?.body).toMatchObject({ model: "fake-echo", temperature: 0, messages: [{ role: "user", content: "Greet Edsger in Dutch" }] });
  });

  it("--strict refuses to run a config with parts left out (exit 2), and stores nothing", async () => {
    const before = await db.run.count({ where: { workspaceId } });
    const result = await assay(["eval", path.join(dir, "promptfooconfig.yaml"), "--workspace", workspaceSlug, "--strict"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--strict: 1 part of the config cannot run as promptfoo would run them (listed above)");
    expect(await db.run.count({ where: { workspaceId } })).toBe(before);
  });

  it("assay import promptfoo writes the equivalent suite file, without the config's key, and it runs to the same result", async () => {
    const out = path.join(dir, "converted.yaml");
    const imported = await assay(["import", "promptfoo", path.join(dir, "promptfooconfig.yaml"), "--out", out]);
    expect(imported.code).toBe(0);
    expect(imported.stderr).toContain("a key is written in the config; the suite file reads it from OPENAI_API_KEY instead");
    const yaml = await readFile(out, "utf8");
    expect(yaml).not.toContain("sk-from-config");
    expect(yaml).toContain("apiKeyEnv: OPENAI_API_KEY");
    expect(yaml).toContain("content: Greet {{name}} in {{language}}");
    const result = await runAssay(["eval", out, "--workspace", workspaceSlug], { ...process.env, OPENAI_API_KEY: "sk-from-config" });
    expect(result.stderr).not.toContain("promptfoo config");
    expect(result.stdout).toMatch(/75\.0%\s+3\/4/);
    expect(result.code).toBe(1);
  });

  it("names an unsupported provider with its line (exit 2)", async () => {
    await writeFile(path.join(dir, "bad.yaml"), `prompts: ["Hi {{name}}"]\nproviders:\n  - anthropic:messages:claude-3-5-haiku-latest\ntests:\n  - vars: { name: Ada }\n`);
    const result = await assay(["eval", path.join(dir, "bad.yaml"), "--workspace", workspaceSlug]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/bad\.yaml:3:\d+: providers\[0\]: provider "anthropic:messages:claude-3-5-haiku-latest" is not supported/);
  });
});
