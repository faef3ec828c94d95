import { MAX_MESSAGE_CHARS, type ReActStep } from "@texera-agent/protocol";
import { type KeyboardEvent, useEffect, useRef, useState } from "react";
import { StepCard } from "../components/StepCard.tsx";
import { plural } from "../format.ts";
import { ErrorView } from "./ErrorView.tsx";
import { copyText, Markdown } from "./Markdown.tsx";
import { latestOfBranch, parentOf, type Turn, versionsOf } from "./turns.ts";

/** The message that lets an agent stopped at its step limit go on. */
const CONTINUE = "Continue.";

export interface TurnActions {
  /** a new message may go out now (connected, idle) */
  canSend: boolean;
  /** HEAD may move now (idle, synced) */
  canGoBack: boolean;
  /** send `content` from step `fromStepId` (a branch beside what followed it) */
  resend: (fromStepId: string, content: string) => void;
  checkout: (stepId: string) => void;
  /** send a message from HEAD */
  send: (content: string) => void;
  onShowOperator: (operatorId: string) => void;
}

/**
 * One exchange: the message (edit and resend, its versions), the agent's work folded as "Worked for N
 * steps", then its answer in Markdown (copy, regenerate) or how the run ended (retry).
 */
export function TurnView({
  turn,
  all,
  isLast,
  live,
  headId,
  actions,
}: {
  turn: Turn;
  /** every step of every branch, for the versions of the message */
  all: readonly ReActStep[];
  isLast: boolean;
  /** the agent is working on this turn now */
  live: boolean;
  headId: string;
  actions: TurnActions;
}) {
  const { user, work, answer, notice } = turn;
  const resendHere = user ? () => actions.resend(parentOf(user), user.content) : undefined;
  const lastRunId = (answer ?? notice ?? work[work.length - 1])?.runId;
  return (
    <>
      {user && <UserMessage step={user} all={all} actions={actions} />}
      {work.length > 0 && (
        <WorkFold
          key={`${turn.key}:${live}`}
          steps={work}
          live={live}
          actions={actions}
          headId={headId}
          lastRunId={isLast ? lastRunId : undefined}
        />
      )}
      {answer && (
        <li
          className="message message-answer"
          data-testid={`step-${answer.index}`}
          data-kind="agent"
          data-answer="true"
        >
          <div className="answer">
            <Markdown text={answer.content} testId="answer-text" />
            {answer.truncated && (
              <p className="muted small">The answer was cut off at the model's output limit.</p>
            )}
          </div>
          <div className="message-actions">
            <CopyButton text={answer.content} />
            {isLast && resendHere && (
              <button
                type="button"
                className="action-button"
                onClick={resendHere}
                disabled={!actions.canSend}
                data-testid="regenerate"
                title="Ask again: a new answer, beside this one (both are kept)"
              >
                Regenerate
              </button>
            )}
            {answer.id !== headId && <GoBack step={answer} actions={actions} />}
          </div>
        </li>
      )}
      {notice && (
        <li
          className={`message message-notice${notice.error && notice.error !== "STOPPED" ? " is-error" : ""}`}
          data-testid={`step-${notice.index}`}
          data-kind="system"
        >
          {notice.error && notice.error !== "STOPPED" && notice.error !== "MAX_STEPS" ? (
            <ErrorView text={notice.content || "The run ended."} code={notice.error} at={notice.timestamp} />
          ) : (
            <p>{notice.content || "The run ended."}</p>
          )}
          <div className="message-actions">
            {isLast && notice.error === "MAX_STEPS" && (
              <button
                type="button"
                className="action-button action-primary"
                onClick={() => actions.send(CONTINUE)}
                disabled={!actions.canSend}
                data-testid="continue-run"
                title="Let the agent go on where it stopped (a new message: “Continue.”)"
              >
                Continue
              </button>
            )}
            {isLast && resendHere && (
              <button
                type="button"
                className={`action-button${notice.error === "MAX_STEPS" ? "" : " action-primary"}`}
                onClick={resendHere}
                disabled={!actions.canSend}
                data-testid="retry-run"
                title="Send the same message again, from the same place"
              >
                Retry
              </button>
            )}
            {notice.id !== headId && <GoBack step={notice} actions={actions} />}
          </div>
        </li>
      )}
    </>
  );
}

function GoBack({ step, actions }: { step: ReActStep; actions: TurnActions }) {
  return (
    <button
      type="button"
      className="action-button"
      data-testid={`go-back-${step.index}`}
      onClick={() => actions.checkout(step.id)}
      disabled={!actions.canGoBack}
      title="Restore the workflow as it was here; the next message continues from here (later steps stay saved)"
    >
      Continue from here
    </button>
  );
}

