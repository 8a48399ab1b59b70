import { CONTINUATION_CHAT_TEMPLATE } from "../../local-models/chat-template.ts";
import { messageText, type ChatMessage } from "../../local-models/schema.ts";

// What input text an LM student is trained on, so that a request to `student:<name>` gives the trained continuation.
//
// The model server renders a chat through the chat template stored in the GGUF (lib/local-models/prompt.ts). The
// project's models carry CONTINUATION_CHAT_TEMPLATE: BOS, then every message's text end to end (an assistant turn is
// followed by EOS), and the model continues. fineTune tokenizes a pair's input as BOS + the input's tokens, the
// same tokens the server builds for
//   - /v1/completions with `prompt` = the input, and
//   - /v1/chat/completions with messages whose texts, end to end, are the input — on a GGUF with the continuation
//     template (the project's models, and students fine-tuned from them: the saved student keeps its base's template).
// A base GGUF with another chat template (ChatML, Llama 3, …) wraps the messages in its own markers at serving time:
// train such a student on the text that template renders, or call it on /v1/completions.

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
