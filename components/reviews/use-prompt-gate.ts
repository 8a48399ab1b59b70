"use client";
import { useCallback, useEffect, useState } from "react";
import type { PromptGate } from "@/lib/reviews/prompt-gate";
import { api, errorText } from "@/lib/ui/api";

/** The release gate of a prompt's versions, fetched again whenever `refreshKey` changes (a save, a move). */
export function usePromptGate(promptId: string, refreshKey: unknown): { gate: PromptGate | null; error: string | null; refresh: () => Promise<void> } {
  const [gate, setGate] = useState<PromptGate | null>(null);
  const [error, setError] = useState<string | null>(null);
  const refresh = useCallback(async () => {
    try {
      setGate(await api<PromptGate>(`/api/reviews/gate?promptId=${encodeURIComponent(promptId)}`));
      setError(null);
    } catch (caught) {
      setError(errorText(caught));
    }
  }, [promptId]);
  useEffect(() => {
    void refresh();
  }, [refresh, refreshKey]);
  return { gate, error, refresh };
}
