import { MAX_MESSAGE_CHARS } from "@texera-agent/protocol";
import {
  type ClipboardEvent,
  type FormEvent,
  type KeyboardEvent,
  type RefObject,
  useImperativeHandle,
  useRef,
  useState,
} from "react";
import { describeError } from "../api-errors.ts";
import { uploadContentType, uploadErrorText } from "../datasets.ts";
import { plural } from "../format.ts";
import { useApi } from "../hooks/api-context.ts";
import { type Attachment, uploadUnderFreeName, withDatasets } from "./attachments.ts";

export interface ComposerHandle {
  /** Uploads files given elsewhere (dropped on the chat). */
  addFiles: (files: readonly File[]) => void;
  setDraft: (text: string) => void;
  focus: () => void;
}

const ACCEPT = ".csv,.tsv,.json,.jsonl,.ndjson,.parquet";

/**
 * The message box: Enter sends, Shift+Enter breaks the line; files come in by the attach button, by
 * pasting or by dropping them on the chat. Each file is uploaded as a dataset at once (the server checks
 * its type) and the message sent gets a line "Uploaded dataset: NAME (…)" per file, for the agent.
 */
export function Composer({
  handle,
  draft,
  setDraft,
  canSend,
  blocked,
  running,
  stopping,
  onSend,
  onStop,
}: {
  handle: RefObject<ComposerHandle | null>;
  draft: string;
  setDraft: (text: string) => void;
  canSend: boolean;
  blocked: string | null;
  running: boolean;
  stopping: boolean;
  onSend: (content: string) => void;
  onStop: () => void;
}) {
  const { api } = useApi();
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const fileRef = useRef<HTMLInputElement>(null);
  const nextKey = useRef(1);
  const [attachments, setAttachments] = useState<Attachment[]>([]);
  const uploading = attachments.some((a) => a.status === "uploading");
  const ready = attachments.some((a) => a.status === "ready");
  const content = withDatasets(draft, attachments);
  const sendable =
    canSend && !uploading && (draft.trim().length > 0 || ready) && content.length <= MAX_MESSAGE_CHARS;

  function addFiles(files: readonly File[]) {
    for (const file of files) {
      const key = nextKey.current++;
      setAttachments((list) => [...list, { key, name: file.name, status: "uploading" }]);
      uploadUnderFreeName(
        (name) => api.uploadDataset(file, name, { contentType: uploadContentType(file.name) }),
        file.name,
      ).then(
        (dataset) =>
          setAttachments((list) =>
            list.map((a) => (a.key === key ? { key, name: dataset.name, status: "ready", dataset } : a)),
          ),
        (error: unknown) =>
          setAttachments((list) =>
            list.map((a) =>
              a.key === key
                ? {
                    key,
                    name: file.name,
                    status: "failed",
                    error: uploadErrorText(error) || describeError(error),
                  }
                : a,
            ),
          ),
      );
    }
  }

  useImperativeHandle(handle, () => ({
    addFiles,
    setDraft,
    focus: () => inputRef.current?.focus(),
  }));

  function submit(event?: FormEvent) {
    event?.preventDefault();
    if (!sendable) return;
    onSend(content);
    setDraft("");
    setAttachments([]);
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      submit();
    }
  }

  function onPaste(event: ClipboardEvent<HTMLTextAreaElement>) {
    const files = [...event.clipboardData.files];
    if (files.length === 0) return; // text is pasted as usual
    event.preventDefault();
    addFiles(files);
  }

  const hint =
    content.length > MAX_MESSAGE_CHARS
      ? `Too long: ${content.length.toLocaleString()} of ${MAX_MESSAGE_CHARS.toLocaleString()} characters.`
      : uploading
        ? "Uploading…"
        : (blocked ?? "");

  return (
    <form className="composer" onSubmit={submit} data-testid="composer">
      {attachments.length > 0 && (
        <ul className="attachments" aria-label="Attached files" data-testid="attachments">
          {attachments.map((a) => (
            <li
              key={a.key}
              className={`attachment attachment-${a.status}`}
              data-testid="attachment"
              data-status={a.status}
              data-name={a.name}
            >
              <span className="attachment-name">{a.name}</span>
              <span className="attachment-state" role={a.status === "failed" ? "alert" : undefined}>
                {a.status === "uploading"
                  ? "uploading…"
                  : a.status === "ready"
                    ? `${plural(a.dataset.rowCount, "row")}, ${plural(a.dataset.columns.length, "column")}`
                    : a.error}
              </span>
              <button
                type="button"
                className="icon-button"
                aria-label={`Remove ${a.name}`}
                onClick={() => setAttachments((list) => list.filter((x) => x.key !== a.key))}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <label htmlFor="message-input" className="visually-hidden">
        Message to the agent
      </label>
      <textarea
        id="message-input"
        ref={inputRef}
        rows={2}
        value={draft}
        placeholder="Ask the agent… (Enter to send, Shift+Enter for a new line; drop or paste a data file to attach it)"
        onChange={(event) => setDraft(event.target.value)}
        onKeyDown={onKeyDown}
        onPaste={onPaste}
        aria-describedby="composer-hint"
        data-testid="message-input"
      />
      <div className="composer-actions">
        <input
          ref={fileRef}
          type="file"
          accept={ACCEPT}
          multiple
          hidden
          onChange={(event) => {
            addFiles([...(event.currentTarget.files ?? [])]);
            event.currentTarget.value = "";
          }}
          data-testid="attach-input"
        />
        <button
          type="button"
          className="button button-quiet attach-button"
          onClick={() => fileRef.current?.click()}
          aria-label="Attach a data file (CSV, JSON or Parquet)"
          title="Attach a data file (CSV, JSON or Parquet): it is uploaded as a dataset the agent can read"
          data-testid="attach-file"
        >
          Attach
        </button>
        {running ? (
          <button
            type="button"
            className="button button-danger"
            onClick={onStop}
            disabled={stopping}
            data-testid="stop-run"
          >
            {stopping ? "Stopping…" : "Stop"}
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
        {hint}
      </p>
    </form>
  );
}
