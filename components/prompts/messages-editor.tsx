"use client";
import { TemplateEditor } from "./template-editor";
import type { Message, Role } from "./types";

const ROLES: Role[] = ["system", "user", "assistant"];

// readOnly for members who cannot edit prompts: the template editor is contenteditable, which a disabled fieldset
// around it does not reach.
export function MessagesEditor({ messages, onChange, readOnly }: { messages: Message[]; onChange: (messages: Message[]) => void; readOnly?: boolean }) {
  const update = (index: number, patch: Partial<Message>) => onChange(messages.map((message, i) => (i === index ? { ...message, ...patch } : message)));
  const move = (index: number, delta: number) => {
    const next = [...messages];
    const [item] = next.splice(index, 1);
    if (item) next.splice(index + delta, 0, item);
    onChange(next);
  };
  return (
    <section className="space-y-3" data-testid="messages-editor">
      {messages.map((message, index) => (
        <div key={index} className="space-y-1" data-testid={`message-${index}`}>
          <div className="flex items-center justify-between">
            <select
              className="rounded border border-transparent bg-transparent text-xs font-semibold uppercase tracking-wide text-slate-600 hover:border-slate-200"
              value={message.role}
              onChange={(event) => update(index, { role: event.target.value as Role })}
              aria-label={`Role of message ${index + 1}`}
            >
              {ROLES.map((role) => <option key={role} value={role}>{role}</option>)}
            </select>
            <div className="flex gap-2 text-xs text-slate-400">
              <button type="button" disabled={index === 0} onClick={() => move(index, -1)} className="hover:text-slate-700 disabled:opacity-30" aria-label="Move up">↑</button>
              <button type="button" disabled={index === messages.length - 1} onClick={() => move(index, 1)} className="hover:text-slate-700 disabled:opacity-30" aria-label="Move down">↓</button>
              <button type="button" disabled={messages.length === 1} onClick={() => onChange(messages.filter((_, i) => i !== index))} className="hover:text-red-600 disabled:opacity-30">Remove</button>
            </div>
          </div>
          <TemplateEditor
            value={message.content}
            onChange={(content) => update(index, { content })}
            placeholder={message.role === "system" ? "Instructions for the model…" : "Use {{ variable }} for inputs"}
            testId={`message-editor-${index}`}
            readOnly={readOnly}
          />
        </div>
      ))}
      <div className="flex gap-2">
        <button type="button" className="btn" onClick={() => onChange([...messages, { role: "user", content: "" }])}>+ User message</button>
        <button type="button" className="btn" onClick={() => onChange([...messages, { role: "assistant", content: "" }])}>+ Assistant message</button>
      </div>
    </section>
  );
}
