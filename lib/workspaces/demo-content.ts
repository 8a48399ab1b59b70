// The example prompts a new workspace starts with: one zero-shot, one few-shot with counterexamples. Each ships with
// test inputs, so the playground opens filled in and Run answers on the first click.

export const TRIAGE_CLASSES = ["billing", "bug", "feature-request", "account", "other"];

export const DEMO_PROMPTS = [
  {
    name: "support-triage",
    description: "Route a customer message to one queue: v1 zero-shot, v2 few-shot with counterexamples.",
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
    testInputs: [
      { name: "Double charge", variables: { message: "I was charged twice for my subscription this month, please refund one payment." } },
      { name: "Crash on export", variables: { message: "The app crashes every time I export a report to PDF." } },
      { name: "Dark mode", variables: { message: "Could you add a dark mode to the dashboard?" } },
    ],
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
    testInputs: [
      // No full stop at the end: the n-gram model these run on ends its answer right after one (an empty answer).
      { name: "Loves it", variables: { product: "backpack", review: "Light, roomy and the zips feel solid. I would buy it again" } },
      { name: "Broke quickly", variables: { product: "blender", review: "The lid cracked the first time I used it and the motor smells burnt" } },
      { name: "Mixed", variables: { product: "laptop", review: "Fast and quiet, but the battery barely lasts three hours" } },
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
    testInputs: [
      {
        name: "Login outage",
        variables: { customer: "Northwind", plan: "enterprise", body: "Since 09:10 none of our 40 users can sign in; SSO returns error 500. Blocking our whole support team" },
      },
      {
        name: "Slow search",
        variables: { customer: "Contoso", plan: "team", body: "Search in the ticket list takes 20 seconds since yesterday's update; filters still work" },
      },
    ],
    params: { temperature: 0.2, maxTokens: 48 },
  },
];

/** The label prompt the demo suite, run and comparison are about. */
export const DEMO_TRIAGE_PROMPT = "support-triage";

/** v2 of support-triage: the same task with examples and counterexamples, to compare against the zero-shot v1. */
export const TRIAGE_FEW_SHOT = {
  commitMessage: "Few-shot: one example per queue, and counterexamples for the confusable ones",
  examples: [
    { variables: { message: "My card was billed for the annual plan but I chose monthly." }, output: "billing" },
    { variables: { message: "The save button does nothing on the settings page." }, output: "bug" },
    { variables: { message: "It would be great to export charts as SVG." }, output: "feature-request" },
    { variables: { message: "How do I change the email address on my login?" }, output: "account" },
  ],
  counterexamples: [
    {
      variables: { message: "I cannot log in since the update, the page just reloads." },
      output: "account",
      reason: "A login that broke after an update is a bug, not an account question.",
    },
    {
      variables: { message: "Please add invoices in PDF to the billing page." },
      output: "billing",
      reason: "Asking for something new is a feature request, even when it is about billing.",
    },
  ],
};

export const DEMO_SUITE = {
  name: "support-triage cases",
  description: "Customer messages with the queue each belongs to: the demo suite for the support-triage prompt.",
  /** every case: the answer is one of the queues, and it is the expected one */
  assertions: [{ type: "label", classes: TRIAGE_CLASSES }],
};

interface DemoCase {
  key: string;
  message: string;
  expected: string;
  tags: string[];
  assertions?: unknown[];
}

const brief = { type: "word-count", max: 3 };

/** 24 cases, about five per queue, tagged by queue and by difficulty; a few carry an extra assertion. */
export const DEMO_CASES: DemoCase[] = [
  { key: "refund-double-charge", message: "I was charged twice this month, please refund one of the payments.", expected: "billing", tags: ["billing"] },
  { key: "invoice-vat", message: "My invoice is missing our VAT number, can you send a corrected invoice?", expected: "billing", tags: ["billing"] },
  { key: "card-declined", message: "My card keeps getting declined when I try to pay for the upgrade.", expected: "billing", tags: ["billing"], assertions: [brief] },
  { key: "price-change", message: "Why did my monthly price go up from 20 to 25 dollars?", expected: "billing", tags: ["billing"] },
  { key: "cancel-refund", message: "I cancelled yesterday but was still charged for next month, I want my money back.", expected: "billing", tags: ["billing", "hard"] },
  { key: "export-crash", message: "The app crashes every time I export a report to PDF.", expected: "bug", tags: ["bug"] },
  { key: "blank-dashboard", message: "The dashboard shows a blank page after the latest update.", expected: "bug", tags: ["bug"] },
  { key: "wrong-totals", message: "The totals in the monthly report do not add up, the numbers are wrong.", expected: "bug", tags: ["bug"], assertions: [brief] },
  { key: "upload-error", message: "Uploading a CSV file fails with an error 500.", expected: "bug", tags: ["bug"] },
  { key: "login-loop", message: "Since the update I cannot log in, the page keeps reloading.", expected: "bug", tags: ["bug", "hard"] },
  { key: "dark-mode", message: "Could you add a dark mode to the dashboard?", expected: "feature-request", tags: ["feature-request"] },
  { key: "slack-integration", message: "It would be great if alerts could be sent to Slack.", expected: "feature-request", tags: ["feature-request"] },
  { key: "bulk-edit", message: "Please let us edit many tickets at once, one by one takes forever.", expected: "feature-request", tags: ["feature-request"] },
  { key: "api-webhooks", message: "Do you plan to add webhooks to the API? We would use them.", expected: "feature-request", tags: ["feature-request"], assertions: [brief] },
  { key: "pdf-invoices-wish", message: "Please add a way to download all invoices as one PDF.", expected: "feature-request", tags: ["feature-request", "hard"] },
  { key: "reset-password", message: "How do I reset my password? The reset email never arrives.", expected: "account", tags: ["account"] },
  { key: "change-email", message: "I need to change the email address of my account.", expected: "account", tags: ["account"] },
  { key: "delete-account", message: "Please delete my account and all my data.", expected: "account", tags: ["account"] },
  { key: "add-user", message: "How can I invite a colleague to our team account?", expected: "account", tags: ["account"], assertions: [brief] },
  { key: "two-factor", message: "I lost my phone and cannot pass two-factor authentication to sign in.", expected: "account", tags: ["account", "hard"] },
  { key: "office-hours", message: "What are your office hours?", expected: "other", tags: ["other"] },
  { key: "thanks", message: "Thanks for the quick help yesterday, all good now!", expected: "other", tags: ["other"] },
  { key: "partnership", message: "We are a reseller and would like to talk about a partnership.", expected: "other", tags: ["other"] },
  { key: "job-application", message: "Are you hiring support engineers in Berlin?", expected: "other", tags: ["other", "hard"] },
];
