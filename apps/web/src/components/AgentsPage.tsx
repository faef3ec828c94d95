import type { Agent } from "@texera-agent/protocol";
import { useCallback } from "react";
import { useApi } from "../hooks/api-context.ts";
import { useAsync } from "../hooks/use-async.ts";
import { AgentList } from "./AgentList.tsx";
import { AgentWorkspace } from "./AgentWorkspace.tsx";
import { CreateAgentForm } from "./CreateAgentForm.tsx";

export function AgentsPage({
  agentId,
  onOpen,
}: {
  agentId: string | null;
  onOpen: (agentId: string | null) => void;
}) {
  const { api } = useApi();
  const [agents, reload, update] = useAsync<Agent[]>(() => api.listAgents(), [api]);

  const onAgentChanged = useCallback(
    (changed: Agent) =>
      update((list) => list.map((agent) => (agent.id === changed.id ? { ...agent, ...changed } : agent))),
    [update],
  );
  const known = agents.status === "ready" ? agents.data.find((agent) => agent.id === agentId) : undefined;

  return (
    <div className="agents-page" data-has-agent={agentId ? "true" : "false"}>
      <aside className="sidebar" aria-label="Agents">
        <CreateAgentForm
          onCreated={(agent) => {
            update((list) => [agent, ...list.filter((a) => a.id !== agent.id)]);
            onOpen(agent.id);
          }}
        />
        <AgentList agents={agents} selectedId={agentId} onRetry={reload} />
      </aside>
      <main className="workspace-area">
        {agentId ? (
          <AgentWorkspace
            key={agentId}
            agentId={agentId}
            knownAgent={known}
            onBack={() => onOpen(null)}
            onAgentChanged={onAgentChanged}
            onDeleted={() => {
              update((list) => list.filter((agent) => agent.id !== agentId));
              onOpen(null);
            }}
          />
        ) : (
          <div className="empty-workspace" data-testid="no-agent-selected">
            <div className="empty-illustration" aria-hidden="true">
              <span />
              <span />
              <span />
            </div>
            <h1>Pick an agent, or create one</h1>
            <p className="muted">
              An agent builds a dataflow workflow for you: describe the data you have and what you want from
              it, and watch the operators appear.
            </p>
          </div>
        )}
      </main>
    </div>
  );
}
