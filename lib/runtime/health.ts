import { db } from "../db.ts";

export interface Health {
  status: "ok" | "degraded";
  database: "ok" | "unreachable";
  version: string;
  uptimeSeconds: number;
}

export async function checkHealth(): Promise<Health> {
  let database: Health["database"] = "ok";
  try {
    await db.$queryRaw`SELECT 1`;
  } catch {
    // The health answer is the report: "unreachable" is what a probe needs; the cause is in PostgreSQL's own log.
    database = "unreachable";
  }
  return {
    status: database === "ok" ? "ok" : "degraded",
    database,
    version: process.env.npm_package_version ?? "0.1.0",
    uptimeSeconds: Math.round(process.uptime()),
  };
}
