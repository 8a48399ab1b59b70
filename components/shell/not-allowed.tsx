import { refusal, type Action, type Role } from "@/lib/auth/permissions";

/** What a page shows instead of a form the member's role cannot use: the same words as the API's 403. */
export function NotAllowed(props: { role: Role; action: Action }) {
  return (
    <p className="card mx-auto max-w-xl p-6 text-sm text-slate-700" role="note" data-testid="not-allowed">
      {refusal(props.role, props.action)}
    </p>
  );
}
