import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/prisma/client.ts";
import { databaseUrl } from "./env.ts";

// One Prisma client per process, cached on globalThis so Next's dev reloads don't open a pool each time.
const globalForDb = globalThis as unknown as { assayDb?: PrismaClient; assayDbUrl?: string };

export function createDb(url: string): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: 20 }) });
}

export function getDb(): PrismaClient {
  const url = databaseUrl();
  if (!globalForDb.assayDb || globalForDb.assayDbUrl !== url) {
    globalForDb.assayDb = createDb(url);
    globalForDb.assayDbUrl = url;
  }
  return globalForDb.assayDb;
}

/** The process-wide client; resolves DATABASE_URL on first use (the CLI sets it after starting PostgreSQL). */
export const db: PrismaClient = new Proxy({} as PrismaClient, {
  get(_target, property) {
    const client = getDb();
    const value = Reflect.get(client, property, client);
    return typeof value === "function" ? value.bind(client) : value;
  },
});

export type { PrismaClient };
export { Prisma } from "./generated/prisma/client.ts";
