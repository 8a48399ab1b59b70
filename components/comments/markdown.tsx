import type { AnchorHTMLAttributes } from "react";
import ReactMarkdown, { defaultUrlTransform } from "react-markdown";
import rehypeSanitize from "rehype-sanitize";
import remarkGfm from "remark-gfm";
import { rehypeMentions } from "@/lib/markdown/rehype-mentions";

// Comment bodies are written by any member, viewers included, and shown to everyone: markdown only, never raw HTML.
// react-markdown builds React elements (no innerHTML); rehype-sanitize (GitHub's allow-list) drops any element or
// attribute that is not plain formatting, and the URL transform drops javascript:, data: and other unsafe schemes.
// Links open in a new tab without handing the opener or the referrer to the target.

function SafeLink({ href, children }: AnchorHTMLAttributes<HTMLAnchorElement>) {
  if (!href) return <span>{children}</span>;
  return (
    <a href={href} target="_blank" rel="noopener noreferrer nofollow" className="text-brand-700 underline hover:text-brand-800">
      {children}
    </a>
  );
}

export function CommentMarkdown({ body }: { body: string }) {
  return (
    <div className="comment-markdown break-words text-sm leading-relaxed text-slate-800">
      <ReactMarkdown
        remarkPlugins={[remarkGfm]}
        rehypePlugins={[rehypeSanitize, rehypeMentions]}
        urlTransform={(url) => defaultUrlTransform(url)}
        components={{ a: ({ href, children }) => <SafeLink href={href}>{children}</SafeLink> }}
      >
        {body}
      </ReactMarkdown>
    </div>
  );
}
