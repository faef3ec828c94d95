import type { Agent } from "@texera-agent/protocol";

/** When the agent was last used: its latest step, else its creation. */
export function lastActive(agent: Pick<Agent, "lastActivityAt" | "createdAt">): string {
  return agent.lastActivityAt ?? agent.createdAt;
}

/**
 * The agents whose name or latest message holds every word of the query (any case), most recently
 * active first.
 */
export function filterAgents(agents: readonly Agent[], query: string): Agent[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  return agents
    .filter((agent) => {
      const text = `${agent.name} ${agent.preview ?? ""}`.toLowerCase();
      return words.every((word) => text.includes(word));
    })
    .sort((a, b) => lastActive(b).localeCompare(lastActive(a)));
}
