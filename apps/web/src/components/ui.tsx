import type { AgentState } from "@texera-agent/protocol";
import { type ReactNode, useEffect, useRef, useState } from "react";
import type { ConnectionStatus, LiveState } from "../agent-socket.ts";

const STATE_LABEL: Record<AgentState, string> = {
  AVAILABLE: "Ready",
  GENERATING: "Working",
  STOPPING: "Stopping",
  UNAVAILABLE: "Unavailable",
};

export function StateBadge({
  state,
  testId,
  live,
  label: override,
}: {
  state: AgentState | null;
  testId?: string;
  /** the connection, when the badge sits beside one (AgentStatus) */
  live?: LiveState;
  /** shown instead of the state (e.g. "Offline": the state is not known then) */
  label?: string;
}) {
  const label = override ?? (state ? STATE_LABEL[state] : "Connecting");
  return (
    <span
      className={`badge ${override ? `live-${live}` : `state-${(state ?? "unknown").toLowerCase()}`}`}
      data-testid={testId}
      data-state={state ?? "UNKNOWN"}
      data-live={live}
      title={
        override
          ? `Not connected to the agent: its state is not known${state ? ` (last: ${state})` : ""}`
          : state
            ? `Agent state: ${state}`
            : "Waiting for the agent's state"
      }
    >
      <span className="dot" aria-hidden="true" />
      {label}
    </span>
  );
}

export function ConnectionBadge({
  status,
  onReconnect,
  live,
}: {
  status: ConnectionStatus;
  onReconnect: () => void;
  live?: LiveState;
}) {
  const text = live === "offline" ? "This browser is offline" : connectionText(status);
  return (
    <span
      className={`connection connection-${status.kind}`}
      data-testid="connection-status"
      data-status={status.kind}
      data-live={live}
    >
      <span role="status">{text}</span>
      {(status.kind === "reconnecting" || status.kind === "closed") && (
        <button type="button" className="link-button" onClick={onReconnect} data-testid="reconnect-now">
          Reconnect now
        </button>
      )}
    </span>
  );
}

function connectionText(status: ConnectionStatus): string {
  switch (status.kind) {
    case "connecting":
      return status.attempt === 0 ? "Connecting…" : `Reconnecting (attempt ${status.attempt})…`;
    case "open":
      return "Live";
    case "reconnecting":
      return `Connection lost. Retrying in ${Math.max(1, Math.round(status.delayMs / 1000))} s`;
    case "closed":
      return "Disconnected";
  }
}

export function Notice({
  tone,
  children,
  onDismiss,
  testId,
}: {
  tone: "error" | "info" | "warning";
  children: ReactNode;
  onDismiss?: () => void;
  testId?: string;
}) {
  return (
    <div
      className={`notice notice-${tone}`}
      role={tone === "error" ? "alert" : "status"}
      data-testid={testId}
    >
      <div className="notice-body">{children}</div>
      {onDismiss && (
        <button type="button" className="icon-button" onClick={onDismiss} aria-label="Dismiss">
          ×
        </button>
      )}
    </div>
  );
}

export function Spinner({ label }: { label: string }) {
  return (
    <span className="spinner-wrap" role="status">
      <span className="spinner" aria-hidden="true" />
      <span>{label}</span>
    </span>
  );
}

/** A destructive action that asks once more, inline (no browser dialog, so it stays keyboard-friendly). */
export function ConfirmButton({
  label,
  question,
  confirmLabel,
  onConfirm,
  testId,
  disabled,
}: {
  label: string;
  question: string;
  confirmLabel: string;
  onConfirm: () => void | Promise<void>;
  testId: string;
  disabled?: boolean;
}) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const confirmRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (asking) confirmRef.current?.focus();
  }, [asking]);
  if (!asking) {
    return (
      <button
        type="button"
        className="button button-quiet"
        onClick={() => setAsking(true)}
        data-testid={testId}
        disabled={disabled}
      >
        {label}
      </button>
    );
  }
  return (
    <span className="confirm">
      <span className="confirm-question">{question}</span>
      <button
        ref={confirmRef}
        type="button"
        className="button button-danger"
        data-testid={`confirm-${testId}`}
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          try {
            await onConfirm();
          } finally {
            setBusy(false);
            setAsking(false);
          }
        }}
      >
        {confirmLabel}
      </button>
      <button
        type="button"
        className="button button-quiet"
        onClick={() => setAsking(false)}
        onKeyDown={(event) => event.key === "Escape" && setAsking(false)}
      >
        Cancel
      </button>
    </span>
  );
}

/**
 * The signed-in user's password, as the sign-in page and the re-sign-in dialog ask for it (one field, so
 * that password managers fill both alike).
 */
export function CurrentPasswordField({
  value,
  onChange,
  testId,
  autoFocus = false,
}: {
  value: string;
  onChange: (value: string) => void;
  testId: string;
  autoFocus?: boolean;
}) {
  return (
    <label className="field">
      <span>Password</span>
      <input
        name="password"
        type="password"
        autoComplete="current-password"
        required
        // biome-ignore lint/a11y/noAutofocus: set only where the password is the one thing asked
        autoFocus={autoFocus}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        data-testid={testId}
      />
    </label>
  );
}
