"use client";
import { useState } from "react";
import { CopyField } from "@/components/members/copy-field";
import { formatTime } from "@/lib/format";
import type { GatewayKeySummary } from "@/lib/gateway-keys/service";
import { api, ApiError, errorText } from "@/lib/ui/api";

// Settings › Gateway keys: the keys applications send as `Authorization: Bearer assay_gw_…` to the gateway. A key is
// shown once, when it is made; the list shows its first characters only.

export type GatewayKeyRow = GatewayKeySummary;

interface Created {
  id: string;
  name: string;
  key: string;
}

export function GatewayKeysManager(props: { initial: GatewayKeyRow[]; userId: string; gatewayUrl: string }) {
  const [keys, setKeys] = useState(props.initial);
  const [name, setName] = useState("");
  const [nameError, setNameError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<Created | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function reload() {
    setKeys((await api<{ keys: GatewayKeyRow[] }>("/api/gateway-keys")).keys);
  }

  async function create(event: React.FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setNameError(null);
    try {
      const result = await api<{ id: string; key: string }>("/api/gateway-keys", { body: { name } });
      setCreated({ id: result.id, key: result.key, name: name.trim() });
      setName("");
      await reload();
    } catch (caught) {
      if (caught instanceof ApiError && caught.details.some((detail) => detail.path === "name")) {
        setNameError(caught.details.find((detail) => detail.path === "name")?.message ?? caught.message);
      } else setError(errorText(caught));
    } finally {
      setBusy(false);
    }
  }

  async function revoke(id: string) {
    setBusy(true);
    setError(null);
    try {
      await api(`/api/gateway-keys/${encodeURIComponent(id)}`, { method: "DELETE" });
      setConfirming(null);
      if (created?.id === id) setCreated(null);
      await reload();
    } catch (caught) {
      setError(errorText(caught));
    } finally {
      setBusy(false);
    }
  }

  const active = keys.filter((key) => !key.revokedAt).length;
  return (
    <>
      <section className="card p-5" data-testid="gateway-key-create">
        <h2 className="text-sm font-semibold">New gateway key</h2>
        <p className="mt-1 text-sm text-slate-600">
          Applications send it as <code className="kbd">Authorization: Bearer assay_gw_…</code> to <code className="kbd">{props.gatewayUrl}</code>.
          Name it after the application or environment that will use it.
        </p>
        <p className="mt-1 text-sm text-slate-600">
          A prompt answers as <code className="kbd">model: &quot;&lt;prompt name&gt;&quot;</code> once its <code className="kbd">production</code> label
          points at a version (move it on the prompt page), or as <code className="kbd">&quot;&lt;prompt name&gt;@&lt;label&gt;&quot;</code> for any other
          label; a running release then decides which version answers.
        </p>
        <form className="mt-3 flex items-start gap-2" onSubmit={create}>
          <div className="w-80">
            <label className="sr-only" htmlFor="gateway-key-name">Name</label>
            <input
              id="gateway-key-name"
              className="input"
              placeholder="checkout-service production"
              value={name}
              maxLength={100}
              onChange={(event) => setName(event.target.value)}
              aria-invalid={nameError !== null}
              data-testid="gateway-key-name"
            />
            {nameError && <p className="mt-1 text-xs text-red-600" data-testid="gateway-key-name-error">{nameError}</p>}
          </div>
          <button className="btn-primary" disabled={busy || name.trim() === ""} data-testid="gateway-key-submit">Create key</button>
        </form>
        {created && (
          <div className="mt-4 rounded-md border border-amber-200 bg-amber-50 p-3" role="status" data-testid="gateway-key-created">
            <p className="mb-2 text-sm text-amber-900">
              <strong>{created.name}</strong> is ready. Copy it now and store it where the application reads its secrets — <strong>you will not see it again</strong>.
            </p>
            <CopyField value={created.key} testId="gateway-key-value" />
            <button className="btn mt-2 text-xs" onClick={() => setCreated(null)} data-testid="gateway-key-done">I have stored it</button>
          </div>
        )}
      </section>

      <section className="card" data-testid="gateway-keys">
        <div className="border-b border-slate-100 px-5 py-3">
          <h2 className="text-sm font-semibold">Gateway keys <span className="font-normal text-slate-500">· {active} active</span></h2>
        </div>
        {error && <p role="alert" className="mx-5 mt-3 whitespace-pre-line rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">{error}</p>}
        {keys.length === 0 ? (
          <p className="px-5 py-6 text-sm text-slate-500" data-testid="gateway-keys-empty">No gateway keys yet. Create one for each application that calls prompts through the gateway.</p>
        ) : (
          <table className="w-full text-sm">
            <thead>
              <tr className="border-b border-slate-100 text-left text-xs text-slate-500">
                <th className="px-5 py-2 font-medium">Name</th>
                <th className="px-3 py-2 font-medium">Key</th>
                <th className="px-3 py-2 font-medium">Created by</th>
                <th className="px-3 py-2 font-medium">Created</th>
                <th className="px-3 py-2 font-medium">Last used</th>
                <th className="px-5 py-2" />
              </tr>
            </thead>
            <tbody>
              {keys.map((key) => (
                <tr key={key.id} className="border-b border-slate-50 last:border-0" data-testid="gateway-key-row" data-name={key.name} data-revoked={key.revokedAt ? "yes" : "no"}>
                  <td className={`px-5 py-2.5 font-medium ${key.revokedAt ? "text-slate-400 line-through" : "text-slate-800"}`}>{key.name}</td>
                  <td className="px-3 py-2.5 font-mono text-xs text-slate-600" data-testid="gateway-key-prefix">{key.prefix}…</td>
                  <td className="px-3 py-2.5 text-slate-600">{key.createdBy ? (key.createdBy.id === props.userId ? "you" : key.createdBy.name) : "a former member"}</td>
                  <td className="whitespace-nowrap px-3 py-2.5 text-slate-500">{formatTime(key.createdAt)}</td>
                  <td className="whitespace-nowrap px-3 py-2.5 text-slate-500" data-testid="gateway-key-last-used">{key.lastUsedAt ? formatTime(key.lastUsedAt) : "never"}</td>
                  <td className="px-5 py-2.5 text-right">
                    {key.revokedAt ? (
                      <span className="badge bg-red-100 text-red-700" title={key.revokedBy ? `revoked by ${key.revokedBy.name}` : undefined} data-testid="gateway-key-revoked">revoked {formatTime(key.revokedAt)}</span>
                    ) : confirming === key.id ? (
                      <span className="inline-flex items-center gap-1.5">
                        <span className="text-xs text-slate-500">Calls with it will get 401.</span>
                        <button className="btn-danger py-1" onClick={() => revoke(key.id)} disabled={busy} data-testid="gateway-key-revoke-confirm">Revoke</button>
                        <button className="btn py-1" onClick={() => setConfirming(null)}>Cancel</button>
                      </span>
                    ) : (
                      <button className="btn py-1" onClick={() => setConfirming(key.id)} disabled={busy} data-testid="gateway-key-revoke">Revoke</button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
