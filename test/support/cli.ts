import { spawn } from "node:child_process";
import path from "node:path";

// Runs the real `assay` command (bin/assay.js) as a child process from the checkout, as a user or a CI job would.

const root = path.resolve(import.meta.dirname, "../..");

export interface CliOutcome {
  code: number;
  stdout: string;
  stderr: string;
}

export function runAssay(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<CliOutcome> {
  return new Promise((resolve) => {
    // cwd is the checkout: lib/db/migrate.ts finds prisma/migrations relative to it.
    const child = spawn(process.execPath, [path.join(root, "bin/assay.js"), ...args], { cwd: root, env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (data: Buffer) => (stdout += data.toString()));
    child.stderr.on("data", (data: Buffer) => (stderr += data.toString()));
    child.on("exit", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
