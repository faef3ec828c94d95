import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLlmClient } from "../react/llm-client.ts";
import { ModelsService } from "./models.service.ts";

// An upstream that echoes agent-service's master key back, in the spellings LiteLLM or a proxy in front of
// it could use (LiteLLM's error body is {"error": {"message", "type", "param", "code"}}: ProxyException in
// BerriAI/litellm litellm/proxy/_types.py at 00025c847316ae5d1e0d453e53d204e81f710c3e). Neither the model list nor an error message may carry it on to a user.
const KEY = "sk-master-5f1c2b7a9e3d4c6b";
const spellings = [
  KEY.toUpperCase(),
  Buffer.from(KEY).toString("base64"),
  [...KEY].join(" "),
  Buffer.from(`Bearer ${KEY}`).toString("base64url"),
];
let mode: "list" | "error" = "list";
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  server = createServer((_req, res) => {
    res.setHeader("content-type", "application/json");
    if (mode === "error") {
      res.statusCode = 400;
      res.end(
        JSON.stringify({
          error: {
            message: `Authentication Error, invalid key ${spellings.join(" / ")}`,
            type: "auth_error",
            code: "400",
          },
        }),
      );
      return;
    }
    res.end(
      JSON.stringify({
        object: "list",
        data: spellings.map((s, i) => ({ id: `model-${i}-${s}`, object: "model", created: i, owned_by: s })),
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const hides = (text: string) => {
  for (const s of spellings) expect(text).not.toContain(s);
  expect(text.toLowerCase()).not.toContain("5f1c2b7a");
  expect(text).not.toContain(Buffer.from(KEY).toString("base64").slice(4, 16));
};

describe("/api/agents/models from an upstream that echoes the master key", () => {
  const service = () =>
    new ModelsService(createLlmClient({ baseUrl, masterKey: KEY }), {
      cacheSeconds: 0,
      timeoutMs: 5_000,
      now: Date.now,
    });

  it("lists models without the key in any spelling", async () => {
    mode = "list";
    const list = await service().list();
    expect(list.data).toHaveLength(spellings.length);
    hides(JSON.stringify(list));
  });

  it("reports an upstream error without the key in any spelling", async () => {
    mode = "error";
    const error = await service()
      .list()
      .then(
        () => undefined,
        (e: Error) => e,
      );
    expect(error?.message).toMatch(/did not list its models.*HTTP 400.*REDACTED/);
    hides(error!.message);
  });
});
