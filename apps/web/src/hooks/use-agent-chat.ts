import { useCallback, useEffect, useReducer, useRef, useState } from "react";
import { AgentSocket, ticketSocketUrl } from "../agent-socket.ts";
import { describeError, ForbiddenError, NotFoundError, UnauthorizedError } from "../api-errors.ts";
import { type ChatAction, type ChatState, chatReducer, initialChatState } from "../chat-reducer.ts";
import { useApi } from "./api-context.ts";

export interface AgentChat {
  state: ChatState;
  dispatch: (action: ChatAction) => void;
  send: (content: string) => void;
  stop: () => void;
  clear: () => Promise<void>;
  /** Goes back to a step (Texera's checkout): the workflow after it returns, the next message continues there. */
  checkout: (stepId: string) => Promise<void>;
  /**
   * Sends `content` as if HEAD were `fromStepId`: HEAD moves there first (checkout), so the message starts
   * a branch beside the old one (retry, regenerate, edit and resend). The old branch stays saved.
   */
  resend: (fromStepId: string, content: string) => Promise<void>;
  /** Empties the workflow and keeps the conversation. */
  clearWorkflow: () => Promise<void>;
  /** Connects at once: skips a pending backoff wait, or starts over after the socket gave up. */
  reconnect: () => void;
}

/** One agent's live chat: the socket (opened with a ws-ticket), its frames folded by chatReducer. */
export function useAgentChat(agentId: string): AgentChat {
  const { api, session } = useApi();
  const [state, dispatch] = useReducer(chatReducer, undefined, initialChatState);
  const socketRef = useRef<AgentSocket | null>(null);
  const [generation, setGeneration] = useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: generation restarts the socket on purpose
  useEffect(() => {
    const socket = new AgentSocket({
      // a fresh single-use ticket per attempt: the JWT itself never goes into a URL
      url: () => api.wsTicket(agentId).then((t) => ticketSocketUrl(window.location, t.path)),
      onFrame: (frame) => dispatch({ type: "frame", frame }),
      onStatus: (status) => dispatch({ type: "connection", status }),
      check: async () => {
        try {
          await api.getAgent(agentId);
          return null;
        } catch (error) {
          if (error instanceof UnauthorizedError) return error.message;
          if (error instanceof NotFoundError) {
            return "This agent no longer exists: it may have been deleted in another tab.";
          }
          if (error instanceof ForbiddenError) return error.message;
          return null; // offline or a service restarting: keep trying
        }
      },
      onInvalidFrame: () => console.warn("Ignored a frame from the server that does not match the protocol."),
    });
    socketRef.current = socket;
    socket.start();
    const online = () => socket.reconnectNow();
    window.addEventListener("online", online);
    return () => {
      window.removeEventListener("online", online);
      socket.close();
      socketRef.current = null;
    };
  }, [agentId, api, session.accessToken, generation]);

  const send = useCallback((content: string) => {
    dispatch({ type: "sent", content });
    if (!socketRef.current?.send({ type: "message", content })) {
      dispatch({
        type: "send-failed",
        content,
        message: "Not connected to the agent, so the message was not sent. It is back in the input.",
      });
    }
  }, []);

  const stop = useCallback(() => {
    if (socketRef.current?.send({ type: "stop" })) return;
    api.stopAgent(agentId).catch((error: unknown) => {
      dispatch({
        type: "notice",
        tone: "error",
        message: `Could not stop the agent: ${describeError(error)}`,
      });
    });
  }, [api, agentId]);

  const clear = useCallback(async () => {
    try {
      await api.clearAgent(agentId);
      dispatch({ type: "cleared" });
      dispatch({ type: "workflow", workflow: await api.getWorkflow(agentId) });
    } catch (error) {
      dispatch({
        type: "notice",
        tone: "error",
        message: `Could not clear the conversation: ${describeError(error)}`,
      });
    }
  }, [api, agentId]);

  const checkout = useCallback(
    async (stepId: string) => {
      try {
        await api.checkout(agentId, stepId); // the socket's headChange frame updates the view
      } catch (error) {
        dispatch({ type: "notice", tone: "error", message: `Could not go back: ${describeError(error)}` });
      }
    },
    [api, agentId],
  );

  const resend = useCallback(
    async (fromStepId: string, content: string) => {
      try {
        // the server wrote headChange on the socket before it reads the message sent next, so the new
        // user step's frame comes after it and the view ends on the new branch
        await api.checkout(agentId, fromStepId);
      } catch (error) {
        dispatch({
          type: "notice",
          tone: "error",
          message: `Could not send it again: ${describeError(error)}`,
        });
        return;
      }
      send(content);
    },
    [api, agentId, send],
  );

  const clearWorkflow = useCallback(async () => {
    try {
      dispatch({ type: "workflow", workflow: await api.clearWorkflow(agentId) });
    } catch (error) {
      dispatch({
        type: "notice",
        tone: "error",
        message: `Could not clear the workflow: ${describeError(error)}`,
      });
    }
  }, [api, agentId]);

  const reconnect = useCallback(() => {
    if (state.connection.kind === "closed") setGeneration((g) => g + 1);
    else socketRef.current?.reconnectNow();
  }, [state.connection.kind]);

  return { state, dispatch, send, stop, clear, checkout, resend, clearWorkflow, reconnect };
}
