import { describe, expect, it, vi } from "vitest";
import { ApiClient } from "./api.ts";
import {
  type ApiError,
  ConflictError,
  ForbiddenError,
  NetworkError,
  NotFoundError,
  ServerError,
  UnauthorizedError,
  UpstreamUnavailableError,
  ValidationError,
} from "./api-errors.ts";

type Call = { url: string; init: RequestInit };

function fakeFetch(status: number, body: unknown, calls: Call[] = []): typeof fetch {
  return (async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    const text = typeof body === "string" ? body : body === undefined ? "" : JSON.stringify(body);
    return new Response(status === 204 ? null : text, { status });
  }) as unknown as typeof fetch;
}

function client(fetchImpl: typeof fetch, token: string | null = "jwt-1", onUnauthorized = vi.fn()) {
  return { api: new ApiClient({ getToken: () => token, fetch: fetchImpl, onUnauthorized }), onUnauthorized };
}

const agent = {
  id: "5f0c7a52-8f1e-4a7a-9a52-1f2e3d4c5b6a",
  name: "a",
  ownerId: 1,
  modelType: "m",
  state: "AVAILABLE",
  createdAt: "2025-01-01T00:00:00Z",
  settings: {},
};

describe("ApiClient", () => {
  it("sends the JWT as a Bearer header and JSON bodies", async () => {
    const calls: Call[] = [];
    const { api } = client(fakeFetch(201, agent, calls));
    const created = await api.createAgent({ modelType: "gpt", name: "Analyst" });
    expect(created.id).toBe(agent.id);
    expect(calls[0]?.url).toBe("/api/agents");
    expect(calls[0]?.init.method).toBe("POST");
    const headers = calls[0]!.init.headers as Record<string, string>;
    expect(headers.authorization).toBe("Bearer jwt-1");
    expect(headers["content-type"]).toBe("application/json");
    expect(JSON.parse(String(calls[0]?.init.body))).toEqual({ modelType: "gpt", name: "Analyst" });
  });

  it("does not send a token to login, and reads its answer", async () => {
    const calls: Call[] = [];
    const answer = {
      accessToken: "t",
      expiresAt: "2099-01-01T00:00:00Z",
      user: { id: 1, name: "u", role: "REGULAR" },
    };
    const { api } = client(fakeFetch(200, answer, calls), null);
    await expect(api.login({ username: "u", password: "p" })).resolves.toEqual(answer);
    expect((calls[0]!.init.headers as Record<string, string>).authorization).toBeUndefined();
  });

  it("a wrong password is a plain UnauthorizedError that does not sign anyone out", async () => {
    const { api, onUnauthorized } = client(fakeFetch(401, { error: "invalid credentials" }), null);
    const error = await api.login({ username: "u", password: "bad" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnauthorizedError);
    expect((error as Error).message).toMatch(/wrong user name or password/i);
    expect(onUnauthorized).not.toHaveBeenCalled();
  });

  it("a 401 on a signed-in call signs out through onUnauthorized and throws", async () => {
    const { api, onUnauthorized } = client(fakeFetch(401, { error: "token expired" }));
    const error = await api.listAgents().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnauthorizedError);
    expect((error as ApiError).code).toBe("unauthorized");
    expect((error as ApiError).serverMessage).toBe("token expired");
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
  });

  it("without a token it does not call the server at all", async () => {
    const calls: Call[] = [];
    const { api, onUnauthorized } = client(fakeFetch(200, { agents: [] }, calls), null);
    await expect(api.listAgents()).rejects.toBeInstanceOf(UnauthorizedError);
    expect(calls).toHaveLength(0);
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
  });

  it("maps each error status to its class with the server's words", async () => {
    const cases: [number, new (...args: never[]) => ApiError, string][] = [
      [403, ForbiddenError, "forbidden"],
      [404, NotFoundError, "not_found"],
      [400, ValidationError, "validation"],
      [422, ValidationError, "validation"],
      [409, ConflictError, "conflict"],
      [502, UpstreamUnavailableError, "upstream_unavailable"],
      [503, UpstreamUnavailableError, "upstream_unavailable"],
      [500, ServerError, "server"],
    ];
    for (const [status, errorClass, code] of cases) {
      const { api, onUnauthorized } = client(fakeFetch(status, { error: `said ${status}` }));
      const error = (await api.getAgent("x").catch((e: unknown) => e)) as ApiError;
      expect(error, `HTTP ${status}`).toBeInstanceOf(errorClass);
      expect(error.code).toBe(code);
      expect(error.status).toBe(status);
      expect(error.message).toMatch(new RegExp(`said ${status}`, "i"));
      expect(error.serverMessage).toBe(`said ${status}`);
      expect(onUnauthorized).not.toHaveBeenCalled();
    }
  });

  it("an unreachable LiteLLM (502) reads as such, not as an empty list", async () => {
    const { api } = client(fakeFetch(502, { error: "LiteLLM at http://localhost:4000 is unreachable" }));
    const error = (await api.listModels().catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(UpstreamUnavailableError);
    expect(error.message).toMatch(/LiteLLM .* unreachable/);
  });

  it("a proxy's HTML error page still gives a sentence", async () => {
    const { api } = client(fakeFetch(502, "<html><body>Bad Gateway</body></html>"));
    const error = (await api.listModels().catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(UpstreamUnavailableError);
    expect(error.message).toMatch(/not answering \(HTTP 502\)/);
  });

  it("a failed fetch is a NetworkError", async () => {
    const failing = (async () => {
      throw new TypeError("Failed to fetch");
    }) as unknown as typeof fetch;
    const { api } = client(failing);
    const error = (await api.listModels().catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(NetworkError);
    expect(error.status).toBe(0);
    expect(error.message).toMatch(/cannot reach the server/i);
  });

  it("unwraps list answers and rejects ones without the list", async () => {
    expect(await client(fakeFetch(200, { agents: [agent] })).api.listAgents()).toHaveLength(1);
    expect(await client(fakeFetch(200, { users: [] })).api.listUsers()).toEqual([]);
    await expect(client(fakeFetch(200, { nope: 1 })).api.listAgents()).rejects.toBeInstanceOf(ServerError);
  });

  it("accepts settings bare or wrapped, and escapes ids in paths", async () => {
    const settings = { modelType: "m", maxSteps: 3 };
    const calls: Call[] = [];
    const { api } = client(fakeFetch(200, { settings }, calls));
    expect(await api.updateSettings("a/b", { maxSteps: 3 })).toEqual(settings);
    expect(calls[0]?.url).toBe("/api/agents/a%2Fb/settings");
    expect(calls[0]?.init.method).toBe("PATCH");
    expect(await client(fakeFetch(200, settings)).api.getSettings("a")).toEqual(settings);
  });

  it("treats an empty 204 as success", async () => {
    await expect(client(fakeFetch(204, undefined)).api.deleteAgent("a")).resolves.toBeUndefined();
  });

  it("uploads a dataset as a raw body named in the query, and says 413 is too large", async () => {
    const calls: Call[] = [];
    const dataset = {
      id: "d1",
      name: "my orders.csv",
      format: "csv",
      rowCount: 2,
      columns: [],
      sample: false,
    };
    const { api } = client(fakeFetch(201, dataset, calls));
    const file = new Blob(["a,b\n1,2\n"], { type: "" });
    const created = await api.uploadDataset(file, "my orders.csv", { contentType: "text/csv" });
    expect(created.id).toBe("d1");
    expect(calls[0]?.url).toBe("/api/agents/datasets?name=my%20orders.csv");
    expect(calls[0]?.init.method).toBe("POST");
    expect(calls[0]?.init.body).toBe(file);
    const headers = calls[0]?.init.headers as Record<string, string>;
    expect(headers["content-type"]).toBe("text/csv");
    expect(headers.authorization).toBe("Bearer jwt-1");

    const tooLarge = client(fakeFetch(413, { error: "the upload is larger than the limit of 10 bytes" })).api;
    const error = await tooLarge.uploadDataset(file, "big.csv").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ApiError).status).toBe(413);
  });

  it("reads operator-results keyed by operator id back into rows, and refuses an answer without the map", async () => {
    const calls: Call[] = [];
    const answer = {
      executedAt: "2025-01-01T00:00:00Z",
      results: {
        op1: {
          state: "Completed",
          inputTuples: 0,
          outputTuples: 2,
          totalRowCount: 2,
          sampleRecords: [
            { a: 1, b: "x" },
            { a: 2, b: null },
          ],
          operatorType: "Filter",
          columns: [
            { name: "a", type: "BIGINT" },
            { name: "b", type: "VARCHAR" },
          ],
          truncated: false,
          elapsedMs: 3,
        },
      },
    };
    const { api } = client(fakeFetch(200, answer, calls));
    expect(await api.getOperatorResults("a/b")).toEqual({
      executedAt: "2025-01-01T00:00:00Z",
      results: [
        {
          operatorId: "op1",
          operatorType: "Filter",
          columns: answer.results.op1.columns,
          rows: [
            [1, "x"],
            [2, null],
          ],
          rowCount: 2,
          truncated: false,
          elapsedMs: 3,
        },
      ],
    });
    expect(calls[0]?.url).toBe("/api/agents/a%2Fb/operator-results");
    const bad = client(fakeFetch(200, { rows: [] })).api;
    await expect(bad.getOperatorResults("x")).rejects.toBeInstanceOf(ServerError);
  });
});
