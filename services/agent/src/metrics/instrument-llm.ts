import type { ChatCompletionChunk } from "openai/resources/chat/completions";
import type { LlmClient } from "../react/llm-client.ts";

export type LlmOutcome = "ok" | "error" | "aborted";

/** Where an instrumented client reports (see agentMetrics). `model` is always a modelLabel result. */
export interface LlmObserver {
  modelLabel(model: string): string;
  firstToken(model: string, seconds: number): void;
  finished(model: string, seconds: number, outcome: LlmOutcome): void;
  usage(model: string, promptTokens: number, completionTokens: number): void;
}

/**
 * The same client, timing each streamed chat completion: the first chunk that carries text or a tool call
 * (time to first token), the end of the stream or its failure (total), and the usage of its last chunk.
 * The chunks pass through untouched; a stream is measured once, however it ends.
 */
export function instrumentLlm(llm: LlmClient, observer: LlmObserver): LlmClient {
  return {
    baseUrl: llm.baseUrl,
    scrub: (text) => llm.scrub(text),
    listModels: (signal) => llm.listModels(signal),
    ...(llm.modelInfo ? { modelInfo: (signal: AbortSignal) => llm.modelInfo!(signal) } : {}),
    async streamChat(request, signal) {
      const model = observer.modelLabel(request.model);
      const started = performance.now();
      const seconds = () => (performance.now() - started) / 1000;
      let stream: AsyncIterable<ChatCompletionChunk[]>;
      try {
        stream = await llm.streamChat(request, signal);
      } catch (error) {
        observer.finished(model, seconds(), signal.aborted ? "aborted" : "error");
        throw error;
      }
      return {
        [Symbol.asyncIterator]() {
          const inner = stream[Symbol.asyncIterator]();
          let waitingForFirst = true;
          let ended = false;
          const end = (outcome: LlmOutcome) => {
            if (ended) return;
            ended = true;
            observer.finished(model, seconds(), signal.aborted ? "aborted" : outcome);
          };
          return {
            async next() {
              let result: IteratorResult<ChatCompletionChunk[]>;
              try {
                result = await inner.next();
              } catch (error) {
                end("error");
                throw error;
              }
              if (result.done) {
                end("ok");
                return result;
              }
              for (const chunk of result.value) {
                if (waitingForFirst) {
                  const delta = chunk.choices?.[0]?.delta;
                  if (delta?.content || delta?.tool_calls?.length) {
                    waitingForFirst = false;
                    observer.firstToken(model, seconds());
                  }
                }
                if (chunk.usage) {
                  observer.usage(model, chunk.usage.prompt_tokens ?? 0, chunk.usage.completion_tokens ?? 0);
                }
              }
              return result;
            },
            async return(value?: unknown) {
              // the consumer stopped early (abort, an error of its own): the stream did not finish
              end("aborted");
              return inner.return ? inner.return(value) : { done: true as const, value: undefined };
            },
          };
        },
      };
    },
  };
}
