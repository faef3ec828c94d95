import { type ReActStep, stepKind, type ToolCall, type ToolResult, touchedBy } from "@texera-agent/protocol";
import { type ReactNode, useState } from "react";
import { excerpt, formatDuration, formatJson, plural, sentence } from "../format.ts";

const LONG_OUTPUT = 1200;

/** One entry of the conversation: the user's message, an agent step (collapsible), or a notice. */
export function StepCard({
  step,
  defaultOpen,
  onShowOperator,
  onGoBack,
}: {
  step: ReActStep;
  defaultOpen: boolean;
  onShowOperator: (operatorId: string) => void;
  /** Continue the conversation from this step (checkout): absent where that is not possible now. */
  onGoBack?: () => void;
}) {
  const kind = stepKind(step);
  const back = onGoBack && (
    <button
      type="button"
      className="link-button go-back"
      data-testid={`go-back-${step.index}`}
      onClick={onGoBack}
      title="Restore the workflow as it was after this step; the next message continues from here"
    >
      Continue from here
    </button>
  );
  if (kind === "user") {
    return (
      <li className="message message-user" data-testid={`step-${step.index}`} data-kind="user">
        <div className="bubble">{step.content}</div>
        {back}
      </li>
    );
  }
  if (kind === "system") {
    const code = step.error === "STOPPED" ? undefined : step.error;
    return (
      <li
        className={`message message-system${code ? " is-error" : ""}`}
        data-testid={`step-${step.index}`}
        data-kind="system"
      >
        <span>{sentence(step.content || "The run ended.")}</span>
        {code && <span className="tag tag-error system-code">{code}</span>}
        {back}
      </li>
    );
  }
  return <AgentStep step={step} defaultOpen={defaultOpen} onShowOperator={onShowOperator} back={back} />;
}

function AgentStep({
  step,
  defaultOpen,
  onShowOperator,
  back,
}: {
  step: ReActStep;
  defaultOpen: boolean;
  onShowOperator: (operatorId: string) => void;
  back: ReactNode;
}) {
  const [open, setOpen] = useState(defaultOpen);
  const toolCalls = step.toolCalls ?? [];
  const toolResults = step.toolResults ?? [];
  const touched = touchedBy(step);
  const results = new Map(toolResults.map((result) => [result.toolCallId, result]));
  const failed = toolResults.filter((result) => result.isError).length;
  const summary = step.content.trim()
    ? excerpt(step.content)
    : toolCalls.length > 0
      ? toolCalls.map((call) => call.toolName).join(", ")
      : "(no text)";

  return (
    <li className="message message-agent" data-testid={`step-${step.index}`} data-kind="agent">
      <details className="step" open={open} onToggle={(event) => setOpen(event.currentTarget.open)}>
        <summary data-testid={`step-toggle-${step.index}`}>
          <span className="step-number">Step {step.index}</span>
          <span className="step-summary">{summary}</span>
          <span className="step-tags">
            {toolCalls.length > 0 && <span className="tag">{plural(toolCalls.length, "tool call")}</span>}
            {failed > 0 && <span className="tag tag-error">{failed} failed</span>}
            {step.error && <span className="tag tag-error">error</span>}
          </span>
        </summary>
        <div className="step-body">
          {step.reasoning?.trim() && (
            <details className="reasoning" data-testid="step-reasoning">
              <summary className="label">Reasoning</summary>
              <p>{step.reasoning}</p>
            </details>
          )}
          {step.content.trim() && (
            <div className="thought" data-testid="step-thought">
              <div className="label">Thought</div>
              <p>{step.content}</p>
            </div>
          )}
          {toolCalls.map((call) => (
            <ToolCallView key={call.toolCallId} call={call} result={results.get(call.toolCallId)} />
          ))}
          {toolResults
            .filter((result) => !toolCalls.some((call) => call.toolCallId === result.toolCallId))
            .map((result) => (
              <ToolResultView key={result.toolCallId} result={result} />
            ))}
          {step.error && (
            <p className="step-error" role="note">
              {step.error}
            </p>
          )}
          {(touched.length > 0 || step.usage) && (
            <div className="step-footer">
              {touched.length > 0 && (
                <span className="touched">
                  Changed:
                  {touched.map((operatorId) => (
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
                <span className="muted usage" title="input + output tokens">
                  {step.usage.totalTokens.toLocaleString()} tokens
                </span>
              )}
            </div>
          )}
          {back}
        </div>
      </details>
    </li>
  );
}

function ToolCallView({ call, result }: { call: ToolCall; result: ToolResult | undefined }) {
  const invalid = typeof call.input === "string";
  const [open, setOpen] = useState(result !== undefined && result.isError);
  return (
    <details
      className="tool-call"
      open={open}
      onToggle={(event) => setOpen(event.currentTarget.open)}
      data-testid={`tool-call-${call.toolCallId}`}
      data-tool={call.toolName}
    >
      <summary className="tool-call-head">
        <span className="tool-icon" aria-hidden="true">
          ƒ
        </span>
        <code className="tool-name">{call.toolName}</code>
        <code className="tool-args-inline">{compactArguments(call.input)}</code>
        {result ? (
          <span className={`tag ${result.isError ? "tag-error" : "tag-ok"}`}>
            {result.isError ? "failed" : "ok"}
            {result.durationMs !== undefined && ` · ${formatDuration(result.durationMs)}`}
          </span>
        ) : (
          <span className="tag">no result</span>
        )}
      </summary>
      <div className="tool-call-body">
        <div className="label">Arguments{invalid && <span className="muted"> (not valid JSON)</span>}</div>
        <pre className="code" data-testid="tool-arguments">
          {formatJson(call.input) || "{}"}
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
      className={`tool-result${result.isError ? " is-error" : ""}${nested ? " nested" : ""}`}
      data-testid={`tool-result-${result.toolCallId}`}
      data-ok={!result.isError}
    >
      <div className="label">
        {result.isError ? "Error" : "Result"}
        {!nested && result.toolName && ` of ${result.toolName}`}
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
