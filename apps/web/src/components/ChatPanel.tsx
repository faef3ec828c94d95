import { MAX_MESSAGE_CHARS } from "@texera-agent/protocol";
import { type FormEvent, type KeyboardEvent, useEffect, useLayoutEffect, useRef, useState } from "react";
import { canSend, isRunning, sendBlockedReason, visibleSteps } from "../chat-reducer.ts";
import { sentence } from "../format.ts";
import type { AgentChat } from "../hooks/use-agent-chat.ts";
import { StepCard } from "./StepCard.tsx";
import { Notice } from "./ui.tsx";

const SUGGESTIONS = [
  "Read a CSV of sales, keep the rows from 2024, and count orders per region.",
  "Join customers with orders on customer id and show the top 10 by revenue.",
  "Show me which operator types you can use.",
];

const OUTCOME: Record<string, string> = {
  done: "Done",
  stopped: "Stopped",
  max_steps: "Step limit reached (Settings → Max steps)",
  error: "Ended with an error",
  interrupted: "Interrupted (agent-service restarted)",
};

export function ChatPanel({
  chat,
  onShowOperator,
}: {
  chat: AgentChat;
  onShowOperator: (operatorId: string) => void;
}) {
  const { state } = chat;
  const [draft, setDraft] = useState("");
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const transcriptRef = useRef<HTMLDivElement>(null);
  const stickToBottom = useRef(true);
  const running = isRunning(state);
  const blocked = sendBlockedReason(state);
  const sendable = canSend(state) && draft.trim().length > 0 && draft.length <= MAX_MESSAGE_CHARS;
  // The conversation HEAD sees; steps of other branches stay saved and come back with a checkout.
  const steps = visibleSteps(state);
  const elsewhere = state.steps.length - steps.length;
  const lastRunId = steps[steps.length - 1]?.runId;
  const canGoBack = !running && state.synced;

  // A refused message comes back to the input (unless the user already typed something new).
  const returnedDraft = state.returnedDraft;
  const dispatch = chat.dispatch;
  useEffect(() => {
    if (returnedDraft === null) return;
    setDraft((current) => (current.trim() ? current : returnedDraft));
    dispatch({ type: "draft-taken" });
  }, [returnedDraft, dispatch]);

  // Follow the conversation while the reader is at its end; leave them be when they scrolled up.
  const streamedLength = state.streaming?.text.length ?? 0;
  // biome-ignore lint/correctness/useExhaustiveDependencies: scroll whenever the content grows
  useLayoutEffect(() => {
    const element = transcriptRef.current;
    if (element && stickToBottom.current) element.scrollTop = element.scrollHeight;
  }, [state.steps, streamedLength, state.pending, state.notices]);

  function submit(event?: FormEvent) {
    event?.preventDefault();
    if (!sendable) return;
    chat.send(draft.trim());
    setDraft("");
    stickToBottom.current = true;
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      submit();
    }
  }

  const empty = steps.length === 0 && !state.pending && !state.streaming;

  return (
    <section className="chat" aria-label="Chat">
      <div
        className="transcript"
        ref={transcriptRef}
        data-testid="transcript"
        onScroll={(event) => {
          const el = event.currentTarget;
          stickToBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
        }}
      >
        {empty && state.synced && (
          <div className="chat-empty" data-testid="chat-empty">
            <h2>What should the agent build?</h2>
            <p className="muted">Describe your data and the result you want. Try one of these:</p>
            <div className="suggestions">
              {SUGGESTIONS.map((text) => (
                <button
                  key={text}
                  type="button"
                  className="suggestion"
                  onClick={() => {
                    setDraft(text);
                    inputRef.current?.focus();
                  }}
                >
                  {text}
                </button>
              ))}
            </div>
          </div>
        )}
        {empty && !state.synced && state.connection.kind !== "closed" && (
          <div className="chat-empty muted">Loading the conversation…</div>
        )}
        <ol className="steps" aria-label="Conversation">
          {elsewhere > 0 && (
            <li className="message message-system" data-testid="other-branches">
              <span>
                {elsewhere === 1 ? "1 step is" : `${elsewhere} steps are`} on another branch of this
                conversation.
              </span>
              {steps.length > 0 && canGoBack && (
                <button
                  type="button"
                  className="link-button"
                  onClick={() => void chat.checkout("step-initial")}
                >
                  Start over from the beginning
                </button>
              )}
            </li>
          )}
          {steps.map((step, i) => (
            <StepCard
              key={`${step.runId}:${step.index}`}
              step={step}
              defaultOpen={step.runId === lastRunId}
              onShowOperator={onShowOperator}
              // going back to the last step would change nothing
              onGoBack={canGoBack && i < steps.length - 1 ? () => void chat.checkout(step.id) : undefined}
            />
          ))}
          {state.pending && (
            <li className="message message-user is-pending" data-testid="pending-message">
              <div className="bubble">{state.pending.content}</div>
              <span className="muted small">{state.pending.accepted ? "Received" : "Sending…"}</span>
            </li>
          )}
          {state.streaming && (
            <li
              className="message message-agent"
              data-testid="streaming-step"
              data-index={state.streaming.index}
            >
              <div className="step step-live">
                <div className="step-live-head">
                  <span className="step-number">Step {state.streaming.index}</span>
                  <span className="typing" aria-hidden="true">
                    <span />
                    <span />
                    <span />
                  </span>
                </div>
                <p className="streamed" data-testid="streaming-text">
                  {state.streaming.text}
                  <span className="caret" aria-hidden="true" />
                </p>
              </div>
            </li>
          )}
          {running && !state.streaming && (
            <li className="message message-thinking" data-testid="agent-working">
              <span className="typing" aria-hidden="true">
                <span />
                <span />
                <span />
              </span>
              {state.agentState === "STOPPING" ? "Stopping…" : "The agent is working…"}
            </li>
          )}
        </ol>
        {state.lastRun && !running && (
          <p
            className={`run-outcome outcome-${state.lastRun.reason}`}
            data-testid="run-outcome"
            data-reason={state.lastRun.reason}
          >
            {OUTCOME[state.lastRun.reason] ?? state.lastRun.reason}
          </p>
        )}
      </div>
      <div className="chat-notices" aria-live="polite">
        {state.notices.map((notice) => (
          <Notice
            key={notice.id}
            tone={notice.tone}
            onDismiss={() => chat.dispatch({ type: "dismiss", id: notice.id })}
            testId="chat-error"
          >
            {sentence(notice.message)}
          </Notice>
        ))}
        {state.connection.kind === "closed" && (
          <Notice tone="error" testId="connection-closed">
            <p>{sentence(state.connection.reason)}</p>
            <button type="button" className="button button-small" onClick={chat.reconnect}>
              Try to reconnect
            </button>
          </Notice>
        )}
      </div>
      <form className="composer" onSubmit={submit} data-testid="composer">
        <label htmlFor="message-input" className="visually-hidden">
          Message to the agent
        </label>
        <textarea
          id="message-input"
          ref={inputRef}
          rows={2}
          value={draft}
          placeholder="Ask the agent… (Enter to send, Shift+Enter for a new line)"
          onChange={(event) => setDraft(event.target.value)}
          onKeyDown={onKeyDown}
          aria-describedby="composer-hint"
          data-testid="message-input"
        />
        <div className="composer-actions">
          {running ? (
            <button
              type="button"
              className="button button-danger"
              onClick={chat.stop}
              disabled={state.agentState === "STOPPING"}
              data-testid="stop-run"
            >
              {state.agentState === "STOPPING" ? "Stopping…" : "Stop"}
            </button>
          ) : null}
          <button
            type="submit"
            className="button button-primary"
            disabled={!sendable}
            data-testid="send-message"
          >
            Send
          </button>
        </div>
        <p id="composer-hint" className="composer-hint" data-testid="composer-hint">
          {draft.length > MAX_MESSAGE_CHARS
            ? `Too long: ${draft.length.toLocaleString()} of ${MAX_MESSAGE_CHARS.toLocaleString()} characters.`
            : (blocked ?? "")}
        </p>
      </form>
    </section>
  );
}
