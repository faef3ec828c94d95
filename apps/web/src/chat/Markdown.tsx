import { type MouseEvent, useMemo } from "react";
import { renderMarkdown } from "./markdown.ts";

/**
 * An answer of the agent, rendered from Markdown (sanitised by renderMarkdown: nothing the model wrote
 * runs). Each code block has a Copy button; one click handler serves them all.
 */
export function Markdown({ text, testId }: { text: string; testId?: string }) {
  const html = useMemo(() => renderMarkdown(text), [text]);

  function onClick(event: MouseEvent<HTMLDivElement>) {
    const button = (event.target as HTMLElement).closest<HTMLButtonElement>("button[data-copy-code]");
    if (!button) return;
    const code = button.closest(".md-code")?.querySelector("code")?.textContent ?? "";
    void copyText(code).then((ok) => {
      button.textContent = ok ? "Copied" : "Copy failed";
      window.setTimeout(() => {
        button.textContent = "Copy";
      }, 1500);
    });
  }

  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents: the clicks handled are those of the buttons inside
    // biome-ignore lint/a11y/noStaticElementInteractions: the same: only its buttons are interactive
    <div
      className="markdown"
      data-testid={testId}
      onClick={onClick}
      // biome-ignore lint/security/noDangerouslySetInnerHtml: renderMarkdown's output is sanitised by DOMPurify
      dangerouslySetInnerHTML={{ __html: html }}
    />
  );
}

/** Copies to the clipboard; falls back to a hidden textarea where the Clipboard API is not allowed (http). */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.append(area);
    area.select();
    const ok = document.execCommand("copy");
    area.remove();
    return ok;
  }
}
