// The release monitor's own thread (lib/releases/monitor-thread.ts starts it): TypeScript through tsx, as bin/assay.js
// loads the CLI, then the same loop `assay worker` runs, until the parent says "stop".
import { parentPort } from "node:worker_threads";
import { register } from "tsx/esm/api";

register();
const { startReleaseMonitor } = await import("./monitor.ts");
const { db } = await import("../db.ts");
const monitor = startReleaseMonitor();
parentPort?.on("message", (message) => {
  if (message !== "stop") return;
  void monitor
    .stop()
    .then(() => db.$disconnect())
    .finally(() => parentPort?.postMessage("stopped"));
});
parentPort?.postMessage("started");