function CopyButton({ text }: { text: string }) {
  const [copied, setCopied] = useState<boolean | null>(null);
  useEffect(() => {
    if (copied === null) return;
    const timer = window.setTimeout(() => setCopied(null), 1500);
    return () => window.clearTimeout(timer);
  }, [copied]);
  return (
    <button
      type="button"
      className="action-button"
      onClick={() => void copyText(text).then(setCopied)}
      data-testid="copy-answer"
    >
      {copied === null ? "Copy" : copied ? "Copied" : "Copy failed"}
    </button>
  );
}

/** The agent's steps for one message, folded once it answered; open while it works. */
function WorkFold({
  steps,
  live,
  headId,
  lastRunId,
  actions,
}: {
  steps: ReActStep[];
  live: boolean;
  headId: string;
  lastRunId: string | undefined;
  actions: TurnActions;
}) {
  const [open, setOpen] = useState(live);
  const calls = steps.reduce((n, s) => n + (s.toolCalls?.length ?? 0), 0);
  return (
    <li className="message message-work" data-testid="work">
      <details className="work-fold" open={open} onToggle={(event) => setOpen(event.currentTarget.open)}>
        <summary data-testid="work-toggle">
          {live ? "Working" : "Worked"} for {plural(steps.length, "step")}
          {calls > 0 && <span className="muted"> · {plural(calls, "tool call")}</span>}
          <span className="muted work-hint">
            {" "}
            {open ? "(hide)" : "(show thoughts, tool calls and results)"}
          </span>
        </summary>
        <ol className="steps work-steps" aria-label="The agent's steps">
          {steps.map((step) => (
            <StepCard
              key={`${step.runId}:${step.index}`}
              step={step}
              defaultOpen={step.runId === lastRunId}
              onShowOperator={actions.onShowOperator}
              onGoBack={actions.canGoBack && step.id !== headId ? () => actions.checkout(step.id) : undefined}
            />
          ))}
        </ol>
      </details>
    </li>
  );
}

/** The user's message as written (no Markdown), with edit-and-resend and its versions. */
function UserMessage({
  step,
  all,
  actions,
}: {
  step: ReActStep;
  all: readonly ReActStep[];
  actions: TurnActions;
}) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(step.content);
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const versions = versionsOf(all, step);
  const at = versions.findIndex((v) => v.id === step.id);
  useEffect(() => {
    if (editing) inputRef.current?.focus();
  }, [editing]);

  function save() {
    const content = draft.trim();
    if (!content || content.length > MAX_MESSAGE_CHARS || !actions.canSend) return;
    setEditing(false);
    actions.resend(parentOf(step), content);
  }
  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === "Escape") setEditing(false);
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      save();
    }
  }

  return (
    <li className="message message-user" data-testid={`step-${step.index}`} data-kind="user">
      {editing ? (
        <div className="edit-message">
          <label className="visually-hidden" htmlFor={`edit-${step.id}`}>
            Edit your message
          </label>
          <textarea
            id={`edit-${step.id}`}
            ref={inputRef}
            value={draft}
            rows={3}
            onChange={(event) => setDraft(event.target.value)}
            onKeyDown={onKeyDown}
            data-testid="edit-input"
          />
          <div className="message-actions">
            <button type="button" className="action-button" onClick={() => setEditing(false)}>
              Cancel
            </button>
            <button
              type="button"
              className="button button-primary button-small"
              onClick={save}
              disabled={!actions.canSend || !draft.trim()}
              data-testid="edit-send"
            >
              Send
            </button>
          </div>
        </div>
      ) : (
        <div className="bubble">{step.content}</div>
      )}
      {!editing && (
        <div className="message-actions">
          {versions.length > 1 && (
            <span className="versions" data-testid="versions">
              <button
                type="button"
                className="action-button"
                aria-label="Previous version of this message"
                disabled={at <= 0 || !actions.canGoBack}
                onClick={() => actions.checkout(latestOfBranch(all, versions[at - 1]!.id))}
                data-testid="version-previous"
              >
                ‹
              </button>
              <span data-testid="version-label">
                {at + 1} / {versions.length}
              </span>
              <button
                type="button"
                className="action-button"
                aria-label="Next version of this message"
                disabled={at >= versions.length - 1 || !actions.canGoBack}
                onClick={() => actions.checkout(latestOfBranch(all, versions[at + 1]!.id))}
                data-testid="version-next"
              >
                ›
              </button>
            </span>
          )}
          <button
            type="button"
            className="action-button"
            onClick={() => {
              setDraft(step.content);
              setEditing(true);
            }}
            disabled={!actions.canSend}
            data-testid={`edit-${step.index}`}
            title="Change this message and send it again; the agent continues from before it (the old version stays)"
          >
            Edit
          </button>
        </div>
      )}
    </li>
  );
}
