import type { AgentState } from "@texera-agent/protocol";
import { type ConnectionStatus, type LiveState, liveState } from "../agent-socket.ts";
import { useOnline } from "../hooks/use-online.ts";
import { ConnectionBadge, StateBadge } from "./ui.tsx";

const LIVE_LABEL: Record<Exclude<LiveState, "live">, string> = {
  connecting: "Connecting",
  reconnecting: "Reconnecting",
  offline: "Offline",
  disconnected: "Disconnected",
};

/**
 * The agent's state and the connection, side by side. The agent's state is only shown while the socket is
 * live: a disconnected page cannot know it, so the badge says "Offline" or "Reconnecting" instead of a
 * stale "Ready" (data-state keeps the last state the server sent).
 */
export function AgentStatus({
  state,
  connection,
  onReconnect,
}: {
  state: AgentState | null;
  connection: ConnectionStatus;
  onReconnect: () => void;
}) {
  const live = liveState(connection, useOnline());
  return (
    <>
      {live === "live" ? (
        <StateBadge state={state} testId="agent-state" live={live} />
      ) : (
        <StateBadge state={state} testId="agent-state" live={live} label={LIVE_LABEL[live]} />
      )}
      <ConnectionBadge status={connection} onReconnect={onReconnect} live={live} />
    </>
  );
}
