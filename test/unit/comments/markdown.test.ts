import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { CommentMarkdown } from "../../../components/comments/markdown.tsx";

const render = (body: string) => renderToStaticMarkup(createElement(CommentMarkdown, { body }));

describe("comment markdown", () => {
  it("renders formatting, code and lists", () => {
    const html = render("**bold** and `code`\n\n- one\n- two");
    expect(html).toContain("<strong>bold</strong>");
    expect(html).toContain("<code>code</code>");
    expect(html).toContain("<li>one</li>");
  });

  it("never emits a script element", () => {
    const html = render("hello <script>alert(1)</script> world");
    expect(html).not.toMatch(/<script/i);
  });

  it("drops an image's onerror handler and raw HTML attributes", () => {
    const html = render('<img src="x" onerror="alert(1)"> and <a href="#" onclick="alert(2)">x</a>');
    expect(html).not.toMatch(/onerror|onclick/i);
    expect(html).not.toMatch(/<img/i);
  });

  it("drops javascript: and data: URLs from links", () => {
    const html = render("[click](javascript:alert(1)) and [data](data:text/html;base64,PHNjcmlwdD4=)");
    expect(html).not.toMatch(/javascript:/i);
    expect(html).not.toMatch(/href="data:/i);
    expect(html).toContain("click");
  });

  it("opens links in a new tab without opener, referrer or ranking credit", () => {
    const html = render("[docs](https://example.com/docs) and https://example.org");
    expect(html).toContain('<a href="https://example.com/docs" target="_blank" rel="noopener noreferrer nofollow"');
    expect(html).toContain('<a href="https://example.org" target="_blank" rel="noopener noreferrer nofollow"');
  });

  it("renders mentions as chips, but not inside code or in email addresses", () => {
    const html = render("ping @ada about `@decorator`; mail ada@example.com");
    expect(html).toContain('<span class="mention" data-mention="ada">@ada</span>');
    expect(html).not.toContain('data-mention="decorator"');
    expect(html).not.toContain('data-mention="example.com"');
  });

  it("renders the long form @local@domain as one chip, not as a mail link", () => {
    const html = render("thanks @ada@example.com!");
    expect(html).toContain('thanks <span class="mention" data-mention="ada@example.com">@ada@example.com</span>!');
    expect(html).not.toContain("mailto:");
  });
});
