// The example prompts a new workspace starts with: one zero-shot, one few-shot with counterexamples.

export const DEMO_PROMPTS = [
  {
    name: "support-triage",
    description: "Zero-shot: route a customer message to one queue.",
    exampleMode: "chat" as const,
    messages: [
      {
        role: "system",
        content:
          "You route customer support messages. Answer with exactly one word from this list: billing, bug, feature-request, account, other.",
      },
      { role: "user", content: "Customer message:\n{{ message }}" },
    ],
    examples: [],
    counterexamples: [],
    params: { temperature: 0, maxTokens: 16 },
  },
  {
    name: "review-sentiment",
    description: "Few-shot with a counterexample: the sentiment of a product review.",
    exampleMode: "chat" as const,
    messages: [
      {
        role: "system",
        content:
          "Classify the sentiment of a product review as positive, negative or mixed. Answer with the label only, in lower case.",
      },
      { role: "user", content: "Review of {{ product }}:\n{{ review }}" },
    ],
    examples: [
      { variables: { product: "headphones", review: "Crisp sound and they stay comfortable all day." }, output: "positive" },
      { variables: { product: "kettle", review: "Stopped heating after a week. Support never replied." }, output: "negative" },
    ],
    counterexamples: [
      {
        variables: { product: "phone", review: "Great battery, but the screen cracked on day two." },
        output: "positive",
        reason: "A serious flaw next to a strength is mixed, not positive.",
      },
    ],
    params: { temperature: 0, maxTokens: 8 },
  },
  {
    name: "ticket-summary",
    description: "Zero-shot: one-line summary of a support ticket for the on-call engineer.",
    exampleMode: "inline" as const,
    messages: [
      { role: "system", content: "You write one-line summaries of support tickets for an on-call engineer. No more than 20 words." },
      { role: "user", content: "Ticket from {{ customer }} (plan: {{ plan }}):\n{{ body }}" },
    ],
    examples: [],
    counterexamples: [],
    params: { temperature: 0.2, maxTokens: 48 },
  },
];
