import DOMPurify from "dompurify";
import { Marked, type Tokens } from "marked";

/**
 * The agent's answers as HTML: GitHub-flavoured Markdown by `marked`, then cleaned by DOMPurify. Two
 * layers, so that no markup the model wrote reaches the page: raw HTML in the Markdown is shown as text
 * (never parsed), and DOMPurify removes anything else that could run (event handlers, `javascript:` links).
 * Images are shown as links: an answer must not make the browser fetch from an address the model chose.
 */
const marked = new Marked({
  gfm: true,
  breaks: false,
  async: false,
  renderer: {
    html({ text }: Tokens.HTML | Tokens.Tag) {
      return escapeHtml(text);
    },
    image({ href, text }: Tokens.Image) {
      return `<a href="${escapeHtml(href)}">${escapeHtml(text || href)}</a>`;
    },
    code({ text, lang }: Tokens.Code) {
      const language = (lang ?? "").match(/^[\w+#.-]+/)?.[0] ?? "";
      return (
        `<div class="md-code"><div class="md-code-head"><span>${escapeHtml(language || "code")}</span>` +
        `<button type="button" class="md-copy" data-copy-code="">Copy</button></div>` +
        `<pre><code${language ? ` class="language-${escapeHtml(language)}"` : ""}>${escapeHtml(text)}</code></pre></div>`
      );
    },
  },
});

const PURIFY = {
  ALLOWED_TAGS: [
    "a",
    "b",
    "blockquote",
    "br",
    "button",
    "code",
    "del",
    "div",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "input",
    "li",
    "ol",
    "p",
    "pre",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
  ],
  ALLOWED_ATTR: ["href", "title", "class", "type", "checked", "disabled", "data-copy-code", "align", "start"],
  ALLOW_DATA_ATTR: false,
};

let hooked = false;

/** Sanitised HTML of a Markdown text. Links open in a new tab without telling the page who opened them. */
export function renderMarkdown(markdown: string): string {
  if (!hooked) {
    hooked = true;
    DOMPurify.addHook("afterSanitizeAttributes", (node) => {
      if (node.tagName === "A") {
        node.setAttribute("target", "_blank");
        node.setAttribute("rel", "noopener noreferrer nofollow");
      }
      // task-list checkboxes are shown, not edited, and say what they show
      if (node.tagName === "INPUT") {
        node.setAttribute("disabled", "");
        node.setAttribute("aria-label", node.hasAttribute("checked") ? "done" : "not done");
      }
      // code and tables scroll sideways: reachable by keyboard
      if (node.tagName === "PRE" || node.tagName === "TABLE") node.setAttribute("tabindex", "0");
    });
  }
  const html = marked.parse(markdown) as string;
  return DOMPurify.sanitize(html, { ...PURIFY, ADD_ATTR: ["target", "rel"] });
}

function escapeHtml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}
