import { withWorkspace } from "@/lib/http/with-workspace";
import { deleteSuiteHandler, getSuiteHandler, updateSuiteHandler, type SuiteParams } from "../_handlers/suites";

export const GET = withWorkspace<SuiteParams>(getSuiteHandler);
export const PATCH = withWorkspace<SuiteParams>(updateSuiteHandler);
export const DELETE = withWorkspace<SuiteParams>(deleteSuiteHandler);
