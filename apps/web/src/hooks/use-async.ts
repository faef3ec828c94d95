import { type DependencyList, useCallback, useEffect, useState } from "react";

export type AsyncState<T> =
  | { status: "loading" }
  | { status: "ready"; data: T }
  | { status: "error"; error: unknown };

/** Runs `load` when `deps` change (or on reload) and tracks its outcome; stale answers are dropped. */
export function useAsync<T>(
  load: () => Promise<T>,
  deps: DependencyList,
): [AsyncState<T>, () => void, (update: (data: T) => T) => void] {
  const [state, setState] = useState<AsyncState<T>>({ status: "loading" });
  const [generation, setGeneration] = useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: the caller's deps decide when to reload
  useEffect(() => {
    let current = true;
    setState({ status: "loading" });
    load().then(
      (data) => current && setState({ status: "ready", data }),
      (error: unknown) => current && setState({ status: "error", error }),
    );
    return () => {
      current = false;
    };
  }, [...deps, generation]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  const update = useCallback(
    (change: (data: T) => T) =>
      setState((previous) =>
        previous.status === "ready" ? { status: "ready", data: change(previous.data) } : previous,
      ),
    [],
  );
  return [state, reload, update];
}
