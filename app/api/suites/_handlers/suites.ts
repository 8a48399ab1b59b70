import { z } from "zod";
import { validateAssertions } from "@/lib/assertions/validate";
import { AppError } from "@/lib/errors";
import { readJsonValue } from "@/lib/http/read-body";
import type { RouteContext } from "@/lib/http/with-workspace";
import { createSuite, deleteSuite, getSuite, listSuites, updateSuite, type SuiteSummary } from "@/lib/suites/suites";

// Suite handlers, separate from route.ts so integration tests call them with a member and a Request directly
// (route files may only export HTTP methods).

export type SuiteParams = { id: string };

/** Validates assertions before the domain sees them, so each problem carries its path (assertions[2].value). */
export function checkAssertions(list: unknown, basePath = "assertions"): void {
  if (list === undefined) return;
  const issues = validateAssertions(list, basePath);
  const first = issues[0];
  if (first) {
    throw new AppError("bad_request", "assertions", `${first.path}: ${first.message}`, issues);
  }
}

/** A JSON body, or a 400 naming what is wrong with it. */
export async function jsonBody(request: Request): Promise<Record<string, unknown>> {
  const body = await readJsonValue(request);
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new AppError("bad_request", "input", "The request body must be a JSON object.");
  }
  return body as Record<string, unknown>;
}

export async function listSuitesHandler({ member }: RouteContext<Record<string, string>>): Promise<SuiteSummary[]> {
  return listSuites(member.workspace.id);
}

export async function createSuiteHandler({ request, member }: RouteContext<Record<string, string>>): Promise<Response> {
  const body = await jsonBody(request);
  checkAssertions(body.assertions);
  const suite = await createSuite(member.workspace.id, body as Parameters<typeof createSuite>[1]);
  return Response.json(suite, { status: 201 });
}

export async function getSuiteHandler({ member, params }: RouteContext<SuiteParams>): Promise<SuiteSummary> {
  return getSuite(member.workspace.id, params.id);
}

export async function updateSuiteHandler({ request, member, params }: RouteContext<SuiteParams>): Promise<SuiteSummary> {
  const body = await jsonBody(request);
  checkAssertions(body.assertions);
  return updateSuite(member.workspace.id, params.id, body as Parameters<typeof updateSuite>[2]);
}

export async function deleteSuiteHandler({ member, params }: RouteContext<SuiteParams>): Promise<void> {
  await deleteSuite(member.workspace.id, params.id);
}

/** Query values: absent, or a non-negative integer. */
export const pageQuery = z.object({
  offset: z.coerce.number().int("offset must be a whole number").min(0, "offset cannot be negative").default(0),
  limit: z.coerce.number().int("limit must be a whole number").min(1, "limit is at least 1").max(1000, "limit is at most 1,000").default(100),
});

export function queryObject(request: Request): Record<string, string> {
  return Object.fromEntries(new URL(request.url).searchParams);
}
