import { withWorkspace } from "@/lib/http/with-workspace";
import { createSuiteHandler, listSuitesHandler } from "./_handlers/suites";

export const GET = withWorkspace(listSuitesHandler);
export const POST = withWorkspace(createSuiteHandler);
