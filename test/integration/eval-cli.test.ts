import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai-server.ts";
import { runAssay, type CliOutcome } from "../support/cli.ts";

// `assay eval` as CI runs it: a real process, a suite file, a fake OpenAI-compatible server.

process.env.DATABASE_URL = inject("databaseUrl");
process.env.ASSAY_SECRET ??= "test-secret-for-runs-0123456789";

const { db } = await import("../../lib/db.ts");
let fake: FakeOpenAI;
let dir: string;
let workspaceSlug: string;
let workspaceId: string;

function assay(args: string[]): Promise<CliOutcome> {
  return runAssay(args, { ...process.env, FAKE_KEY: "sk-fake-0123456789", ASSAY_PUBLIC_URL: "http://assay.test" });
}

function suiteYaml(overrides: { name: string; body?: string; cases?: string }): string {
  return `name: ${overrides.name}
prompts:
  - label: terse
    messages:
      - role: user
        content: "Say {{ text }}"
targets:
  - baseURL: ${fake.url}
    apiKeyEnv: FAKE_KEY
    model: fake-echo
${overrides.body ?? `assertions:
  - type: starts-with
    value: "Echo: Say"
`}cases: ${overrides.cases ?? `
  - key: one
    variables: { text: one }
  - key: two
    variables: { text: two }
    assertions:
      - type: contains
        value: two
`}`;
}

async function counts() {
  return { runs: await db.run.count({ where: { workspaceId } }), suites: await db.suite.count({ where: { workspaceId } }) };
}

beforeAll(async () => {
  fake = await startFakeOpenAI({ latencyMs: 2 });
  dir = await mkdtemp(path.join(os.tmpdir(), "assay-eval-"));
  workspaceSlug = `eval-${process.pid}-${Date.now()}`;
  workspaceId = (await db.workspace.create({ data: { name: "Eval", slug: workspaceSlug } })).id;
});

afterAll(async () => {
  await db.workspace.deleteMany({ where: { id: workspaceId } });
  await fake?.close();
  await db.$disconnect();
});

describe("assay eval", () => {
  it("runs a suite file with CSV cases, prints the run and a summary, writes JUnit, and exits 0", async () => {
    await writeFile(path.join(dir, "cases.csv"), "key,text,tags\nalpha,alpha,a\nbeta,beta,b\ngamma,gamma,a|b\n");
    await writeFile(path.join(dir, "ok.yaml"), suiteYaml({ name: "csv-suite", cases: "cases.csv\n" }));
    const result = await assay(["eval", path.join(dir, "ok.yaml"), "--workspace", workspaceSlug, "--repeat", "2", "--output", path.join(dir, "out.xml")]);
    expect(result.stderr).not.toMatch(/Error|warning/);
    expect(result.code).toBe(0);
    const runId = /^Run (\S+)/m.exec(result.stdout)?.[1] ?? "";
    expect(result.stdout).toContain(`http://assay.test/runs/${runId}`);
    expect(result.stdout).toMatch(/terse\s+100\.0%\s+6\/6\s+0/);
    expect(result.stdout).toContain("PASS");
    const run = await db.run.findUniqueOrThrow({ where: { id: runId }, include: { suite: { include: { cases: true } } } });
    expect(run).toMatchObject({ status: "completed", totalCells: 6 });
    expect(run.suite?.name).toBe("csv-suite");
    expect(run.suite?.cases.map((item) => item.key).sort()).toEqual(["alpha", "beta", "gamma"]);
    const xml = await readFile(path.join(dir, "out.xml"), "utf8");
    expect(xml).toContain('<testsuite name="terse" tests="6" failures="0" errors="0"');
    expect(xml.match(/<testcase /g)).toHaveLength(6);
  });

  it("exits 1 when a variant is below the threshold, and --fail-under moves the threshold", async () => {
    const cases = `
  - key: one
    variables: { text: one }
  - key: two
    variables: { text: two }
    assertions:
      - type: contains
        value: three
`;
    await writeFile(path.join(dir, "half.yaml"), suiteYaml({ name: "half", cases }));
    const failing = await assay(["eval", path.join(dir, "half.yaml"), "--workspace", workspaceSlug, "--output", path.join(dir, "half.jsonl")]);
    expect(failing.code).toBe(1);
    expect(failing.stdout).toMatch(/FAIL: terse below the threshold \(every case passes\)/);
    const lines = (await readFile(path.join(dir, "half.jsonl"), "utf8")).trim().split("\n").map((line) => JSON.parse(line));
    expect(lines.find((line) => line.caseKey === "two")).toMatchObject({ pass: false, reason: expect.stringContaining("three") });
    const passing = await assay(["eval", path.join(dir, "half.yaml"), "--workspace", workspaceSlug, "--fail-under", "50%"]);
    expect(passing.code).toBe(0);
    // the second run of the same file reuses the stored suite and its cases
    expect(await db.suite.count({ where: { workspaceId, name: "half" } })).toBe(1);
    expect(await db.case.count({ where: { suite: { workspaceId, name: "half" } } })).toBe(2);
  });

  const bad: [string, () => Promise<void>, RegExp][] = [
    ["malformed YAML", () => writeFile(path.join(dir, "bad.yaml"), "name: x\nprompts: [\n  - oops\ntargets: {"), /bad\.yaml:\d+:\d+: invalid YAML/],
    [
      "an unknown assertion type",
      () => writeFile(path.join(dir, "bad.yaml"), suiteYaml({ name: "bad", body: "assertions:\n  - type: containz\n    value: x\n" })),
      /bad\.yaml:12:\d+: assertions\[0\]\.type: unknown assertion type "containz" \(did you mean "contains"\?\)/,
    ],
    [
      "an invalid JSON Schema",
      () =>
        writeFile(
          path.join(dir, "bad.yaml"),
          suiteYaml({ name: "bad", body: "assertions:\n  - type: json-schema\n    value: { type: objekt }\n" }),
        ),
      /bad\.yaml:\d+:\d+: assertions\[0\]\.value: invalid JSON Schema/,
    ],
    [
      "a missing variable",
      () => writeFile(path.join(dir, "bad.yaml"), suiteYaml({ name: "bad", cases: "\n  - key: lonely\n    variables: { other: 1 }\n" })),
      /bad\.yaml:\d+: case "lonely" has no variable "text", which prompts\[0\] uses/,
    ],
    [
      "an unreadable CSV row",
      async () => {
        await writeFile(path.join(dir, "broken.csv"), 'key,text\nok,fine\nbad,"unterminated\n');
        await writeFile(path.join(dir, "bad.yaml"), suiteYaml({ name: "bad", cases: "broken.csv\n" }));
      },
      /broken\.csv: Row 3: /,
    ],
    [
      "an inline target at a cloud metadata address (outbound policy)",
      () => writeFile(path.join(dir, "bad.yaml"), suiteYaml({ name: "bad" }).replace(fake.url, "http://169.254.169.254/v1")),
      /bad\.yaml:8(:\d+)?: targets\[0\]\.baseURL: 169\.254\.169\.254 is a cloud metadata address \(refused by Assay's outbound policy; ASSAY_OUTBOUND_ALLOW can allow it\)/,
    ],
  ];

  it.each(bad)("%s is a clear error naming where, exit 2, and nothing stored", async (_name, write, message) => {
    await write();
    const before = await counts();
    const result = await assay(["eval", path.join(dir, "bad.yaml"), "--workspace", workspaceSlug]);
    expect(result.stderr).toMatch(message);
    expect(result.code).toBe(2);
    expect(await counts()).toEqual(before);
  });
});
