import { db, Prisma } from "../db.ts";
import { AppError } from "../errors.ts";
import { describeEvent, referencedIds, type EventRow, type ResolvedNames } from "./describe.ts";
import { activityQuery, type ActivityQueryInput } from "./schema.ts";
import { KIND_GROUPS, type ActivityFilterOptions, type ActivityPage, type KindGroup } from "./types.ts";

// The workspace activity feed: newest first, keyset-paginated on (createdAt, id) so a page never repeats or skips a
// line when new events arrive while someone reads. Names are resolved for a whole page in a handful of queries (users,
// runs and reviews, then prompts and versions), never one per line.

interface Cursor {
  createdAt: Date;
  id: string;
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(`${cursor.createdAt.toISOString()}|${cursor.id}`, "utf8").toString("base64url");
}

export function decodeCursor(value: string): Cursor {
  const invalid = new AppError("bad_request", "input", "cursor: not a cursor this feed gave out; start again without it", [
    { path: "cursor", message: "invalid cursor" },
  ]);
  const decoded = Buffer.from(value, "base64url").toString("utf8");
  const separator = decoded.indexOf("|");
  if (separator < 0) throw invalid;
  const createdAt = new Date(decoded.slice(0, separator));
  const id = decoded.slice(separator + 1);
  if (Number.isNaN(createdAt.getTime()) || id === "") throw invalid;
  return { createdAt, id };
}

function kindsOf(words: readonly string[]): string[] {
  return [...new Set(words.flatMap((word) => (word in KIND_GROUPS ? [...KIND_GROUPS[word as KindGroup]] : [word])))];
}

function whereOf(workspaceId: string, query: { actor?: string | undefined; prompt?: string | undefined; kind?: string[] | undefined }, cursor: Cursor | null) {
  const and: Prisma.ActivityEventWhereInput[] = [];
  if (query.prompt) {
    // A run or comparison across several prompts is filed under none of them; data.promptIds lists them all.
    and.push({ OR: [{ promptId: query.prompt }, { data: { path: ["promptIds"], array_contains: [query.prompt] } }] });
  }
  if (cursor) and.push({ OR: [{ createdAt: { lt: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { lt: cursor.id } }] });
  return {
    workspaceId,
    ...(query.actor ? { actorId: query.actor } : {}),
    ...(query.kind && query.kind.length > 0 ? { kind: { in: kindsOf(query.kind) } } : {}),
    ...(and.length > 0 ? { AND: and } : {}),
  } satisfies Prisma.ActivityEventWhereInput;
}

/** Looks up every name a page of events refers to, in five queries whatever the page size. */
export async function resolveNames(workspaceId: string, events: readonly EventRow[]): Promise<ResolvedNames> {
  const ids = { users: new Set<string>(), versions: new Set<string>(), runs: new Set<string>(), reviews: new Set<string>(), prompts: new Set<string>() };
  for (const event of events) {
    const refs = referencedIds(event);
    for (const key of Object.keys(ids) as (keyof typeof ids)[]) for (const value of refs[key]) ids[key].add(value);
  }
  const [users, runs, reviews] = await Promise.all([
    ids.users.size ? db.user.findMany({ where: { id: { in: [...ids.users] } }, select: { id: true, name: true, email: true } }) : [],
    ids.runs.size ? db.run.findMany({ where: { workspaceId, id: { in: [...ids.runs] } }, select: { id: true, name: true } }) : [],
    ids.reviews.size
      ? db.review.findMany({ where: { workspaceId, id: { in: [...ids.reviews] } }, select: { id: true, title: true, versionId: true, promptId: true } })
      : [],
  ]);
  for (const review of reviews) {
    ids.versions.add(review.versionId);
    ids.prompts.add(review.promptId);
  }
  const [prompts, versions] = await Promise.all([
    ids.prompts.size ? db.prompt.findMany({ where: { workspaceId, id: { in: [...ids.prompts] } }, select: { id: true, name: true } }) : [],
    ids.versions.size
      ? db.promptVersion.findMany({ where: { id: { in: [...ids.versions] }, prompt: { workspaceId } }, select: { id: true, number: true, promptId: true } })
      : [],
  ]);
  return {
    users: new Map(users.map((user) => [user.id, { name: user.name || user.email }])),
    runs: new Map(runs.map((run) => [run.id, { name: run.name }])),
    reviews: new Map(reviews.map((review) => [review.id, review])),
    prompts: new Map(prompts.map((prompt) => [prompt.id, { name: prompt.name }])),
    versions: new Map(versions.map((version) => [version.id, { number: version.number, promptId: version.promptId }])),
  };
}

/** One page of the feed, newest first, with the cursor of the next (older) page. */
export async function listActivity(workspaceId: string, input: ActivityQueryInput = {}): Promise<ActivityPage> {
  const query = activityQuery.parse(input);
  const cursor = query.cursor ? decodeCursor(query.cursor) : null;
  const rows = await db.activityEvent.findMany({
    where: whereOf(workspaceId, query, cursor),
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: query.limit + 1,
    select: { id: true, kind: true, actorId: true, promptId: true, data: true, createdAt: true },
  });
  const page = rows.slice(0, query.limit);
  const names = await resolveNames(workspaceId, page);
  const last = page.at(-1);
  return {
    items: page.map((row) => describeEvent(row, names)),
    nextCursor: rows.length > query.limit && last ? encodeCursor(last) : null,
  };
}

/** The choices of the feed's filters: the workspace's members and prompts, by name. */
export async function activityFilterOptions(workspaceId: string): Promise<ActivityFilterOptions> {
  const [memberships, prompts] = await Promise.all([
    db.membership.findMany({ where: { workspaceId }, select: { user: { select: { id: true, name: true, email: true } } } }),
    db.prompt.findMany({ where: { workspaceId }, select: { id: true, name: true }, orderBy: { name: "asc" } }),
  ]);
  const people = memberships.map(({ user }) => ({ id: user.id, name: user.name || user.email })).sort((a, b) => a.name.localeCompare(b.name));
  return { people, prompts };
}
