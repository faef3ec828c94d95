import { type SettingsView, WORKFLOW_TOOLS } from "@texera-agent/protocol";
import { type FormEvent, useEffect, useRef, useState } from "react";
import { describeError } from "../api-errors.ts";
import { useApi } from "../hooks/api-context.ts";
import { useAsync } from "../hooks/use-async.ts";
import { type SettingsDraft, settingsPatch, toDraft } from "../settings-form.ts";
import { Notice, Spinner } from "./ui.tsx";

/** Per-agent settings (GET/PATCH /api/agents/:id/settings) in a modal dialog. */
export function SettingsDialog({
  agentId,
  agentName,
  onClose,
  onSaved,
}: {
  agentId: string;
  agentName: string;
  onClose: () => void;
  onSaved: (settings: SettingsView) => void;
}) {
  const { api } = useApi();
  const dialogRef = useRef<HTMLDialogElement>(null);
  const [settings, reload] = useAsync(() => api.getSettings(agentId), [api, agentId]);
  const [draft, setDraft] = useState<SettingsDraft | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    const dialog = dialogRef.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);

  useEffect(() => {
    if (settings.status === "ready") setDraft(toDraft(settings.data));
  }, [settings]);

  async function save(event: FormEvent) {
    event.preventDefault();
    if (settings.status !== "ready" || !draft) return;
    const patch = settingsPatch(settings.data, draft);
    if (typeof patch === "string") {
      setError(patch);
      return;
    }
    if (Object.keys(patch).length === 0) {
      onClose();
      return;
    }
    setSaving(true);
    setError(null);
    try {
      onSaved(await api.updateSettings(agentId, patch));
      onClose();
    } catch (caught) {
      setError(describeError(caught));
    } finally {
      setSaving(false);
    }
  }

  const tools = draft ? [...new Set([...WORKFLOW_TOOLS, ...draft.disabledTools])] : [];

  return (
    <dialog
      ref={dialogRef}
      className="dialog"
      aria-labelledby="settings-title"
      data-testid="settings-dialog"
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
    >
      <form onSubmit={save} className="dialog-form">
        <header className="dialog-head">
          <h2 id="settings-title">Settings · {agentName}</h2>
          <button type="button" className="icon-button" onClick={onClose} aria-label="Close settings">
            ×
          </button>
        </header>
        {settings.status === "loading" && <Spinner label="Loading settings…" />}
        {settings.status === "error" && (
          <Notice tone="error">
            <p>Could not load the settings: {describeError(settings.error)}</p>
            <button type="button" className="button button-small" onClick={reload}>
              Try again
            </button>
          </Notice>
        )}
        {draft && settings.status === "ready" && (
          <div className="dialog-body">
            <label className="field">
              <span>Max steps</span>
              <input
                type="number"
                min={1}
                max={100}
                step={1}
                required
                value={draft.maxSteps}
                onChange={(event) => setDraft({ ...draft, maxSteps: event.target.value })}
                data-testid="settings-max-steps"
              />
              <small className="muted">
                How many model turns one message may take before the agent stops.
              </small>
            </label>
            <label className="field">
              <span>
                Temperature <output className="muted">{draft.temperature}</output>
              </span>
              <input
                type="range"
                min={0}
                max={2}
                step={0.1}
                value={draft.temperature}
                onChange={(event) => setDraft({ ...draft, temperature: event.target.value })}
                data-testid="settings-temperature"
              />
              <small className="muted">Lower is more predictable; higher is more varied.</small>
            </label>
            <label className="field">
              <span>Tool timeout (seconds)</span>
              <input
                type="number"
                min={0.1}
                max={600}
                step={0.1}
                required
                value={draft.toolTimeoutSeconds}
                onChange={(event) => setDraft({ ...draft, toolTimeoutSeconds: event.target.value })}
                data-testid="settings-tool-timeout"
              />
              <small className="muted">A tool call that takes longer fails, and the agent is told so.</small>
            </label>
            <fieldset className="field tools">
              <legend>Tools the agent may use</legend>
              {tools.map((tool) => (
                <label key={tool} className="check">
                  <input
                    type="checkbox"
                    checked={!draft.disabledTools.includes(tool)}
                    onChange={(event) =>
                      setDraft({
                        ...draft,
                        disabledTools: event.target.checked
                          ? draft.disabledTools.filter((t) => t !== tool)
                          : [...draft.disabledTools, tool],
                      })
                    }
                    data-testid={`settings-tool-${tool}`}
                  />
                  <code>{tool}</code>
                </label>
              ))}
            </fieldset>
          </div>
        )}
        {error && (
          <Notice tone="error" testId="settings-error">
            {error}
          </Notice>
        )}
        <footer className="dialog-foot">
          <button type="button" className="button button-quiet" onClick={onClose}>
            Cancel
          </button>
          <button
            type="submit"
            className="button button-primary"
            disabled={!draft || saving}
            data-testid="settings-save"
          >
            {saving ? "Saving…" : "Save"}
          </button>
        </footer>
      </form>
    </dialog>
  );
}
