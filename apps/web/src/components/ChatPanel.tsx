import { type DragEvent, useEffect, useLayoutEffect, useRef, useState } from "react";
import "../chat/chat.css";
import { Composer, type ComposerHandle } from "../chat/Composer.tsx";
import { ErrorView } from "../chat/ErrorView.tsx";
import { type TurnActions, TurnView } from "../chat/TurnView.tsx";
import { toTurns } from "../chat/turns.ts";
import { canSend, isRunning, sendBlockedReason, visibleSteps } from "../chat-reducer.ts";
import { sentence } from "../format.ts";
import type { AgentChat } from "../hooks/use-agent-chat.ts";
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
  const [dropping, setDropping] = useState(false);
  const composerRef = useRef<ComposerHandle>(null);
  const transcriptRef = useRef<HTMLDivElement>(null);
  const stickToBottom = useRef(true);
  const running = isRunning(state);
  const blocked = sendBlockedReason(state);
  // The conversation HEAD sees; steps of other branches stay saved and come back with a checkout.
  const steps = visibleSteps(state);
  const turns = toTurns(steps);
  const elsewhere = state.steps.length - steps.length;
  const canGoBack = !running && state.synced;
  const actions: TurnActions = {
    canSend: canSend(state) && !running,
    canGoBack,
    resend: (fromStepId, content) => {
      stickToBottom.current = true;
      void chat.resend(fromStepId, content);
    },
    checkout: (stepId) => void chat.checkout(stepId),
    send: (content) => send(content),
    onShowOperator,
  };

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

  function send(content: string) {
    chat.send(content);
    stickToBottom.current = true;
  }

  const hasFiles = (event: DragEvent) => event.dataTransfer.types.includes("Files");
  const empty = steps.length === 0 && !state.pending && !state.streaming;

  return (
    <section
      className={`chat${dropping ? " is-dropping" : ""}`}
      aria-label="Chat"
      onDragOver={(event) => {
        if (!hasFiles(event)) return;
        event.preventDefault();
        event.dataTransfer.dropEffect = "copy";
        setDropping(true);
      }}
      onDragLeave={(event) => {
        if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setDropping(false);
      }}
      onDrop={(event) => {
        if (!hasFiles(event)) return;
        event.preventDefault();
        setDropping(false);
        composerRef.current?.addFiles([...event.dataTransfer.files]);
      }}
      data-testid="chat"
    >
      {dropping && (
        <div className="drop-overlay" aria-hidden="true">
          Drop a CSV, JSON or Parquet file to upload it for the agent
        </div>
      )}
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
                    composerRef.current?.focus();
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
            <li className="message message-branches" data-testid="other-branches">
              <span>
                {elsewhere === 1 ? "1 step is" : `${elsewhere} steps are`} on other branches of this
                conversation: use ‹ › beside a message to switch versions, or “Continue from here” to go back
                to a step.
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
          {turns.map((turn, i) => (
            <TurnView
              key={turn.key}
              turn={turn}
              all={state.steps}
              isLast={i === turns.length - 1 && !state.pending}
              live={i === turns.length - 1 && running}
              headId={state.headId}
              actions={actions}
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
            {notice.code ? <ErrorView text={notice.message} code={notice.code} /> : sentence(notice.message)}
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
      <Composer
        handle={composerRef}
        draft={draft}
        setDraft={setDraft}
        canSend={canSend(state)}
        blocked={blocked}
        running={running}
        stopping={state.agentState === "STOPPING"}
        onSend={send}
        onStop={chat.stop}
      />
    </section>
  );
}
