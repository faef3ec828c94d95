import type { ReActStep, ToolCall, ToolResult } from "@texera-agent/protocol";
import { useState } from "react";
import { excerpt, formatDuration, formatJson, plural, sentence } from "../format.ts";

const LONG_OUTPUT = 1200;

/** One entry of the conversation: the user's message, an agent step (collapsible), or a notice. */
export function StepCard({
  step,
  defaultOpen,
  onShowOperator,
}: {
  step: ReActStep;
  defaultOpen: boolean;
  onShowOperator: (operatorId: string) => void;
}) {
  if (step.kind === "user") {
    return (
      <li className="message message-user" data-testid={`step-${step.index}`} data-kind="user">
        <div className="bubble">{step.content}</div>
      </li>
    );
  }
  if (step.kind === "system") {
    return (
      <li
        className={`message message-system${step.error ? " is-error" : ""}`}
        data-testid={`step-${step.index}`}
        data-kind="system"
      >
        <span>{sentence(step.content || "The run ended.")}</span>
        {step.error && <span className="tag tag-error system-code">{step.error}</span>}
      </li>
    );
  }
  return <AgentStep step={step} defaultOpen={defaultOpen} onShowOperator={onShowOperator} />;
}

function AgentStep({
  step,
  defaultOpen,
  onShowOperator,
}: {
  step: ReActStep;
  defaultOpen: boolean;
  onShowOperator: (operatorId: string) => void;
}) {
  const [open, setOpen] = useState(defaultOpen);
  const results = new Map(step.toolResults.map((result) => [result.toolCallId, result]));
  const failed = step.toolResults.filter((result) => !result.ok).length;
  const summary = step.content.trim()
    ? excerpt(step.content)
    : step.toolCalls.length > 0
      ? step.toolCalls.map((call) => call.name).join(", ")
      : "(no text)";

  return (
    <li className="message message-agent" data-testid={`step-${step.index}`} data-kind="agent">
      <details className="step" open={open} onToggle={(event) => setOpen(event.currentTarget.open)}>
        <summary data-testid={`step-toggle-${step.index}`}>
          <span className="step-number">Step {step.index}</span>
          <span className="step-summary">{summary}</span>
          <span className="step-tags">
            {step.toolCalls.length > 0 && (
              <span className="tag">{plural(step.toolCalls.length, "tool call")}</span>
            )}
            {failed > 0 && <span className="tag tag-error">{failed} failed</span>}
            {step.error && <span className="tag tag-error">error</span>}
          </span>
        </summary>
        <div className="step-body">
          {step.content.trim() && (
            <div className="thought" data-testid="step-thought">
              <div className="label">Thought</div>
              <p>{step.content}</p>
            </div>
          )}
          {step.toolCalls.map((call) => (
            <ToolCallView key={call.id} call={call} result={results.get(call.id)} />
          ))}
          {step.toolResults
            .filter((result) => !step.toolCalls.some((call) => call.id === result.toolCallId))
            .map((result) => (
              <ToolResultView key={result.toolCallId} result={result} />
            ))}
          {step.error && (
            <p className="step-error" role="note">
              {step.error}
            </p>
          )}
          {(step.touchedOperators.length > 0 || step.usage) && (
            <div className="step-footer">
              {step.touchedOperators.length > 0 && (
                <span className="touched">
                  Changed:
                  {step.touchedOperators.map((operatorId) => (
                    <button
                      key={operatorId}
                      type="button"
                      className="chip"
                      onClick={() => onShowOperator(operatorId)}
                      aria-label={`Show operator ${operatorId} in the workflow`}
                    >
                      {operatorId}
                    </button>
                  ))}
                </span>
              )}
              {step.usage && (
                <span className="muted usage" title="prompt + completion tokens">
                  {step.usage.totalTokens.toLocaleString()} tokens
                </span>
              )}
            </div>
          )}
        </div>
      </details>
    </li>
  );
}

function ToolCallView({ call, result }: { call: ToolCall; result: ToolResult | undefined }) {
  const invalid = typeof call.arguments === "string";
  const [open, setOpen] = useState(result !== undefined && !result.ok);
  return (
    <details
      className="tool-call"
      open={open}
      onToggle={(event) => setOpen(event.currentTarget.open)}
      data-testid={`tool-call-${call.id}`}
      data-tool={call.name}
    >
      <summary className="tool-call-head">
        <span className="tool-icon" aria-hidden="true">
          ƒ
        </span>
        <code className="tool-name">{call.name}</code>
        <code className="tool-args-inline">{compactArguments(call.arguments)}</code>
        {result ? (
          <span className={`tag ${result.ok ? "tag-ok" : "tag-error"}`}>
            {result.ok ? "ok" : "failed"} · {formatDuration(result.durationMs)}
          </span>
        ) : (
          <span className="tag">no result</span>
        )}
      </summary>
      <div className="tool-call-body">
        <div className="label">Arguments{invalid && <span className="muted"> (not valid JSON)</span>}</div>
        <pre className="code" data-testid="tool-arguments">
          {formatJson(call.arguments) || "{}"}
        </pre>
        {result && <ToolResultView result={result} nested />}
      </div>
    </details>
  );
}

/** The arguments on one line, for the collapsed view. */
function compactArguments(args: unknown): string {
  let text: string;
  try {
    text = typeof args === "string" ? args : (JSON.stringify(args) ?? "");
  } catch {
    text = String(args);
  }
  return excerpt(text, 70);
}

function ToolResultView({ result, nested = false }: { result: ToolResult; nested?: boolean }) {
  const [expanded, setExpanded] = useState(false);
  const long = result.output.length > LONG_OUTPUT;
  const text = long && !expanded ? `${result.output.slice(0, LONG_OUTPUT)}…` : result.output;
  return (
    <div
      className={`tool-result${result.ok ? "" : " is-error"}${nested ? " nested" : ""}`}
      data-testid={`tool-result-${result.toolCallId}`}
      data-ok={result.ok}
    >
      <div className="label">
        {result.ok ? "Result" : "Error"}
        {!nested && ` of ${result.name}`}
      </div>
      <pre className="code">{text || "(empty)"}</pre>
      {long && (
        <button
          type="button"
          className="link-button"
          onClick={() => setExpanded(!expanded)}
          aria-expanded={expanded}
        >
          {expanded ? "Show less" : `Show all ${result.output.length.toLocaleString()} characters`}
        </button>
      )}
    </div>
  );
}
