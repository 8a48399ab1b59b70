// The chat template the project's own models carry in their GGUF. The n-gram model continues text, so the template
// puts the conversation's text end to end and lets the model continue the last message; an assistant turn ends with
// the end-of-sequence token, which is also what ends a reply. node-llama-cpp reads it with its Jinja chat wrapper.
export const CONTINUATION_CHAT_TEMPLATE =
  "{{ bos_token }}{% for message in messages %}{{ message['content'] }}{% if message['role'] == 'assistant' %}{{ eos_token }}{% endif %}{% endfor %}";
