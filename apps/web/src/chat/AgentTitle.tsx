import type { Agent } from "@texera-agent/protocol";
import { type FormEvent, useEffect, useRef, useState } from "react";
import { describeError } from "../api-errors.ts";
import { useApi } from "../hooks/api-context.ts";

/** The agent's name as the page's heading, renamed in place (PATCH /api/agents/:id). */
export function AgentTitle({ agent, onRenamed }: { agent: Agent | null; onRenamed: (agent: Agent) => void }) {
  const { api } = useApi();
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (editing) inputRef.current?.select();
  }, [editing]);

  async function save(event: FormEvent) {
    event.preventDefault();
    if (!agent) return;
    const wanted = name.trim();
    if (wanted === agent.name) return setEditing(false);
    setBusy(true);
    setError(null);
    try {
      onRenamed(await api.renameAgent(agent.id, wanted));
      setEditing(false);
    } catch (failure) {
      setError(`Could not rename: ${describeError(failure)}`);
    } finally {
      setBusy(false);
    }
  }

  if (!editing) {
    return (
      <div className="agent-title-row">
        <h1 id="agent-title" data-testid="agent-title">
          {agent?.name ?? "Agent"}
        </h1>
        {agent && (
          <button
            type="button"
            className="action-button"
            onClick={() => {
              setName(agent.name);
              setError(null);
              setEditing(true);
            }}
            aria-label={`Rename ${agent.name}`}
            data-testid="rename-agent"
          >
            Rename
          </button>
        )}
      </div>
    );
  }
  return (
    <form className="agent-title-row rename-form" onSubmit={save} data-testid="rename-form">
      <h1 id="agent-title" className="visually-hidden">
        {agent?.name ?? "Agent"}
      </h1>
      <label htmlFor="agent-name-edit" className="visually-hidden">
        Agent name
      </label>
      <input
        id="agent-name-edit"
        ref={inputRef}
        value={name}
        maxLength={120}
        required
        onChange={(event) => setName(event.target.value)}
        onKeyDown={(event) => event.key === "Escape" && setEditing(false)}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? "rename-error" : undefined}
        data-testid="rename-input"
      />
      <button type="submit" className="button button-primary button-small" disabled={busy || !name.trim()}>
        Save
      </button>
      <button type="button" className="button button-quiet button-small" onClick={() => setEditing(false)}>
        Cancel
      </button>
      {error && (
        <span id="rename-error" className="rename-error" role="alert" data-testid="rename-error">
          {error}
        </span>
      )}
    </form>
  );
}
