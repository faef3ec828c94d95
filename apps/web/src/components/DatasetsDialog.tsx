import type { Dataset } from "@texera-agent/protocol";
import { type ChangeEvent, useEffect, useRef, useState } from "react";
import { describeError } from "../api-errors.ts";
import { columnsText, formatBytes, sortDatasets, uploadContentType, uploadErrorText } from "../datasets.ts";
import { useApi } from "../hooks/api-context.ts";
import { useAsync } from "../hooks/use-async.ts";
import { formatCount } from "../operator-results.ts";
import { ConfirmButton, Notice, Spinner } from "./ui.tsx";

/** The user's datasets and the samples (GET/POST/DELETE /api/agents/datasets) in a modal dialog. */
export function DatasetsDialog({ onClose }: { onClose: () => void }) {
  const { api } = useApi();
  const dialogRef = useRef<HTMLDialogElement>(null);
  const [datasets, reload, update] = useAsync(() => api.listDatasets(), [api]);
  const [progress, setProgress] = useState<string | null>(null);
  const [message, setMessage] = useState<{ tone: "error" | "info"; text: string } | null>(null);

  useEffect(() => {
    const dialog = dialogRef.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);

  async function upload(event: ChangeEvent<HTMLInputElement>) {
    const input = event.currentTarget;
    const file = input.files?.[0];
    if (!file) return;
    setMessage(null);
    setProgress(`Uploading ${file.name} (${formatBytes(file.size)})…`);
    try {
      const created = await api.uploadDataset(file, file.name, { contentType: uploadContentType(file.name) });
      update((list) => [...list.filter((d) => d.id !== created.id), created]);
      setMessage({
        tone: "info",
        text: `Uploaded ${created.name}: ${formatCount(created.rowCount)} rows, ${created.columns.length} columns.`,
      });
    } catch (error) {
      setMessage({ tone: "error", text: uploadErrorText(error) });
    } finally {
      setProgress(null);
      input.value = "";
    }
  }

  async function remove(dataset: Dataset) {
    setMessage(null);
    try {
      await api.deleteDataset(dataset.id);
      update((list) => list.filter((d) => d.id !== dataset.id));
    } catch (error) {
      setMessage({ tone: "error", text: `Could not delete ${dataset.name}: ${describeError(error)}` });
    }
  }

  return (
    <dialog
      ref={dialogRef}
      className="dialog dialog-wide"
      aria-labelledby="datasets-title"
      data-testid="datasets-dialog"
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
    >
      <div className="dialog-form">
        <header className="dialog-head">
          <h2 id="datasets-title">Datasets</h2>
          <button type="button" className="icon-button" onClick={onClose} aria-label="Close datasets">
            ×
          </button>
        </header>
        <div className="dialog-body">
          <p className="muted small">
            Files the agent can read in a workflow (a file scan names them). Samples are shared and read-only.
          </p>
          <label className="field">
            <span>Upload a file (CSV, JSON, JSON lines or Parquet)</span>
            <input
              type="file"
              accept=".csv,.tsv,.json,.jsonl,.ndjson,.parquet"
              onChange={upload}
              disabled={progress !== null}
              data-testid="dataset-upload-input"
            />
          </label>
          {progress && (
            <p className="muted small" role="status" data-testid="dataset-upload-progress">
              {progress}
            </p>
          )}
          {message && (
            <Notice tone={message.tone} onDismiss={() => setMessage(null)} testId="datasets-message">
              {message.text}
            </Notice>
          )}
          {datasets.status === "loading" && <Spinner label="Loading datasets…" />}
          {datasets.status === "error" && (
            <Notice tone="error" testId="datasets-error">
              <p>Could not load the datasets: {describeError(datasets.error)}</p>
              <button type="button" className="button button-small" onClick={reload}>
                Try again
              </button>
            </Notice>
          )}
          {datasets.status === "ready" &&
            (datasets.data.length === 0 ? (
              <p className="muted" data-testid="datasets-empty">
                No datasets yet. Upload a file above.
              </p>
            ) : (
              <ul className="dataset-list" data-testid="datasets-list">
                {sortDatasets(datasets.data).map((dataset) => (
                  <li
                    key={dataset.id}
                    className="dataset-row"
                    data-testid={`dataset-row-${dataset.name}`}
                    data-sample={dataset.sample}
                  >
                    <div className="dataset-main">
                      <code className="dataset-name">{dataset.name}</code>
                      <span className="muted small">
                        {dataset.format.toUpperCase()} · {formatCount(dataset.rowCount)} rows ·{" "}
                        {formatBytes(dataset.sizeBytes)}
                        {dataset.sample ? " · sample (read-only)" : ""}
                      </span>
                      <span className="dataset-columns small">{columnsText(dataset)}</span>
                    </div>
                    {!dataset.sample && (
                      <ConfirmButton
                        label="Delete"
                        question={`Delete ${dataset.name}?`}
                        confirmLabel="Delete"
                        onConfirm={() => remove(dataset)}
                        testId={`dataset-delete-${dataset.name}`}
                      />
                    )}
                  </li>
                ))}
              </ul>
            ))}
        </div>
        <footer className="dialog-foot">
          <button type="button" className="button button-quiet" onClick={onClose}>
            Close
          </button>
        </footer>
      </div>
    </dialog>
  );
}
