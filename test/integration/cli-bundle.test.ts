import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { bundleProblem } from "../../bin/cli-bundle.js";
import { buildCli } from "../../scripts/build-cli.mjs";
import { startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai-server.ts";
import { runAssay } from "../support/cli.ts";

// The CLI bundle built at npm install: `assay eval` runs from it (no TypeScript compiled at run time) while it is
// fresh, and from the sources once any of them changed.

process.env.DATABASE_URL = inject("databaseUrl");
process.env.ASSAY_SECRET ??= "test-secret-for-runs-0123456789";

const root = path.resolve(import.meta.dirname, "../..");
const { db } = await import("../../lib/db.ts");
let dir: string;
let outdir: string;
let fake: FakeOpenAI;
let workspaceId: string;
const slug = `bundle-${process.pid}-${Date.now()}`;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "assay-cli-bundle-"));
  // Inside the checkout: the bundle's imports of packages resolve from its node_modules.
  outdir = path.join(root, "dist", `cli-test-${process.pid}`);
  fake = await startFakeOpenAI({ latencyMs: 1 });
  workspaceId = (await db.workspace.create({ data: { name: "Bundle", slug } })).id;
});

afterAll(async () => {
  await db.workspace.deleteMany({ where: { id: workspaceId } });
  await fake?.close();
  await db.$disconnect();
  await rm(dir, { recursive: true, force: true });
  await rm(outdir, { recursive: true, force: true });
});

describe("the CLI bundle", () => {
  it("is built from the eval command's sources, Prisma's generated client included, and runs an eval", async () => {
    const built = await buildCli(outdir);
    const manifest = JSON.parse(await readFile(path.join(outdir, "manifest.json"), "utf8")) as { inputs: string[] };
    expect(manifest.inputs).toContain("cli/commands/eval.ts");
    expect(manifest.inputs).toContain("lib/generated/prisma/client.ts");
    expect(manifest.inputs.some((input) => input.startsWith("node_modules/"))).toBe(false);
    expect(built.inputs).toBe(manifest.inputs.length);
    expect(bundleProblem(root, outdir)).toBeNull();
    // Prisma's client finds its own folder through import.meta.url: the bundle points it at the source's place.
    const files = (await readdir(outdir)).filter((file) => file.endsWith(".js"));
    const bundled = (await Promise.all(files.map((file) => readFile(path.join(outdir, file), "utf8")))).join("\n");
    expect(bundled).toContain(`new URL("${path.relative(outdir, root)}/lib/generated/prisma/client.ts", import.meta.url)`);
    expect(bundled).not.toMatch(/import\.meta\.(dirname|filename)/);

    const suite = path.join(dir, "suite.yaml");
    await writeFile(
      suite,
      `name: bundled
prompts:
  - label: terse
    messages:
      - role: user
        content: "Say {{ text }}"
targets:
  - baseURL: ${fake.url}
    apiKeyEnv: FAKE_KEY
    model: fake-echo
assertions:
  - type: starts-with
    value: "Echo: Say"
cases:
  - key: one
    variables: { text: one }
  - key: two
    variables: { text: two }
`,
    );
    const env = { ...process.env, FAKE_KEY: "sk-fake", ASSAY_CLI_DIST: outdir, ASSAY_TIMING: "1" };
    const result = await runAssay(["eval", suite, "--workspace", slug], env);
    expect(result.stderr).toContain("[timing] cli bundled");
    if (result.code !== 0) console.error(result.stderr);
    expect(result.stdout).toMatch(/terse\s+100\.0%\s+2\/2\s+0/);
    expect(result.code).toBe(0);

    // --help and errors come out of the bundle the same way.
    const bad = await runAssay(["eval", path.join(dir, "missing.yaml")], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("missing.yaml: no such file");
  });

  it("is not used once a source it was built from is newer or gone, nor when it was never built", async () => {
    const fakeRoot = path.join(dir, "root");
    const bundle = path.join(fakeRoot, "dist");
    await mkdir(path.join(fakeRoot, "lib"), { recursive: true });
    await mkdir(bundle, { recursive: true });
    expect(bundleProblem(fakeRoot, bundle)).toBe("not built");
    await writeFile(path.join(fakeRoot, "lib", "a.ts"), "export const a = 1;\n");
    await writeFile(path.join(fakeRoot, "lib", "b.ts"), "export const b = 1;\n");
    const builtAt = Date.now();
    const before = new Date(builtAt - 60_000);
    await utimes(path.join(fakeRoot, "lib", "a.ts"), before, before);
    await utimes(path.join(fakeRoot, "lib", "b.ts"), before, before);
    await writeFile(path.join(bundle, "manifest.json"), JSON.stringify({ builtAt, inputs: ["lib/a.ts", "lib/b.ts"] }));
    expect(bundleProblem(fakeRoot, bundle)).toBeNull();
    const after = new Date(builtAt + 1_000);
    await utimes(path.join(fakeRoot, "lib", "b.ts"), after, after);
    expect(bundleProblem(fakeRoot, bundle)).toBe("lib/b.ts changed");
    await rm(path.join(fakeRoot, "lib", "b.ts"));
    await utimes(path.join(fakeRoot, "lib", "a.ts"), before, before);
    expect(bundleProblem(fakeRoot, bundle)).toBe("lib/b.ts is gone");
    await writeFile(path.join(bundle, "manifest.json"), "{");
    expect(bundleProblem(fakeRoot, bundle)).toMatch(/^unreadable manifest/);
  });

  it("falls back to the sources through tsx when the bundle is stale", async () => {
    const stale = path.join(dir, "stale");
    await mkdir(stale, { recursive: true });
    await writeFile(path.join(stale, "manifest.json"), JSON.stringify({ builtAt: 0, inputs: ["cli/commands/eval.ts"] }));
    const result = await runAssay(["eval", "--help"], { ...process.env, ASSAY_CLI_DIST: stale, ASSAY_TIMING: "1" });
    expect(result.stderr).toContain("[timing] cli from sources (bundle cli/commands/eval.ts changed)");
    expect(result.stdout).toContain("Usage: assay eval <suite.yaml>");
    expect(result.code).toBe(0);
  });
});
