import { z } from "zod";
import type { RouteContext } from "@/lib/http/with-workspace";
import { deleteCase, listCases, upsertCase, type CasePage, type CaseRecord } from "@/lib/suites/suites";
import { checkAssertions, jsonBody, pageQuery, queryObject, type SuiteParams } from "./suites";

export type CaseParams = SuiteParams & { caseId: string };

const casesQuery = pageQuery.extend({ tag: z.string().trim().min(1).optional() });

export async function listCasesHandler({ request, member, params }: RouteContext<SuiteParams>): Promise<CasePage> {
  const query = casesQuery.parse(queryObject(request));
  return listCases(member.workspace.id, params.id, query);
}

export async function addCaseHandler({ request, member, params }: RouteContext<SuiteParams>): Promise<Response> {
  const body = await jsonBody(request);
  checkAssertions(body.assertions);
  // An id in the body would turn an add into an edit of some other case: edits go through the case's own URL.
  const { id: _ignored, ...fields } = body;
  const created = await upsertCase(member.workspace.id, params.id, fields as Parameters<typeof upsertCase>[2]);
  return Response.json(created, { status: 201 });
}

export async function updateCaseHandler({ request, member, params }: RouteContext<CaseParams>): Promise<CaseRecord> {
  const body = await jsonBody(request);
  checkAssertions(body.assertions);
  return upsertCase(member.workspace.id, params.id, { ...(body as Parameters<typeof upsertCase>[2]), id: params.caseId });
}

export async function deleteCaseHandler({ member, params }: RouteContext<CaseParams>): Promise<void> {
  await deleteCase(member.workspace.id, params.id, params.caseId);
}
