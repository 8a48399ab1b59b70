// `assay <command>`: each command lives in cli/commands/<name>.ts and exports `run(argv): Promise<number>`.
// Exit codes: 0 ok, 1 the command ran and found a failure, 2 invalid input.

const COMMANDS: Record<string, { summary: string; load: () => Promise<{ run(argv: string[]): Promise<number> }> }> = {
  start: { summary: "start PostgreSQL, the web app, a worker and the local model server", load: () => import("./commands/start.ts") },
  worker: { summary: "start a run worker against DATABASE_URL", load: () => import("./commands/worker.ts") },
  "serve-web": { summary: "serve the built web app and the gateway on one port (what start runs)", load: () => import("./commands/serve-web.ts") },
  "serve-model": { summary: "serve local GGUF models over the OpenAI API", load: () => import("./commands/serve-model.ts") },
  eval: { summary: "run a suite file (CI)", load: () => import("./commands/eval.ts") },
  import: { summary: "write the Assay suite file equivalent to a promptfoo config", load: () => import("./commands/import.ts") },
  runs: { summary: "resume or export stored runs", load: () => import("./commands/runs.ts") },
  labels: { summary: "list a prompt's labels, or move one (the release gate applies)", load: () => import("./commands/labels.ts") },
  releases: { summary: "create, start, ramp, roll back and promote releases (canary, A/B, shadow, interleaved)", load: () => import("./commands/releases.ts") },
  distill: { summary: "train a classifier student on a teacher's input/output rows (JSONL)", load: () => import("./commands/distill.ts") },
  "gateway-keys": { summary: "create, list and revoke the workspace's gateway keys", load: () => import("./commands/gateway-keys.ts") },
  quantize: { summary: "quantize a GGUF model with llama.cpp's quantizer and print its trade-off table", load: () => import("./commands/quantize.ts") },
  db: { summary: "database tasks: migrate, migrate-dev, seed", load: () => import("./commands/db.ts") },
  build: { summary: "build the web app now (what start does when no current build exists)", load: () => import("./commands/build.ts") },
  generate: { summary: "generate the Prisma client (runs on npm install)", load: () => import("./commands/generate.ts") },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const lines = Object.entries(COMMANDS).map(([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`);
  return `Usage: assay <command> [options]\n\nCommands:\n${lines.join("\n")}\n`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "help" || name === "--help" || name === "-h") {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`assay: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  const module = await command.load();
  return module.run(rest);
}
