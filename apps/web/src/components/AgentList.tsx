import type { Agent } from "@texera-agent/protocol";
import { useState } from "react";
import "../chat/agent-list.css";
import { describeError } from "../api-errors.ts";
import { filterAgents } from "../chat/agent-search.ts";
import { formatTime } from "../format.ts";
import type { AsyncState } from "../hooks/use-async.ts";
import { routeHash } from "../route.ts";
import { Notice, Spinner, StateBadge } from "./ui.tsx";

export function AgentList({
  agents,
  selectedId,
  onRetry,
}: {
  agents: AsyncState<Agent[]>;
  selectedId: string | null;
  onRetry: () => void;
}) {
  const [query, setQuery] = useState("");
  const shown = agents.status === "ready" ? filterAgents(agents.data, query) : [];
  return (
    <nav className="agent-list" aria-labelledby="agent-list-title" data-testid="agent-list">
      <h2 id="agent-list-title" className="section-title">
        Your agents
        {agents.status === "ready" && <span className="count">{agents.data.length}</span>}
      </h2>
      {agents.status === "loading" && <Spinner label="Loading agents…" />}
      {agents.status === "error" && (
        <Notice tone="error" testId="agents-error">
          <p>Could not load your agents: {describeError(agents.error)}</p>
          <button type="button" className="button button-small" onClick={onRetry}>
            Try again
          </button>
        </Notice>
      )}
      {agents.status === "ready" && agents.data.length === 0 && (
        <p className="muted empty-hint" data-testid="agents-empty">
          No agents yet. Pick a model above and create one.
        </p>
      )}
      {agents.status === "ready" && agents.data.length > 0 && (
        <div className="agent-search">
          <label htmlFor="agent-search" className="visually-hidden">
            Search agents
          </label>
          <input
            id="agent-search"
            type="search"
            placeholder="Search by name or message…"
            value={query}
            onChange={(event) => setQuery(event.target.value)}
            data-testid="agent-search"
          />
        </div>
      )}
      {agents.status === "ready" && agents.data.length > 0 && shown.length === 0 && (
        <p className="muted empty-hint" data-testid="agents-no-match" role="status">
          No agent matches “{query.trim()}”.
        </p>
      )}
      {agents.status === "ready" && shown.length > 0 && (
        <ul>
          {shown.map((agent) => (
            <li key={agent.id}>
              <a
                href={routeHash({ page: "agents", agentId: agent.id })}
                className="agent-item"
                aria-current={agent.id === selectedId ? "page" : undefined}
                data-testid={`agent-item-${agent.id}`}
                data-agent-name={agent.name}
              >
                <span className="agent-item-name">{agent.name}</span>
                {agent.preview && (
                  <span className="agent-item-preview" data-testid="agent-preview">
                    {agent.preview}
                  </span>
                )}
                <span className="agent-item-meta">
                  <span className="model-tag">{agent.modelType}</span>
                  <span
                    className="muted"
                    data-testid="agent-activity"
                    title={agent.lastActivityAt ? "Last activity" : "Created"}
                  >
                    {formatTime(agent.lastActivityAt ?? agent.createdAt)}
                  </span>
                </span>
                <StateBadge state={agent.state} />
              </a>
            </li>
          ))}
        </ul>
      )}
    </nav>
  );
}
