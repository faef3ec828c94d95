import { useCallback, useEffect, useState } from "react";
import { describeError } from "../api-errors.ts";
import type { ResultsFetch } from "../operator-results.ts";
import { useApi } from "./api-context.ts";

const LOADING: ResultsFetch = { list: null, loading: true, error: null };

/**
 * The agent's latest operator-results, fetched when the agent opens and again whenever `version` changes
 * (a new step that executed the workflow: operator-results.ts `resultsVersion`).
 */
export function useOperatorResults(agentId: string, version: string): ResultsFetch & { retry: () => void } {
  const { api } = useApi();
  const [state, setState] = useState<ResultsFetch & { agentId: string }>({ ...LOADING, agentId });
  const [attempt, setAttempt] = useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: version and attempt are triggers
  useEffect(() => {
    let current = true;
    // The rows shown stay until the new ones arrive, unless they are another agent's.
    setState((previous) =>
      previous.agentId === agentId ? { ...previous, loading: true } : { ...LOADING, agentId },
    );
    api.getOperatorResults(agentId).then(
      (list) => {
        if (current) setState({ list, loading: false, error: null, agentId });
      },
      (error: unknown) => {
        if (!current) return;
        setState((previous) => ({
          ...(previous.agentId === agentId ? previous : { ...LOADING, agentId }),
          loading: false,
          error: `Could not load the results: ${describeError(error)}`,
        }));
      },
    );
    return () => {
      current = false;
    };
  }, [api, agentId, version, attempt]);

  const retry = useCallback(() => setAttempt((n) => n + 1), []);
  const { list, loading, error } = state.agentId === agentId ? state : LOADING;
  return { list, loading, error, retry };
}
