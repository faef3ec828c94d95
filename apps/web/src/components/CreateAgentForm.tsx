import type { Agent } from "@texera-agent/protocol";
import { type FormEvent, useState } from "react";
import { describeError } from "../api-errors.ts";
import { useApi } from "../hooks/api-context.ts";
import { ModelPicker } from "./ModelPicker.tsx";
import { Notice } from "./ui.tsx";

export function CreateAgentForm({ onCreated }: { onCreated: (agent: Agent) => void }) {
  const { api } = useApi();
  const [model, setModel] = useState("");
  const [name, setName] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!model) return;
    setBusy(true);
    setError(null);
    try {
      const trimmed = name.trim();
      const agent = await api.createAgent({ modelType: model, ...(trimmed ? { name: trimmed } : {}) });
      setName("");
      onCreated(agent);
    } catch (caught) {
      setError(describeError(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form
      className="create-agent"
      onSubmit={submit}
      aria-labelledby="create-agent-title"
      data-testid="create-agent-form"
    >
      <h2 id="create-agent-title" className="section-title">
        New agent
      </h2>
      <div className="field">
        <label htmlFor="new-agent-model">Model</label>
        <ModelPicker id="new-agent-model" value={model} onChange={setModel} />
      </div>
      <label className="field">
        <span>
          Name <span className="muted">(optional)</span>
        </span>
        <input
          value={name}
          maxLength={120}
          placeholder="e.g. Sales analysis"
          onChange={(event) => setName(event.target.value)}
          data-testid="agent-name-input"
        />
      </label>
      {error && (
        <Notice tone="error" testId="create-agent-error">
          {error}
        </Notice>
      )}
      <button
        type="submit"
        className="button button-primary button-block"
        disabled={!model || busy}
        data-testid="create-agent"
      >
        {busy ? "Creating…" : "Create agent"}
      </button>
    </form>
  );
}
