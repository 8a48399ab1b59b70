import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

// The Dockerfile and compose.yaml are checked by scripts/container-smoke.sh (it builds and runs the image); these
// checks keep the promises the README makes about them from drifting without a container runtime.

const root = path.resolve(import.meta.dirname, "../../..");
const dockerfile = readFileSync(path.join(root, "Dockerfile"), "utf8");
const compose = parse(readFileSync(path.join(root, "compose.yaml"), "utf8"), { merge: true }) as {
  services: Record<string, { command?: string[]; environment?: Record<string, string>; deploy?: { replicas?: string | number }; volumes?: string[]; image?: string }>;
  volumes: Record<string, unknown>;
};
const envSource = readFileSync(path.join(root, "lib/env.ts"), "utf8");

/** FROM lines and the instructions of the last stage. */
function stages(text: string): { from: string; lines: string[] }[] {
  const result: { from: string; lines: string[] }[] = [];
  for (const line of text.replace(/\\\n/g, " ").split("\n")) {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith("#")) continue;
    if (/^FROM\s/i.test(trimmed)) result.push({ from: trimmed, lines: [] });
    else result.at(-1)?.lines.push(trimmed);
  }
  return result;
}

describe("Dockerfile", () => {
  const all = stages(dockerfile);
  const final = all.at(-1)!;

  it("builds on ARG BASE, node:20-bookworm-slim by default, in several stages", () => {
    expect(dockerfile).toMatch(/^ARG BASE=node:20-bookworm-slim$/m);
    expect(all.length).toBe(3);
    expect(all.every((stage) => stage.from.startsWith("FROM ${BASE}"))).toBe(true);
  });

  it("runs as a non-root user, with production dependencies only and a healthcheck on /api/health", () => {
    const user = final.lines.find((line) => line.startsWith("USER "));
    expect(user).toBe("USER assay");
    expect(final.lines).toContain("COPY --from=prod-deps /app/node_modules ./node_modules");
    const prodDeps = all.find((stage) => stage.from.endsWith("AS prod-deps"))!;
    expect(prodDeps.lines.some((line) => line.includes("npm install --omit=dev"))).toBe(true);
    // the build stage's full node_modules is removed before the final stage copies its folder
    const build = all.find((stage) => stage.from.endsWith("AS build"))!;
    expect(build.lines.some((line) => line.includes("rm -rf .next/cache node_modules"))).toBe(true);
    expect(final.lines.some((line) => line.startsWith("HEALTHCHECK") && line.includes("/api/health"))).toBe(true);
  });

  it("builds the app with the stamp assay start checks, after generating the Prisma client", () => {
    const build = all.find((stage) => stage.from.endsWith("AS build"))!;
    const run = build.lines.find((line) => line.includes("bin/assay.js build"))!;
    expect(run.indexOf("bin/assay.js generate")).toBeGreaterThan(-1);
    expect(run.indexOf("bin/assay.js generate")).toBeLessThan(run.indexOf("bin/assay.js build"));
    expect(existsSync(path.join(root, "cli/commands/build.ts"))).toBe(true);
  });

  it("keeps node_modules, builds and local state out of the build context", () => {
    const ignored = readFileSync(path.join(root, ".dockerignore"), "utf8").split("\n");
    for (const entry of ["node_modules", ".next", ".assay", ".git", ".env"]) expect(ignored).toContain(entry);
  });
});

describe("compose.yaml", () => {
  it("has PostgreSQL, the web app, several workers and the model server with a models volume", () => {
    expect(Object.keys(compose.services).sort()).toEqual(["models", "postgres", "web", "worker"]);
    expect(compose.services.worker?.command).toEqual(["worker"]);
    expect(String(compose.services.worker?.deploy?.replicas)).toBe("${WORKER_REPLICAS:-3}");
    expect(compose.services.models?.command?.[0]).toBe("serve-model");
    expect(compose.services.models?.volumes).toContain("models:/data/models");
    expect(compose.services.web?.volumes).toContain("models:/data/models");
    expect(Object.keys(compose.volumes)).toEqual(expect.arrayContaining(["pgdata", "models"]));
  });

  it("starts only assay commands that exist, with settings lib/env.ts knows", () => {
    for (const [name, service] of Object.entries(compose.services)) {
      if (name === "postgres") continue;
      const command = service.command?.[0];
      expect(command, name).toBeDefined();
      expect(existsSync(path.join(root, `cli/commands/${command}.ts`)), `${name}: assay ${command}`).toBe(true);
      for (const key of Object.keys(service.environment ?? {})) {
        if (key === "DATABASE_URL" || key.startsWith("ASSAY_")) expect(envSource, `${name}: ${key}`).toMatch(new RegExp(`^\\s+${key}: z`, "m"));
      }
    }
  });

  it("points every Assay service at the postgres service and the model server by name", () => {
    for (const name of ["web", "worker", "models"]) {
      const environment = compose.services[name]?.environment ?? {};
      expect(environment.DATABASE_URL, name).toMatch(/@postgres:5432\/assay$/);
      expect(environment.ASSAY_MODEL_URL, name).toBe("http://models:8088/v1");
      expect(environment.ASSAY_SECRET, name).toMatch(/^\$\{ASSAY_SECRET:\?/);
    }
    expect(compose.services.web?.environment?.ASSAY_WORKER).toBe("off");
  });
});
