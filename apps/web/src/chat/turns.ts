import { type ReActStep, ROOT_STEP_ID, stepKind } from "@texera-agent/protocol";

/**
 * One exchange of the conversation as people read it: the message, the work the agent did for it (its
 * ReAct steps), and then either its answer or the notice that ended the run (stopped, error, step limit).
 */
export interface Turn {
  key: string;
  /** null for steps saved without a user message before them */
  user: ReActStep | null;
  /** the agent's steps before its answer: thoughts, tool calls and their results */
  work: ReActStep[];
  /** the last model turn, when it has text and called no tool: the answer to the message */
  answer: ReActStep | null;
  /** the step that says how the run ended early */
  notice: ReActStep | null;
}

/** The conversation HEAD sees (from visibleSteps), grouped into turns. */
export function toTurns(steps: readonly ReActStep[]): Turn[] {
  const turns: Turn[] = [];
  let current: Turn | null = null;
  for (const step of steps) {
    const kind = stepKind(step);
    if (kind === "user" || current === null) {
      current = { key: step.id, user: kind === "user" ? step : null, work: [], answer: null, notice: null };
      turns.push(current);
      if (kind === "user") continue;
    }
    if (kind === "system") current.notice = step;
    else current.work.push(step);
  }
  for (const turn of turns) {
    const last = turn.work[turn.work.length - 1];
    if (last && last.content.trim() !== "" && (last.toolCalls ?? []).length === 0) {
      turn.answer = last;
      turn.work = turn.work.slice(0, -1);
    }
  }
  return turns;
}

/** Where a message was sent from: the step it follows (the root for the first message). */
export function parentOf(step: Pick<ReActStep, "parentId">): string {
  return step.parentId ?? ROOT_STEP_ID;
}

/**
 * The versions of a message: every user step sent from the same place (an edit, a retry or a regenerate
 * makes another), oldest first.
 */
export function versionsOf(all: readonly ReActStep[], user: ReActStep): ReActStep[] {
  const from = parentOf(user);
  return all.filter((s) => s.role === "user" && parentOf(s) === from).sort((a, b) => a.index - b.index);
}

/** The newest step of the branch that starts at `id` (the step itself when nothing follows it). */
export function latestOfBranch(all: readonly ReActStep[], id: string): string {
  const children = new Map<string, ReActStep[]>();
  for (const step of all) {
    const parent = parentOf(step);
    const list = children.get(parent);
    if (list) list.push(step);
    else children.set(parent, [step]);
  }
  let best: ReActStep | undefined = all.find((s) => s.id === id);
  const queue = [id];
  for (let at = queue.shift(); at !== undefined; at = queue.shift()) {
    for (const child of children.get(at) ?? []) {
      if (!best || child.index > best.index) best = child;
      queue.push(child.id);
    }
  }
  return best?.id ?? id;
}
