import { ConnectionsManager } from "@/components/connections/connections-manager";
import type { ConnectionView, PresetView } from "@/components/connections/types";
import { PageHeader } from "@/components/shell/page-header";
import { can } from "@/lib/auth/permissions";
import { requireMember } from "@/lib/auth/session";
import { CONNECTION_PRESETS } from "@/lib/connections/presets";
import { listConnections } from "@/lib/connections/service";

export const dynamic = "force-dynamic";
export const metadata = { title: "Connections" };

export default async function ConnectionsPage() {
  const member = await requireMember();
  const connections: ConnectionView[] = (await listConnections(member.workspace.id)).map((connection) => ({
    id: connection.id,
    name: connection.name,
    kind: connection.kind,
    preset: connection.preset,
    baseUrl: connection.baseUrl,
    hasKey: connection.hasKey,
    apiKeyLast4: connection.apiKeyLast4,
    apiKeyOrigin: connection.apiKeyOrigin,
    concurrency: connection.concurrency,
    rpm: connection.rpm,
    tpm: connection.tpm,
    timeoutMs: connection.timeoutMs,
    models: connection.models.map(({ name, contextWindow, inputPricePerM, outputPricePerM }) => ({ name, contextWindow, inputPricePerM, outputPricePerM })),
  }));
  const presets: PresetView[] = CONNECTION_PRESETS.map((preset) => ({
    id: preset.id,
    name: preset.label,
    baseUrl: preset.baseUrl,
    kind: preset.kind,
    needsKey: preset.needsKey,
    ...(preset.keyUrl ? { docsUrl: preset.keyUrl } : {}),
    models: preset.models,
  }));
  return (
    <>
      <PageHeader
        title="Connections"
        subtitle="Any OpenAI-compatible API: hosted providers, Ollama, llama.cpp, and Assay's own local model server. Keys are encrypted at rest and never shown again."
      />
      <ConnectionsManager initial={connections} presets={presets} canManage={can(member.role, "connection.manage")} role={member.role} />
    </>
  );
}
