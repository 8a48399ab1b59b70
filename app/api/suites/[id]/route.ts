import { withWorkspace } from "@/lib/http/with-workspace";
import { deleteSuiteHandler, getSuiteHandler, updateSuiteHandler, type SuiteParams } from "../_handlers/suites";

export const GET = withWorkspace<SuiteParams>(getSuiteHandler, { action: "workspace.read" });
export const PATCH = withWorkspace<SuiteParams>(updateSuiteHandler, { action: "suite.edit" });
export const DELETE = withWorkspace<SuiteParams>(deleteSuiteHandler, { action: "suite.edit" });
