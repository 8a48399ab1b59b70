import { CONTINUATION_CHAT_TEMPLATE } from "../../local-models/chat-template.ts";
import { messageText, type ChatMessage } from "../../local-models/schema.ts";

// What input text an LM student is trained on, so that a request to `student:<name>` gives the trained continuation.
//
// The model server renders a chat through the chat template stored in the GGUF (lib/local-models/prompt.ts). The
// project's models carry CONTINUATION_CHAT_TEMPLATE: BOS, then every message's text end to end (an assistant turn is
// followed by EOS), and the model continues. fineTune tokenizes a pair's input exactly as the server tokenizes a chat
// request whose one user message is that input (prepareChatPrompt), so on a GGUF with the continuation template (the
// project's models, and students fine-tuned from them: the saved student keeps its base's template) a request with
// the teacher's messages — whose texts end to end are lmTrainingText(messages) — gets the trained continuation.
// /v1/completions with the same text as `prompt` tokenizes it with a leading "▁" (SPM), which is not what was trained.
// A base GGUF with another chat template (ChatML, Llama 3, …) wraps the user turn in its own markers: the student is
// trained on that rendering of [user: input], so call it with the input as one user message.

/** The training input for the teacher's rendered messages: their texts end to end, as the continuation template does. */
export function lmTrainingText(messages: readonly Pick<ChatMessage, "role" | "content">[]): string {
  const assistant = messages.findIndex((message) => message.role === "assistant");
  if (assistant !== -1) {
    // The template puts EOS (a special token, not text) after an assistant turn; a text input cannot hold it.
    throw new Error(
      `messages[${assistant}] is an assistant turn: an LM student's input is the text before its own reply (the continuation template puts EOS after assistant turns)`,
    );
  }
  return messages.map((message) => messageText(message.content)).join("");
}

export const LM_CHAT_TEMPLATE = CONTINUATION_CHAT_TEMPLATE;
