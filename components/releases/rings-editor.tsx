"use client";
import type { FieldErrors } from "./field-errors";
import { FieldError } from "./field-error";

// The audience plan: rings opened in order before everyone. A request is in a ring when its user key is listed, when
// it sends `x-assay-ring: <name>`, when its user key is a member's email, or when its user key hashes into the percent.

export interface RingDraft {
  name: string;
  /** one user key per line */
  users: string;
  header: boolean;
  members: boolean;
  /** "" when the ring has no percentage */
  percent: string;
}

export const NEW_RING: RingDraft = { name: "internal", users: "", header: true, members: true, percent: "" };

export function ringInputOf(ring: RingDraft) {
  const users = ring.users.split(/[\n,]/).map((user) => user.trim()).filter(Boolean);
  return {
    name: ring.name.trim(),
    users,
    header: ring.header,
    members: ring.members,
    ...(ring.percent.trim() === "" ? {} : { percent: Number(ring.percent) }),
  };
}

export function RingsEditor(props: { rings: RingDraft[]; onChange: (rings: RingDraft[]) => void; errors: FieldErrors }) {
  const update = (index: number, change: Partial<RingDraft>) => props.onChange(props.rings.map((ring, at) => (at === index ? { ...ring, ...change } : ring)));
  const remove = (index: number) => props.onChange(props.rings.filter((_, at) => at !== index));
  const move = (index: number, by: number) => {
    const next = [...props.rings];
    const [ring] = next.splice(index, 1);
    if (ring) next.splice(index + by, 0, ring);
    props.onChange(next);
  };
  return (
    <div className="space-y-2" data-testid="rings-editor">
      {props.rings.length === 0 && <p className="text-sm text-slate-500">No rings: the release opens to everyone at once.</p>}
      {props.rings.map((ring, index) => (
        <div key={index} className="rounded-md border border-slate-200 bg-slate-50 p-3" data-testid="ring">
          <div className="flex flex-wrap items-start gap-3">
            <div className="w-40">
              <label className="label" htmlFor={`ring-${index}-name`}>{index + 1}. Ring name</label>
              <input id={`ring-${index}-name`} className="input" value={ring.name} onChange={(event) => update(index, { name: event.target.value })} data-testid="ring-name" />
              <FieldError errors={props.errors} paths={[`rings.${index}.name`]} />
            </div>
            <div className="min-w-56 flex-1">
              <label className="label" htmlFor={`ring-${index}-users`}>User keys (one a line)</label>
              <textarea id={`ring-${index}-users`} className="input h-16 font-mono text-xs" value={ring.users} onChange={(event) => update(index, { users: event.target.value })} placeholder="ada@example.com" data-testid="ring-users" />
              <FieldError errors={props.errors} paths={[`rings.${index}.users`]} />
            </div>
            <div className="w-28">
              <label className="label" htmlFor={`ring-${index}-percent`}>Percent of users</label>
              <input id={`ring-${index}-percent`} className="input" inputMode="decimal" value={ring.percent} onChange={(event) => update(index, { percent: event.target.value })} placeholder="none" data-testid="ring-percent" />
              <FieldError errors={props.errors} paths={[`rings.${index}.percent`]} />
            </div>
            <div className="space-y-1 pt-5 text-sm text-slate-700">
              <label className="flex items-center gap-1.5">
                <input type="checkbox" checked={ring.header} onChange={(event) => update(index, { header: event.target.checked })} data-testid="ring-header" />
                header <code className="kbd">x-assay-ring: {ring.name || "…"}</code>
              </label>
              <label className="flex items-center gap-1.5">
                <input type="checkbox" checked={ring.members} onChange={(event) => update(index, { members: event.target.checked })} data-testid="ring-members" />
                workspace members (user key = their email)
              </label>
            </div>
            <div className="ml-auto flex gap-1 pt-5">
              <button type="button" className="btn px-2 py-1 text-xs" onClick={() => move(index, -1)} disabled={index === 0} aria-label="Move up">↑</button>
              <button type="button" className="btn px-2 py-1 text-xs" onClick={() => move(index, 1)} disabled={index === props.rings.length - 1} aria-label="Move down">↓</button>
              <button type="button" className="btn-danger px-2 py-1 text-xs" onClick={() => remove(index)} data-testid="ring-remove">Remove</button>
            </div>
          </div>
          <FieldError errors={props.errors} paths={[`rings.${index}`]} exact />
        </div>
      ))}
      <div className="flex items-center gap-3">
        <button
          type="button"
          className="btn text-xs"
          onClick={() => props.onChange([...props.rings, props.rings.length === 0 ? NEW_RING : { ...NEW_RING, name: props.rings.length === 1 ? "beta" : "", members: false, header: false, percent: "10" }])}
          data-testid="ring-add"
        >
          + Add a ring
        </button>
        <span className="text-xs text-slate-500">Each ring must pass its guards before the next opens; everyone else comes last.</span>
      </div>
    </div>
  );
}
