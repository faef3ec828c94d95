import type { Agent } from "@texera-agent/protocol";
import { useEffect, useMemo, useState } from "react";
import { describeError } from "../api-errors.ts";
import { AgentTitle } from "../chat/AgentTitle.tsx";
import { useApi } from "../hooks/api-context.ts";
import { useAgentChat } from "../hooks/use-agent-chat.ts";
import { useOperatorResults } from "../hooks/use-operator-results.ts";
import { edgeRowLabels, latestSummaries, resultsVersion } from "../operator-results.ts";
import { AgentStatus } from "./AgentStatus.tsx";
import { ChatPanel } from "./ChatPanel.tsx";
import { SettingsDialog } from "./SettingsDialog.tsx";
import { ConfirmButton, Notice } from "./ui.tsx";
import { WorkflowPanel } from "./WorkflowPanel.tsx";

type Pane = "chat" | "workflow";

/** One open agent: header, chat and workflow side by side (tabs on a narrow window), settings. */
export function AgentWorkspace({
  agentId,
  knownAgent,
  onBack,
  onAgentChanged,
  onDeleted,
}: {
  agentId: string;
  knownAgent: Agent | undefined;
  onBack: () => void;
  onAgentChanged: (agent: Agent) => void;
  onDeleted: () => void;
}) {
  const { api } = useApi();
  const chat = useAgentChat(agentId);
  const { state } = chat;
  const [name, setName] = useState<string | null>(null);
  const known = state.agent ?? knownAgent ?? null;
  // a rename here shows at once (the socket's copy of the agent keeps the name it had at init)
  const agent = known && name !== null ? { ...known, name } : known;
  const [pane, setPane] = useState<Pane>("chat");
  const [settingsOpen, setSettingsOpen] = useState(false);
  const [selectedOperator, setSelectedOperator] = useState<string | null>(null);
  const [deleteError, setDeleteError] = useState<string | null>(null);
  // Fetched when the agent opens, and again when a step that executed the workflow arrives.
  const results = useOperatorResults(agentId, resultsVersion(state.steps));
  const edgeLabels = useMemo(
    () => edgeRowLabels(state.workflow, latestSummaries(state.steps, results.list)),
    [state.workflow, state.steps, results.list],
  );

  // Keep the sidebar's copy of this agent (its state badge) in step with the live one.
  const liveAgent = state.agent;
  useEffect(() => {
    if (liveAgent) onAgentChanged(name !== null ? { ...liveAgent, name } : liveAgent);
  }, [liveAgent, name, onAgentChanged]);

  // A selected operator that the agent deleted is no longer selected.
  useEffect(() => {
    if (selectedOperator && !state.workflow.operators.some((op) => op.operatorID === selectedOperator)) {
      setSelectedOperator(null);
    }
  }, [state.workflow, selectedOperator]);

  async function deleteAgent() {
    setDeleteError(null);
    try {
      await api.deleteAgent(agentId);
      onDeleted();
    } catch (error) {
      setDeleteError(`Could not delete the agent: ${describeError(error)}`);
    }
  }

  return (
    <section
      className="workspace"
      aria-labelledby="agent-title"
      data-testid="agent-workspace"
      data-pane={pane}
    >
      <header className="workspace-header">
        <button
          type="button"
          className="button button-quiet back-button"
          onClick={onBack}
          aria-label="Back to agents"
        >
          ← Agents
        </button>
        <div className="workspace-title">
          <AgentTitle
            agent={agent}
            onRenamed={(renamed) => {
              setName(renamed.name);
              onAgentChanged(renamed);
            }}
          />
          <div className="workspace-meta">
            {agent && (
              <span className="model-tag" data-testid="agent-model">
                {agent.modelType}
              </span>
            )}
            <AgentStatus
              state={state.agentState ?? agent?.state ?? null}
              connection={state.connection}
              onReconnect={chat.reconnect}
            />
          </div>
        </div>
        <div className="workspace-actions">
          <button
            type="button"
            className="button button-quiet"
            onClick={() => setSettingsOpen(true)}
            data-testid="open-settings"
          >
            Settings
          </button>
          <ConfirmButton
            label="Clear chat"
            question="Clear this conversation?"
            confirmLabel="Clear"
            onConfirm={chat.clear}
            testId="clear-conversation"
            disabled={state.agentState === "GENERATING" || state.steps.length === 0}
          />
          <ConfirmButton
            label="Clear workflow"
            question="Remove every operator? (The chat stays; “Continue from here” brings a step's workflow back.)"
            confirmLabel="Clear workflow"
            onConfirm={chat.clearWorkflow}
            testId="clear-workflow"
            disabled={state.agentState === "GENERATING" || state.workflow.operators.length === 0}
          />
          <ConfirmButton
            label="Delete"
            question="Delete this agent and its workflow?"
            confirmLabel="Delete agent"
            onConfirm={deleteAgent}
            testId="delete-agent"
          />
        </div>
      </header>
      {deleteError && (
        <Notice tone="error" onDismiss={() => setDeleteError(null)} testId="delete-agent-error">
          {deleteError}
        </Notice>
      )}
      <div className="pane-tabs" role="tablist" aria-label="View">
        {(["chat", "workflow"] as const).map((name) => (
          <button
            key={name}
            type="button"
            role="tab"
            id={`tab-${name}`}
            aria-selected={pane === name}
            aria-controls={`pane-${name}`}
            className="pane-tab"
            onClick={() => setPane(name)}
            data-testid={`tab-${name}`}
          >
            {name === "chat" ? "Chat" : `Workflow (${state.workflow.operators.length})`}
          </button>
        ))}
      </div>
      <div className="workspace-body">
        <div id="pane-chat" className="pane pane-chat" role="tabpanel" aria-labelledby="tab-chat">
          <ChatPanel
            chat={chat}
            onShowOperator={(operatorId) => {
              setSelectedOperator(operatorId);
              setPane("workflow");
            }}
          />
        </div>
        <div id="pane-workflow" className="pane pane-workflow" role="tabpanel" aria-labelledby="tab-workflow">
          <WorkflowPanel
            workflow={state.workflow}
            touched={state.touchedOperators}
            selectedId={selectedOperator}
            onSelect={setSelectedOperator}
            edgeLabels={edgeLabels}
            results={results}
            onRetryResults={results.retry}
          />
        </div>
      </div>
      {settingsOpen && (
        <SettingsDialog
          agentId={agentId}
          agentName={agent?.name ?? "agent"}
          onClose={() => setSettingsOpen(false)}
          onSaved={(settings) =>
            agent && onAgentChanged({ ...agent, settings, modelType: settings.modelType })
          }
        />
      )}
    </section>
  );
}
