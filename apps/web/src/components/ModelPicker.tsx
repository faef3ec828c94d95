import type { ModelList } from "@texera-agent/protocol";
import { useEffect } from "react";
import { UpstreamUnavailableError } from "../api-errors.ts";
import { useApi } from "../hooks/api-context.ts";
import { useAsync } from "../hooks/use-async.ts";

/** The models LiteLLM offers (GET /api/agents/models), with loading, empty and error states. */
export function ModelPicker({
  id,
  value,
  onChange,
}: {
  id: string;
  value: string;
  onChange: (model: string) => void;
}) {
  const { api } = useApi();
  const [models, reload] = useAsync<ModelList>(() => api.listModels(), [api]);
  const first = models.status === "ready" ? models.data.data.find((m) => !m.pattern)?.id : undefined;
  const patterns = models.status === "ready" ? models.data.data.filter((m) => m.pattern) : [];

  // Pick the first model once the list arrives, so "Create" works straight away.
  useEffect(() => {
    if (first && !value) onChange(first);
  }, [first, value, onChange]);

  if (models.status === "loading") {
    return (
      <select id={id} disabled aria-busy="true" data-testid="model-picker" data-state="loading">
        <option>Loading models…</option>
      </select>
    );
  }
  if (models.status === "error") {
    const { error } = models;
    const text =
      error instanceof UpstreamUnavailableError
        ? `The model gateway (LiteLLM) is unreachable, so no models can be listed. ${error.serverMessage ?? ""}`.trim()
        : `Could not load the models: ${error instanceof Error ? error.message : "unknown error"}`;
    return (
      <div className="picker-problem" role="alert" data-testid="models-error">
        <p>{text}</p>
        <button type="button" className="button button-small" onClick={reload} data-testid="retry-models">
          Try again
        </button>
      </div>
    );
  }
  if (models.data.data.length === 0) {
    return (
      <div className="picker-problem" role="status" data-testid="models-empty">
        <p>No models are configured in the model gateway. Ask an operator to add one to LiteLLM.</p>
        <button type="button" className="button button-small" onClick={reload}>
          Check again
        </button>
      </div>
    );
  }
  const listed = models.data.data.filter((m) => !m.pattern);
  const select = (
    <select
      id={id}
      value={patterns.length === 0 || listed.some((m) => m.id === value) ? value : ""}
      onChange={(event) => onChange(event.target.value)}
      data-testid="model-picker"
      data-state="ready"
      required={patterns.length === 0}
    >
      {patterns.length > 0 && !listed.some((m) => m.id === value) ? <option value="">—</option> : null}
      {listed.map((model) => (
        <option key={model.id} value={model.id}>
          {model.id}
        </option>
      ))}
    </select>
  );
  if (patterns.length === 0) return select;
  // Wildcard routes: any model name they match can be typed in.
  return (
    <span className="model-picker-with-patterns">
      {listed.length > 0 ? select : null}
      <input
        type="text"
        aria-label="Model name"
        placeholder={`a model matching ${patterns.map((p) => p.id).join(" or ")}`}
        value={value}
        onChange={(event) => onChange(event.target.value.trim())}
        data-testid="model-name-input"
        required
      />
    </span>
  );
}
