import { readJson, withWorkspace } from "@/lib/http/with-workspace";
import { loadOutputs } from "@/lib/compare/outputs";
import { outputsInput } from "@/lib/compare/schema";

// POST /api/compare/outputs {variants, keys} — output previews of the rows the case list is showing. POST only
// because a few hundred keys do not fit a URL; it changes nothing, so viewers may call it.
export const POST = withWorkspace(
  async ({ request, member }) => {
    const { variants, keys } = await readJson(request, outputsInput);
    return loadOutputs(member.workspace.id, variants, keys);
  },
  { write: false },
);
