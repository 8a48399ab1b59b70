import { startEmbeddedPostgres } from "../lib/db/embedded-postgres.ts";
const h = await startEmbeddedPostgres({ dataDir: "/tmp/pgdev/data", port: 55432, log: () => {} });
console.log(h.url);
setInterval(() => {}, 1 << 30);
process.on("SIGTERM", async () => { await h.stop(); process.exit(0); });
