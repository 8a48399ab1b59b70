import { withWorkspace } from "@/lib/http/with-workspace";
import { createSuiteHandler, listSuitesHandler } from "./_handlers/suites";

export const GET = withWorkspace(listSuitesHandler, { action: "workspace.read" });
export const POST = withWorkspace(createSuiteHandler, { action: "suite.edit" });
