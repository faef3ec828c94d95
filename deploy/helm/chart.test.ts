// The texera-agent chart, rendered by a real helm binary and checked against the CRDs in ../shared/k8s-crds.

import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { BlockList, isIP } from "node:net";
import { join, resolve } from "node:path";
import { trustedProxyEntries } from "@texera-agent/service-kit";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { helmUnavailable } from "../../scripts/helm.mjs";
import { type CrdValidator, createCrdValidator, type Manifest } from "./test/crd-validator.ts";
import { chartDir, lint, render, repoRoot, template } from "./test/render.ts";

const crdDir = resolve(process.env.K8S_CRDS_DIR ?? join(repoRoot, "../shared/k8s-crds"));
const IDENTITY_HEADERS = ["x-user-id", "x-user-name", "x-user-email", "x-user-role"];
const SCHEMA_CHECKED = ["SecurityPolicy", "BackendTrafficPolicy", "HTTPRoute"];

// Values variants. Secrets are random per run so that a match can only come from the rendered output.
const masterKey = `sk-test-${randomBytes(18).toString("hex")}`;
const jwtSecret = randomBytes(24).toString("hex");
const dbPassword = randomBytes(12).toString("hex");

const existingSecrets = {
  auth: { existingSecret: "texera-auth", existingSecretKey: "jwt" },
  database: { existingSecret: "texera-db", existingSecretKey: "url" },
  litellm: { existingSecret: "litellm-keys", existingSecretKey: "master" },
  agentService: {
    replicaCount: 3,
    clusterSweepMs: 500,
    terminationGracePeriodSeconds: 45,
    persistence: { enabled: true, existingClaim: "texera-datasets" },
  },
  accessControl: { replicaCount: 2 },
  web: { replicaCount: 2 },
};
const inlineSecrets = {
  auth: { jwtSecret },
  database: { url: `postgres://texera:${dbPassword}@postgres.db.svc:5432/texera` },
  litellm: { masterKey, baseUrl: "http://litellm.llm.svc:4000" },
  agentService: { replicaCount: 2, persistence: { enabled: true, storageClass: "nfs-client", size: "20Gi" } },
  gateway: {
    hostnames: ["texera.example.com"],
    parentRefs: [
      { name: "shared-gw", namespace: "gateway-system", sectionName: "https" },
      { name: "internal-gw", namespace: "", sectionName: "" },
    ],
  },
};

type Rendered = { text: string; manifests: Manifest[] };
let crdValidator: CrdValidator | undefined;
// In a clone with nothing beside it there is no ../shared: the CRD checks are skipped with a printed reason.
// CI sets REQUIRE_SHARED=1, and there a missing folder fails the run.
const crdsMissing = `CRD folder ${crdDir} not found (../shared/k8s-crds sits beside the repository on our machines and in CI; set K8S_CRDS_DIR to use another)`;
function crdsOrSkip(ctx: { skip: (note?: string) => void }): CrdValidator {
  if (!crdValidator) ctx.skip(crdsMissing);
  return crdValidator as CrdValidator;
}
let defaults: Rendered;
let existing: Rendered;
let inline: Rendered;

// The helm binary is not part of `npm ci` (scripts/helm.mjs): without it every test here is skipped with the
// reason printed. CI installs it (`node scripts/helm.mjs install`) and sets REQUIRE_HELM=1.
const noHelm = helmUnavailable();
beforeEach((ctx) => {
  if (noHelm) ctx.skip(noHelm);
});

beforeAll(async () => {
  if (noHelm) {
    if (process.env.REQUIRE_HELM === "1") throw new Error(`${noHelm}; REQUIRE_HELM=1 makes it required`);
    console.warn(`skipping the chart tests: ${noHelm}`);
    return;
  }
  if (existsSync(crdDir)) {
    crdValidator = createCrdValidator(
      readdirSync(crdDir)
        .filter((f) => f.endsWith(".yaml"))
        .map((f) => join(crdDir, f)),
    );
  } else if (process.env.REQUIRE_SHARED === "1") {
    throw new Error(`${crdsMissing}; REQUIRE_SHARED=1 makes it required`);
  } else {
    console.warn(`skipping the CRD checks of the chart: ${crdsMissing}`);
  }
  [defaults, existing, inline] = await Promise.all([
    render(),
    render({ values: existingSecrets }),
    render({ values: inlineSecrets }),
  ]);
});

// ---- helpers over rendered manifests ------------------------------------------------------------------

// biome-ignore lint/suspicious/noExplicitAny: manifests are untyped YAML; tests read into them freely.
type Any = any;
const ofKind = (r: Rendered, kind: string): Any[] => r.manifests.filter((m) => m.kind === kind);
function named(r: Rendered, kind: string, suffix: string): Any {
  const found = ofKind(r, kind).filter((m) => String(m.metadata?.name).endsWith(suffix));
  expect(found, `${kind} *${suffix}`).toHaveLength(1);
  return found[0];
}
const containersOf = (r: Rendered): Any[] =>
  ofKind(r, "Deployment").flatMap((d) => d.spec.template.spec.containers as Any[]);
const envOf = (deployment: Any, name: string): Any =>
  (deployment.spec.template.spec.containers[0].env as Any[]).find((e) => e.name === name);

/** The Service a backendRef points to, and the Deployment whose pods it selects. */
function backendOf(r: Rendered, ref: Any): { service: Any; deployment: Any } {
  expect(ref.kind ?? "Service").toBe("Service");
  expect(ref.group ?? "").toBe("");
  const service = ofKind(r, "Service").find((s) => s.metadata.name === ref.name);
  expect(service, `Service ${ref.name}`).toBeDefined();
  const port = (service.spec.ports as Any[]).find((p) => p.port === ref.port);
  expect(port, `port ${ref.port} of Service ${ref.name}`).toBeDefined();
  const deployment = ofKind(r, "Deployment").find((d) =>
    Object.entries(service.spec.selector).every(([k, v]) => d.spec.template.metadata.labels[k] === v),
  );
  expect(deployment, `Deployment selected by ${ref.name}`).toBeDefined();
  const containerPort = (deployment.spec.template.spec.containers[0].ports as Any[]).find(
    (p) => p.name === port.targetPort || p.containerPort === port.targetPort,
  );
  expect(containerPort, `target port ${port.targetPort}`).toBeDefined();
  return { service, deployment };
}

// ---- helm lint / template ---------------------------------------------------------------------------

describe("helm lint and helm template (real helm binary)", () => {
  it("lints cleanly with --strict for the default values and each variant", async () => {
    for (const values of [undefined, existingSecrets, inlineSecrets]) {
      const result = await lint(values);
      expect(result.stderr + result.stdout).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
      expect(result.ok).toBe(true);
    }
  });

  it("renders every component of the default install", () => {
    const count = (kind: string) => ofKind(defaults, kind).length;
    expect(count("Deployment")).toBe(3);
    expect(count("Service")).toBe(3);
    expect(count("HTTPRoute")).toBe(3);
    expect(count("SecurityPolicy")).toBe(1);
    expect(count("BackendTrafficPolicy")).toBe(1);
    expect(count("ClientTrafficPolicy")).toBe(1);
    expect(ofKind(defaults, "Secret").map((s) => s.metadata.name)).toEqual(["texera-texera-agent-auth"]);
    // The packaged chart leaves out the tests (.helmignore): helm only sees chart files.
    expect(readFileSync(join(chartDir, ".helmignore"), "utf8")).toMatch(/^\*\.ts$/m);
  });

  it("refuses values the services, the CRDs or values.schema.json refuse, with a clear message", async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ auth: { jwtSecret: "too-short" } }, /at least 32 bytes/],
      [{ auth: { jwtSecret: "Random" } }, /"random" is refused/],
      [{ agentService: { replicaCount: 3 } }, /agentService\.replicaCount > 1 needs PostgreSQL/],
      [{ accessControl: { replicaCount: 2 } }, /accessControl\.replicaCount > 1 needs PostgreSQL/],
      [{ database: { url: "mysql://x@y/z" } }, /must be a PostgreSQL URL/],
      // Several agent-service replicas: PostgreSQL first, then a shared datasets volume.
      [
        { agentService: { replicaCount: 2, persistence: { enabled: true } } },
        /agentService\.replicaCount > 1 needs PostgreSQL/,
      ],
      [
        { database: inlineSecrets.database, agentService: { replicaCount: 2 } },
        /replicaCount > 1 needs a shared datasets volume: .*persistence\.enabled=true .*ReadWriteMany/,
      ],
      [
        {
          database: inlineSecrets.database,
          agentService: { replicaCount: 2, persistence: { enabled: true, accessModes: ["ReadWriteOnce"] } },
        },
        /needs a shared ReadWriteMany datasets volume: add ReadWriteMany to agentService\.persistence\.accessModes/,
      ],
      // values.schema.json: typos, wrong types and values the CRDs (or their CEL rules) would refuse.
      [{ gateway: { parentRefs: [{ namespace: "x" }] } }, /parentRefs\/0': missing property 'name'/],
      [{ agentservice: { replicaCount: 3 } }, /additional properties 'agentservice' not allowed/],
      [{ agentService: { replicaCount: "three" } }, /agentService\/replicaCount': got string, want integer/],
      [{ agentService: { resources: "1Gi" } }, /agentService\/resources': got string, want object/],
      [{ gateway: { agentRoute: { pathPrefix: "/api//agents" } } }, /agentRoute\/pathPrefix/],
      [{ gateway: { loginRoute: { path: "api/auth/login" } } }, /loginRoute\/path/],
      [{ gateway: { agentRoute: { requestTimeout: "1 hour" } } }, /agentRoute\/requestTimeout/],
      [{ gateway: { extAuth: { failOpen: "no" } } }, /extAuth\/failOpen': got string, want boolean/],
      [{ litellm: { existingSecretKey: "bad key" } }, /litellm\/existingSecretKey/],
      [{ agentService: { clusterSweepMs: 99 } }, /clusterSweepMs': minimum: got 99, want 100/],
      [{ agentService: { clusterSweepMs: 60_001 } }, /clusterSweepMs': maximum: got 60,001, want 60,000/],
      [{ agentService: { clusterSweepMs: "2000" } }, /clusterSweepMs': got string, want integer/],
      [{ agentService: { clusterSweepMs: 1500.5 } }, /clusterSweepMs': got number, want integer/],
      [{ agentService: { terminationGracePeriodSeconds: 5 } }, /terminationGracePeriodSeconds': minimum/],
      [{ agentService: { engine: { memoryLimit: "1GB'; SET x" } } }, /engine\/memoryLimit'/],
      [{ agentService: { engine: { threads: 0 } } }, /engine\/threads': minimum/],
      [{ agentService: { persistence: { enabeld: true } } }, /additional properties 'enabeld' not allowed/],
      [{ agentService: { persistence: { accessModes: ["RWX"] } } }, /accessModes\/0': value must be one of/],
      [{ agentService: { persistence: { accessModes: [] } } }, /accessModes': minItems/],
      [{ agentService: { persistence: { size: "ten" } } }, /persistence\/size'/],
      [{ agentService: { persistence: { existingClaim: "Bad_Claim" } } }, /persistence\/existingClaim'/],
      [{ gateway: { trustedProxies: "10.0.0.0/8; rm -rf" } }, /gateway\/trustedProxies'/],
      [{ gateway: { trustedProxies: "" } }, /gateway\/trustedProxies'/],
    ];
    const results = await Promise.all(cases.map(([values]) => template({ values })));
    cases.forEach(([values, message], i) => {
      expect(results[i]?.ok, JSON.stringify(values)).toBe(false);
      expect(results[i]?.stderr, JSON.stringify(values)).toMatch(message);
    });
  });
});

// ---- CRD schema validation ---------------------------------------------------------------------------

describe("rendered Gateway API and Envoy Gateway resources validate against their CRDs", () => {
  it("validates every SecurityPolicy, BackendTrafficPolicy and HTTPRoute of every variant", (ctx) => {
    const crds = crdsOrSkip(ctx);
    let checked = 0;
    for (const r of [defaults, existing, inline]) {
      for (const m of r.manifests.filter((m) => SCHEMA_CHECKED.includes(String(m.kind)))) {
        expect(crds.covers(m), `${m.apiVersion} ${m.kind} has a CRD`).toBe(true);
        expect(crds.validate(m), `${m.kind} ${m.metadata?.name}`).toEqual([]);
        checked++;
      }
    }
    expect(checked).toBe(3 * 5);
  });

  it("satisfies the CEL rules (not evaluated by ajv) that apply to the rendered routes and policies", () => {
    // HTTPRoute: path values of Exact/PathPrefix matches; Service backendRefs need a port.
    const pathErrors = (value: string): string[] =>
      [
        [!value.startsWith("/"), "must start with '/'"],
        [/\/\/|\/\.\/|\/\.\.\/|%2f|#/i.test(value), "contains //, /./, /../, %2f or #"],
        [/\/\.\.?$/.test(value), "ends with /. or /.."],
        [!/^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$/.test(value), "has invalid characters"],
      ]
        .filter(([bad]) => bad)
        .map(([, message]) => `${value}: ${message}`);
    expect(pathErrors("/api//x")).not.toEqual([]); // the check itself can fail
    for (const r of [defaults, existing, inline]) {
      for (const route of ofKind(r, "HTTPRoute")) {
        for (const rule of route.spec.rules as Any[]) {
          for (const match of rule.matches as Any[]) expect(pathErrors(match.path.value)).toEqual([]);
          for (const ref of rule.backendRefs as Any[]) expect(ref.port).toBeGreaterThan(0);
        }
      }
      // Envoy Gateway policies: targetRefs only (no targetRef), group gateway.networking.k8s.io, a routable kind.
      for (const policy of [...ofKind(r, "SecurityPolicy"), ...ofKind(r, "BackendTrafficPolicy")]) {
        expect(policy.spec.targetRef).toBeUndefined();
        for (const ref of policy.spec.targetRefs as Any[]) {
          expect(ref.group).toBe("gateway.networking.k8s.io");
          expect(["Gateway", "HTTPRoute"]).toContain(ref.kind);
        }
      }
      // SecurityPolicy: exactly one of grpc/http; backendRefs of kind Service in the core group, with a port;
      // not both path and pathOverride.
      for (const { spec } of ofKind(r, "SecurityPolicy")) {
        expect(Boolean(spec.extAuth.http) !== Boolean(spec.extAuth.grpc)).toBe(true);
        for (const ref of spec.extAuth.http.backendRefs as Any[]) {
          expect([ref.group, ref.kind, ref.port > 0]).toEqual(["", "Service", true]);
        }
        expect(spec.extAuth.http.path && spec.extAuth.http.pathOverride).toBeFalsy();
      }
    }
  });

  it("validates the ClientTrafficPolicy when its CRD is available", (ctx) => {
    const crds = crdsOrSkip(ctx);
    const policies = [...ofKind(defaults, "ClientTrafficPolicy"), ...ofKind(inline, "ClientTrafficPolicy")];
    if (!crds.covers(policies[0])) {
      ctx.skip(`no ClientTrafficPolicy CRD in ${crdDir}; its shape is asserted in the next block`);
    }
    for (const m of policies) expect(crds.validate(m)).toEqual([]);
  });

  it("fails deliberately broken manifests (the validator is not a rubber stamp)", (ctx) => {
    const crds = crdsOrSkip(ctx);
    const policy = named(defaults, "SecurityPolicy", "-ext-auth");
    const route = named(defaults, "HTTPRoute", "-agents");
    const traffic = named(defaults, "BackendTrafficPolicy", "-websocket");
    const broken: [Any, (m: Any) => void, RegExp][] = [
      [policy, (m) => delete m.spec.extAuth.http.backendRefs[0].name, /must have required property 'name'/],
      [policy, (m) => (m.spec.extAuth.http.headersToBackends = IDENTITY_HEADERS), /headersToBackends/],
      [policy, (m) => (m.spec.extAuth.http.backendRefs[0].port = "9096"), /port: must be integer/],
      [policy, (m) => (m.spec.extAuth.http.backendRefs[0].port = 70000), /port: must be <= 65535/],
      [policy, (m) => (m.spec.extAuth.failOpen = "false"), /failOpen: must be boolean/],
      [policy, (m) => (m.spec.targetRefs[0].kind = "HTTP Route"), /kind: must match pattern/],
      [
        route,
        (m) => (m.spec.rules[0].matches[0].path.type = "Prefix"),
        /must be equal to one of the allowed/,
      ],
      [route, (m) => (m.spec.parentRefs[0].sectionName = "Bad_Name"), /sectionName: must match pattern/],
      [
        route,
        (m) =>
          (m.spec.rules[0].filters = [
            { type: "RequestHeaderModifier", requestHeaderModifier: { remove: ["x-a", "x-a"] } },
          ]),
        /remove: list-type set: duplicate item/,
      ],
      [
        route,
        (m) =>
          (m.spec.rules[0].filters = [
            {
              type: "RequestHeaderModifier",
              requestHeaderModifier: {
                set: [
                  { name: "x-a", value: "1" },
                  { name: "x-a", value: "2" },
                ],
              },
            },
          ]),
        /set: list-type map: duplicate key name/,
      ],
      [route, (m) => (m.metadata.name = "Agents_Route"), /metadata\/name/],
      [traffic, (m) => (m.spec.timeout.http.requestTimeout = "1 hour"), /requestTimeout: must match pattern/],
      [traffic, (m) => (m.spec.httpUpgrade = [{}]), /must have required property 'type'/],
      [traffic, (m) => (m.spec.unknownField = true), /must NOT have additional properties \(unknownField\)/],
    ];
    for (const [original, mutate, message] of broken) {
      expect(crds.validate(original)).toEqual([]);
      const copy = structuredClone(original);
      mutate(copy);
      expect(crds.validate(copy).join("\n"), `${original.kind} after ${mutate}`).toMatch(message);
    }
    expect(() => crds.validate({ apiVersion: "gateway.envoyproxy.io/v1alpha1", kind: "Nope" })).toThrow(
      /no CRD loaded/,
    );
  });
});

// ---- the auth path -----------------------------------------------------------------------------------

describe("the gateway auth path", () => {
  it("SecurityPolicy targets the agent route and forwards exactly the four identity headers", () => {
    for (const r of [defaults, existing, inline]) {
      const policies = ofKind(r, "SecurityPolicy");
      expect(policies).toHaveLength(1);
      const { spec } = policies[0];
      expect(spec.targetRef).toBeUndefined();
      expect(spec.targetRefs).toHaveLength(1);
      const target = spec.targetRefs[0];
      expect(target).toMatchObject({ group: "gateway.networking.k8s.io", kind: "HTTPRoute" });

      // The targeted route is the one that sends /api/agents to agent-service.
      const route = ofKind(r, "HTTPRoute").find((h) => h.metadata.name === target.name);
      expect(route, `HTTPRoute ${target.name}`).toBeDefined();
      expect(route.spec.rules).toHaveLength(1);
      expect(route.spec.rules[0].matches).toEqual([{ path: { type: "PathPrefix", value: "/api/agents" } }]);
      const agent = backendOf(r, route.spec.rules[0].backendRefs[0]);
      expect(agent.deployment.spec.template.spec.containers[0].name).toBe("agent-service");

      // ext_authz over HTTP to access-control-service /api/auth, closed on failure.
      expect(spec.extAuth.grpc).toBeUndefined();
      expect(spec.extAuth.failOpen).toBe(false);
      expect(spec.extAuth.http.path).toBe("/api/auth");
      expect(spec.extAuth.http.pathOverride).toBeUndefined();
      expect(spec.extAuth.http.headersToBackend).toEqual(IDENTITY_HEADERS);
      expect(spec.extAuth.http.backendRefs).toHaveLength(1);
      const ref = spec.extAuth.http.backendRefs[0];
      expect(ref.port).toBe(9096);
      const auth = backendOf(r, ref);
      expect(auth.deployment.spec.template.spec.containers[0].name).toBe("access-control");
      expect(envOf(auth.deployment, "PORT").value).toBe("9096");
    }
  });

  it("no policy guards the login and web routes; login is an exact path to access-control", () => {
    const guarded = new Set(
      ofKind(defaults, "SecurityPolicy").flatMap((p) => (p.spec.targetRefs as Any[]).map((t) => t.name)),
    );
    const login = named(defaults, "HTTPRoute", "-login");
    const web = named(defaults, "HTTPRoute", "-web");
    expect(guarded.has(login.metadata.name)).toBe(false);
    expect(guarded.has(web.metadata.name)).toBe(false);
    expect(login.spec.rules[0].matches).toEqual([{ path: { type: "Exact", value: "/api/auth/login" } }]);
    expect(backendOf(defaults, login.spec.rules[0].backendRefs[0]).deployment.metadata.name).toMatch(
      /-access-control$/,
    );
    expect(web.spec.rules[0].matches).toEqual([{ path: { type: "PathPrefix", value: "/" } }]);
    expect(backendOf(defaults, web.spec.rules[0].backendRefs[0]).deployment.metadata.name).toMatch(/-web$/);
  });

  it("strips client-sent identity headers at the listener, before ext_authz, not on the route", () => {
    // A route-level RequestHeaderModifier would run after ext_authz and drop the authenticated headers too.
    for (const route of ofKind(inline, "HTTPRoute")) {
      const removed = (route.spec.rules as Any[]).flatMap((rule) =>
        ((rule.filters ?? []) as Any[]).flatMap((f) => f.requestHeaderModifier?.remove ?? []),
      );
      expect(removed).toEqual([]);
    }
    const policies = ofKind(inline, "ClientTrafficPolicy");
    expect(policies).toHaveLength(2);
    expect(policies.map((p) => [p.metadata.namespace, p.spec.targetRefs])).toEqual([
      [
        "gateway-system",
        [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "shared-gw", sectionName: "https" }],
      ],
      ["texera", [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "internal-gw" }]],
    ]);
    for (const p of policies)
      expect(p.spec.headers.earlyRequestHeaders).toEqual({ remove: IDENTITY_HEADERS });
    // Every route attaches to both parents, with the configured hostnames.
    for (const route of ofKind(inline, "HTTPRoute")) {
      expect(route.spec.hostnames).toEqual(["texera.example.com"]);
      expect(route.spec.parentRefs).toEqual([
        {
          group: "gateway.networking.k8s.io",
          kind: "Gateway",
          name: "shared-gw",
          namespace: "gateway-system",
          sectionName: "https",
        },
        { group: "gateway.networking.k8s.io", kind: "Gateway", name: "internal-gw" },
      ]);
    }
  });

  it("lets WebSockets through the agent route with long timeouts", () => {
    const policy = named(defaults, "BackendTrafficPolicy", "-websocket");
    expect(policy.spec.targetRefs).toEqual([
      {
        group: "gateway.networking.k8s.io",
        kind: "HTTPRoute",
        name: named(defaults, "HTTPRoute", "-agents").metadata.name,
      },
    ]);
    expect(policy.spec.httpUpgrade).toEqual([{ type: "websocket" }]);
    expect(policy.spec.timeout.http).toEqual({ requestTimeout: "1h", streamIdleTimeout: "1h" });
  });

  it("renders no route or policy when gateway.enabled is false", async () => {
    const { manifests } = await render({ values: { gateway: { enabled: false } } });
    const kinds = new Set(manifests.map((m) => m.kind));
    for (const kind of [...SCHEMA_CHECKED, "ClientTrafficPolicy"]) expect(kinds.has(kind)).toBe(false);
    expect(kinds.has("Deployment")).toBe(true);
  });
});

// ---- secrets -----------------------------------------------------------------------------------------

describe("secrets", () => {
  it("keeps the LiteLLM master key in a Secret only, referenced by agent-service alone", () => {
    const b64 = Buffer.from(masterKey).toString("base64");
    expect(inline.text).not.toContain(masterKey);
    const holders = inline.manifests.filter((m) => JSON.stringify(m).includes(b64));
    expect(holders.map((m) => m.kind)).toEqual(["Secret"]);
    const secret = holders[0] as Any;
    expect(Object.keys(secret.data)).toEqual(["litellm-master-key"]);
    expect(Buffer.from(secret.data["litellm-master-key"], "base64").toString()).toBe(masterKey);

    const agent = named(inline, "Deployment", "-agent-service");
    expect(envOf(agent, "LITELLM_MASTER_KEY")).toEqual({
      name: "LITELLM_MASTER_KEY",
      valueFrom: { secretKeyRef: { name: secret.metadata.name, key: "litellm-master-key" } },
    });
    expect(envOf(agent, "LITELLM_BASE_URL").value).toBe("http://litellm.llm.svc:4000");
    for (const name of ["-access-control", "-web"]) {
      const env = (named(inline, "Deployment", name).spec.template.spec.containers[0].env ?? []) as Any[];
      expect(env.map((e) => e.name)).not.toContain("LITELLM_MASTER_KEY");
    }
    // No env var of any container carries a secret inline.
    for (const c of containersOf(inline)) {
      for (const e of (c.env ?? []) as Any[]) {
        if (["LITELLM_MASTER_KEY", "AUTH_JWT_SECRET", "DATABASE_URL"].includes(e.name)) {
          expect(e.value, `${c.name} ${e.name}`).toBeUndefined();
          expect(e.valueFrom.secretKeyRef.name).toBeTruthy();
        }
      }
    }
    expect(inline.text).not.toContain(jwtSecret);
    expect(inline.text).not.toContain(dbPassword);
  });

  it("gives both services the same JWT secret and database, from chart-created Secrets", () => {
    const secrets = new Map(ofKind(inline, "Secret").map((s) => [s.metadata.name, s]));
    for (const name of ["-agent-service", "-access-control"]) {
      const d = named(inline, "Deployment", name);
      const jwt = envOf(d, "AUTH_JWT_SECRET").valueFrom.secretKeyRef;
      const db = envOf(d, "DATABASE_URL").valueFrom.secretKeyRef;
      expect(Buffer.from(secrets.get(jwt.name).data[jwt.key], "base64").toString()).toBe(jwtSecret);
      expect(Buffer.from(secrets.get(db.name).data[db.key], "base64").toString()).toBe(
        inlineSecrets.database.url,
      );
    }
  });

  it("uses existing Secrets instead of creating any, with their key names", () => {
    expect(ofKind(existing, "Secret")).toEqual([]);
    const agent = named(existing, "Deployment", "-agent-service");
    const ref = (d: Any, env: string) => envOf(d, env).valueFrom.secretKeyRef;
    expect(ref(agent, "LITELLM_MASTER_KEY")).toEqual({ name: "litellm-keys", key: "master" });
    for (const d of [agent, named(existing, "Deployment", "-access-control")]) {
      expect(ref(d, "AUTH_JWT_SECRET")).toEqual({ name: "texera-auth", key: "jwt" });
      expect(ref(d, "DATABASE_URL")).toEqual({ name: "texera-db", key: "url" });
    }
  });

  it("generates a 64-character JWT secret when none is given, and no master key env without a key", () => {
    const secret = named(defaults, "Secret", "-auth");
    expect(Buffer.from(secret.data["auth-jwt-secret"], "base64").toString()).toMatch(/^[A-Za-z0-9]{64}$/);
    const agent = named(defaults, "Deployment", "-agent-service");
    expect(envOf(agent, "LITELLM_MASTER_KEY")).toBeUndefined();
    // Without PostgreSQL the services fall back to their embedded SQLite file under DATA_DIR (an emptyDir).
    expect(envOf(agent, "DATABASE_URL")).toBeUndefined();
    expect(envOf(agent, "DATA_DIR").value).toBe("/data");
    // ... and agent-service cannot reach access-control's file: it says so instead of refusing everyone
    expect(envOf(agent, "DIRECTORY_URL").value).toBe("none");
  });

  it("lets agent-service read the user directory from the shared PostgreSQL database", () => {
    // no DIRECTORY_URL: agent-service reads the directory from DATABASE_URL, the one access-control writes
    expect(envOf(named(inline, "Deployment", "-agent-service"), "DIRECTORY_URL")).toBeUndefined();
  });
});

// ---- pods --------------------------------------------------------------------------------------------

describe("pods", () => {
  it("scales from values (agent-service on PostgreSQL to several replicas)", () => {
    const replicas = (r: Rendered, name: string) => named(r, "Deployment", name).spec.replicas;
    expect(replicas(defaults, "-agent-service")).toBe(1);
    expect(replicas(existing, "-agent-service")).toBe(3);
    expect(replicas(existing, "-access-control")).toBe(2);
    expect(replicas(existing, "-web")).toBe(2);
  });

  it("probes both services on /api/healthcheck/live (startup, liveness) and /ready, the web app on its own path", () => {
    for (const r of [defaults, existing, inline]) {
      for (const [name, port] of [
        ["-agent-service", 3001],
        ["-access-control", 9096],
      ] as const) {
        const d = named(r, "Deployment", name);
        const c = d.spec.template.spec.containers[0];
        expect(c.ports).toEqual([{ name: "http", containerPort: port, protocol: "TCP" }]);
        expect(envOf(d, "PORT").value).toBe(String(port));
        for (const probe of ["startupProbe", "livenessProbe"]) {
          expect(c[probe].httpGet, `${name} ${probe}`).toEqual({
            path: "/api/healthcheck/live",
            port: "http",
          });
        }
        expect(c.readinessProbe.httpGet, name).toEqual({ path: "/api/healthcheck/ready", port: "http" });
        if (name === "-access-control") expect(envOf(d, "SHUTDOWN_DELAY_MS").value).toBe("5000");
      }
      const web = named(r, "Deployment", "-web").spec.template.spec.containers[0];
      expect(web.readinessProbe.httpGet).toEqual({ path: "/healthz", port: "http" });
      expect(web.livenessProbe.httpGet).toEqual({ path: "/healthz", port: "http" });
    }
  });

  it("routes no /metrics or probe path to a service through the Gateway", () => {
    for (const r of [defaults, existing, inline]) {
      for (const route of ofKind(r, "HTTPRoute")) {
        for (const rule of route.spec.rules) {
          const toService = rule.backendRefs.some(
            (b: Any) => b.name.endsWith("-agent-service") || b.name.endsWith("-access-control"),
          );
          if (!toService) continue;
          for (const { path } of rule.matches) {
            for (const internal of ["/metrics", "/api/healthcheck/live", "/api/healthcheck/ready"]) {
              const reaches =
                path.type === "Exact"
                  ? path.value === internal
                  : internal === path.value || internal.startsWith(`${path.value.replace(/\/$/, "")}/`);
              expect(reaches, `${route.metadata.name} ${path.value} → ${internal}`).toBe(false);
            }
          }
        }
      }
    }
  });

  it("sets cpu and memory requests and limits on every container", () => {
    const all = [defaults, existing, inline].flatMap(containersOf);
    expect(all).toHaveLength(9);
    for (const c of all) {
      for (const kind of ["requests", "limits"]) {
        expect(c.resources?.[kind]?.cpu, `${c.name} ${kind}.cpu`).toBeTruthy();
        expect(c.resources?.[kind]?.memory, `${c.name} ${kind}.memory`).toBeTruthy();
      }
    }
  });

  it("runs every container as non-root on a read-only root filesystem, without a service account token", () => {
    for (const d of ofKind(defaults, "Deployment")) {
      const pod = d.spec.template.spec;
      expect(pod.securityContext.runAsNonRoot).toBe(true);
      expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
      expect(pod.automountServiceAccountToken).toBe(false);
      for (const c of pod.containers as Any[]) {
        expect(c.securityContext).toMatchObject({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ["ALL"] },
        });
        // The writable paths are emptyDirs.
        const volumes = new Map((pod.volumes as Any[]).map((v) => [v.name, v]));
        for (const m of c.volumeMounts as Any[]) expect(volumes.get(m.name)?.emptyDir).toBeDefined();
        expect((c.volumeMounts as Any[]).map((m) => m.mountPath)).toContain("/tmp");
      }
    }
  });

  it("keeps every name a valid DNS label even for a long release name", async () => {
    const r = await render({
      release: "a-very-long-release-name-for-texera-agent-platform-x",
      values: inlineSecrets,
    });
    for (const m of r.manifests) {
      const name = String(m.metadata?.name);
      expect(name.length, name).toBeLessThanOrEqual(63);
      expect(name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      if (crdValidator && SCHEMA_CHECKED.includes(String(m.kind))) {
        expect(crdValidator.validate(m)).toEqual([]);
      }
    }
    // References still resolve after truncation.
    const policy = ofKind(r, "SecurityPolicy")[0];
    backendOf(r, policy.spec.extAuth.http.backendRefs[0]);
  });
});

// ---- several agent-service replicas ------------------------------------------------------------------

describe("several agent-service replicas", () => {
  const agentOf = (r: Rendered): Any => named(r, "Deployment", "-agent-service");
  const podOf = (r: Rendered): Any => agentOf(r).spec.template.spec;
  const volume = (r: Rendered, name: string): Any => (podOf(r).volumes as Any[]).find((v) => v.name === name);
  const mountAt = (r: Rendered, path: string): Any =>
    (podOf(r).containers[0].volumeMounts as Any[]).find((m) => m.mountPath === path);

  it("mounts a chart-created ReadWriteMany claim at DATA_DIR/datasets; the rest of DATA_DIR stays per pod", () => {
    const pvc = named(inline, "PersistentVolumeClaim", "-agent-datasets");
    expect(pvc.apiVersion).toBe("v1");
    expect(pvc.spec).toEqual({
      accessModes: ["ReadWriteMany"],
      storageClassName: "nfs-client",
      resources: { requests: { storage: "20Gi" } },
    });
    expect(pvc.metadata.annotations["helm.sh/resource-policy"]).toBe("keep");
    expect(pvc.metadata.labels["app.kubernetes.io/component"]).toBe("agent-service");

    const dataDir = envOf(agentOf(inline), "DATA_DIR").value;
    const mount = mountAt(inline, `${dataDir}/datasets`);
    expect(mount, "a mount at DATA_DIR/datasets").toBeDefined();
    expect(mount.readOnly).toBeFalsy();
    expect(volume(inline, mount.name)).toEqual({
      name: mount.name,
      persistentVolumeClaim: { claimName: pvc.metadata.name },
    });
    // DATA_DIR itself (DuckDB's spill folder, which DuckDB empties by name when it closes) is the pod's own.
    expect(volume(inline, mountAt(inline, dataDir).name).emptyDir).toBeDefined();
    // Only agent-service mounts the claim.
    for (const name of ["-access-control", "-web"]) {
      const volumes = (named(inline, "Deployment", name).spec.template.spec.volumes ?? []) as Any[];
      expect(volumes.filter((v) => v.persistentVolumeClaim)).toEqual([]);
    }
  });

  it("mounts an existing claim instead of creating one", () => {
    expect(ofKind(existing, "PersistentVolumeClaim")).toEqual([]);
    const mount = mountAt(existing, "/data/datasets");
    expect(volume(existing, mount.name).persistentVolumeClaim).toEqual({ claimName: "texera-datasets" });
  });

  it("leaves the storage class to the cluster unless set, and '-' turns dynamic provisioning off", async () => {
    // One replica on SQLite may keep its datasets on a volume too: no PostgreSQL needed, no PDB.
    const single = (storageClass: string) =>
      render({ values: { agentService: { persistence: { enabled: true, storageClass, size: "1Gi" } } } });
    const [clusterDefault, none] = await Promise.all([single(""), single("-")]);
    const spec = (r: Rendered) => named(r, "PersistentVolumeClaim", "-agent-datasets").spec;
    expect(spec(clusterDefault)).toEqual({
      accessModes: ["ReadWriteMany"],
      resources: { requests: { storage: "1Gi" } },
    });
    expect(spec(none).storageClassName).toBe("");
    expect(ofKind(clusterDefault, "PodDisruptionBudget")).toEqual([]);
  });

  it("keeps datasets in the pod's emptyDir when persistence is off (the default)", () => {
    expect(ofKind(defaults, "PersistentVolumeClaim")).toEqual([]);
    expect(mountAt(defaults, "/data/datasets")).toBeUndefined();
    expect((podOf(defaults).volumes as Any[]).filter((v) => v.persistentVolumeClaim)).toEqual([]);
  });

  it("trusts Envoy's X-Forwarded-For in both services: the pod network, not the whole internet", async () => {
    // Envoy Gateway's listeners set use_remote_address (envoyproxy/gateway internal/xds/translator/listener.go
    // at 013bfe83bf5f5a680fe3c10db5e906c9a9c353c2: `useRemoteAddress := true` unless a custom client-IP
    // header is configured), so Envoy appends the address it saw to X-Forwarded-For, and the services see
    // Envoy's pod address. Without TRUSTED_PROXIES every sign-in would count against that one address.
    const value = (d: Any) => envOf(d, "TRUSTED_PROXIES")?.value as string | undefined;
    for (const name of ["-agent-service", "-access-control"]) {
      const proxies = value(named(defaults, "Deployment", name));
      expect(proxies, name).toBeDefined();
      const entries = trustedProxyEntries(proxies!);
      expect(entries, `${name}: the services' own syntax`).toBeDefined();
      const list = new BlockList();
      for (const entry of entries!) {
        const [address, bits] = entry.split("/");
        const family = isIP(address!) === 6 ? "ipv6" : "ipv4";
        if (bits === undefined) list.addAddress(address!, family);
        else list.addSubnet(address!, Number(bits), family);
      }
      // typical pod addresses (kubeadm/flannel, GKE, EKS, IPv6 ULA) are trusted, public ones are not
      for (const pod of ["10.244.1.7", "172.17.0.5", "192.168.3.4", "100.64.2.9"]) {
        expect(list.check(pod, "ipv4"), pod).toBe(true);
      }
      expect(list.check("fd12:3456::7", "ipv6")).toBe(true);
      for (const client of ["203.0.113.9", "8.8.8.8"]) expect(list.check(client, "ipv4"), client).toBe(false);
    }
    const narrowed = await render({ values: { gateway: { trustedProxies: "10.42.0.0/16" } } });
    for (const name of ["-agent-service", "-access-control"]) {
      expect(value(named(narrowed, "Deployment", name))).toBe("10.42.0.0/16");
    }
  });

  it("passes clusterSweepMs to agent-service as AGENT_CLUSTER_SWEEP_MS", () => {
    expect(envOf(agentOf(defaults), "AGENT_CLUSTER_SWEEP_MS")).toEqual({
      name: "AGENT_CLUSTER_SWEEP_MS",
      value: "2000",
    });
    expect(envOf(agentOf(existing), "AGENT_CLUSTER_SWEEP_MS").value).toBe("500");
    const accessControl = named(existing, "Deployment", "-access-control");
    expect(envOf(accessControl, "AGENT_CLUSTER_SWEEP_MS")).toBeUndefined();
  });

  it("bounds agent-service's engine: DuckDB memory, threads, spill disk and engine slots per user", async () => {
    const expected = {
      DUCKDB_MEMORY_LIMIT: "256MB",
      DUCKDB_THREADS: "1",
      DUCKDB_MAX_TEMP_DIRECTORY_SIZE: "512MB",
      ENGINE_MAX_CONCURRENT_RUNS: "2",
      ENGINE_MAX_CONCURRENT_RUNS_PER_USER: "1",
      ENGINE_MAX_QUEUED_RUNS_PER_USER: "4",
    };
    for (const [name, value] of Object.entries(expected)) {
      expect(envOf(agentOf(defaults), name)).toEqual({ name, value });
    }
    const tuned = await render({
      values: { agentService: { engine: { memoryLimit: "3GiB", threads: 4, maxConcurrentRunsPerUser: 2 } } },
    });
    expect(envOf(agentOf(tuned), "DUCKDB_MEMORY_LIMIT").value).toBe("3GiB");
    expect(envOf(agentOf(tuned), "DUCKDB_THREADS").value).toBe("4");
    expect(envOf(agentOf(tuned), "ENGINE_MAX_CONCURRENT_RUNS_PER_USER").value).toBe("2");
    expect(envOf(named(tuned, "Deployment", "-access-control"), "DUCKDB_MEMORY_LIMIT")).toBeUndefined();
  });

  it("adds a PodDisruptionBudget (maxUnavailable 1) over the agent-service pods above one replica", () => {
    expect(ofKind(defaults, "PodDisruptionBudget")).toEqual([]);
    for (const r of [existing, inline]) {
      const budgets = ofKind(r, "PodDisruptionBudget");
      expect(budgets).toHaveLength(1);
      const pdb = budgets[0];
      expect(pdb.apiVersion).toBe("policy/v1");
      expect(pdb.spec.maxUnavailable).toBe(1);
      expect(pdb.spec.minAvailable).toBeUndefined();
      // It selects exactly the agent-service pods.
      const selected = ofKind(r, "Deployment").filter((d) =>
        Object.entries(pdb.spec.selector.matchLabels).every(
          ([k, v]) => d.spec.template.metadata.labels[k] === v,
        ),
      );
      expect(selected.map((d) => d.metadata.name)).toEqual([agentOf(r).metadata.name]);
    }
  });

  it("gives agent-service a grace period beyond its 5 s wait for runs", () => {
    expect(podOf(defaults).terminationGracePeriodSeconds).toBe(30);
    expect(podOf(existing).terminationGracePeriodSeconds).toBe(45);
    for (const r of [defaults, existing, inline]) {
      expect(podOf(r).terminationGracePeriodSeconds).toBeGreaterThanOrEqual(10);
    }
  });
});

// ---- README ------------------------------------------------------------------------------------------

describe("README", () => {
  it("documents every value in values.yaml, and nothing that is not a value", () => {
    const readme = readFileSync(join(chartDir, "README.md"), "utf8");
    const documented = new Set(
      [...readme.matchAll(/^\| `([A-Za-z0-9_.[\]]+)` *\|/gm)].map((m) => String(m[1])),
    );
    expect(documented.size).toBeGreaterThan(20);
    const values = parse(readFileSync(join(chartDir, "values.yaml"), "utf8"));
    const leaves: string[] = [];
    const walk = (node: unknown, path: string) => {
      if (documented.has(path)) {
        leaves.push(path);
        return;
      }
      if (node && typeof node === "object" && !Array.isArray(node) && Object.keys(node).length > 0) {
        for (const [k, v] of Object.entries(node)) walk(v, path ? `${path}.${k}` : k);
      } else {
        leaves.push(path);
      }
    };
    walk(values, "");
    const undocumented = leaves.filter((p) => !documented.has(p));
    expect(undocumented).toEqual([]);
    const stale = [...documented].filter((p) => !leaves.includes(p));
    expect(stale).toEqual([]);
  });
});

// ---- NetworkPolicies ---------------------------------------------------------------------------------

/** A pod as a NetworkPolicy sees it: its labels and its namespace's labels. */
interface PodView {
  namespace: string;
  labels: Record<string, string>;
}
const nsLabels = (namespace: string) => ({ "kubernetes.io/metadata.name": namespace });
const selects = (selector: Any, labels: Record<string, string>): boolean => {
  if (!selector) return true;
  const exprs = (selector.matchExpressions ?? []) as Any[];
  return (
    Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v) &&
    exprs.every((e) =>
      e.operator === "In"
        ? e.values.includes(labels[e.key])
        : e.operator === "NotIn"
          ? !e.values.includes(labels[e.key])
          : e.operator === "Exists"
            ? e.key in labels
            : !(e.key in labels),
    )
  );
};
/** Whether `policy` (in namespace `policyNs`) admits a TCP connection from `from` to `port` (NetworkPolicy v1 rules). */
function admits(policy: Any, policyNs: string, from: PodView, port: number): boolean {
  return (policy.spec.ingress as Any[]).some((rule) => {
    const portOk =
      !rule.ports || (rule.ports as Any[]).some((p) => p.port === port && (p.protocol ?? "TCP") === "TCP");
    const peers = rule.from as Any[] | undefined;
    const peerOk =
      !peers ||
      peers.some((peer) => {
        if (peer.ipBlock) return false;
        const nsOk = peer.namespaceSelector
          ? selects(peer.namespaceSelector, nsLabels(from.namespace))
          : from.namespace === policyNs;
        return nsOk && selects(peer.podSelector, from.labels);
      });
    return portOk && peerOk;
  });
}
const podLabelsOf = (r: Rendered, suffix: string): Record<string, string> =>
  named(r, "Deployment", suffix).spec.template.metadata.labels;

describe("NetworkPolicies: agent-service and access-control reachable only from the gateway and each other", () => {
  // Envoy Gateway's proxy pods carry EnvoyAppLabel (envoyproxy/gateway
  // internal/infrastructure/kubernetes/proxy/resource.go at 3d2675fb6a2a1cfeef6c00985f47f2799723d51d) and
  // run in Envoy Gateway's namespace, envoy-gateway-system in its install guide.
  const envoy: PodView = {
    namespace: "envoy-gateway-system",
    labels: {
      "app.kubernetes.io/name": "envoy",
      "app.kubernetes.io/component": "proxy",
      "app.kubernetes.io/managed-by": "envoy-gateway",
      "gateway.envoyproxy.io/owning-gateway-name": "eg",
    },
  };

  it("selects exactly each service's pods and admits only Envoy and the other service on its port", () => {
    const policies = ofKind(defaults, "NetworkPolicy");
    expect(policies).toHaveLength(2);
    const agentPod = { namespace: "texera", labels: podLabelsOf(defaults, "-agent-service") };
    const acPod = { namespace: "texera", labels: podLabelsOf(defaults, "-access-control") };
    const webPod = { namespace: "texera", labels: podLabelsOf(defaults, "-web") };
    for (const [suffix, target, port] of [
      ["-agent-service", agentPod, 3001],
      ["-access-control", acPod, 9096],
    ] as const) {
      const policy = named(defaults, "NetworkPolicy", suffix);
      expect(policy.spec.policyTypes).toEqual(["Ingress"]);
      // it applies to that Deployment's pods and to no other pod of the release
      expect(selects(policy.spec.podSelector, target.labels)).toBe(true);
      for (const other of [agentPod, acPod, webPod].filter((p) => p !== target)) {
        expect(selects(policy.spec.podSelector, other.labels)).toBe(false);
      }
      expect(admits(policy, "texera", envoy, port), `${suffix}: Envoy`).toBe(true);
      expect(admits(policy, "texera", agentPod, port), `${suffix}: agent-service`).toBe(true);
      expect(admits(policy, "texera", acPod, port), `${suffix}: access-control`).toBe(true);
      // everyone else is refused: the web pods, any pod of the namespace, Envoy-looking pods elsewhere
      expect(admits(policy, "texera", webPod, port), `${suffix}: web`).toBe(false);
      expect(admits(policy, "texera", { namespace: "texera", labels: { app: "curl" } }, port)).toBe(false);
      expect(admits(policy, "texera", { namespace: "texera", labels: envoy.labels }, port)).toBe(false);
      expect(admits(policy, "texera", { namespace: "other", labels: agentPod.labels }, port)).toBe(false);
      expect(
        admits(policy, "texera", { ...envoy, labels: { "app.kubernetes.io/name": "envoy" } }, port),
      ).toBe(false);
      // and only on the service's own port
      expect(admits(policy, "texera", envoy, port + 1)).toBe(false);
    }
  });

  it("takes the gateway selector and extra peers from values, and can be turned off", async () => {
    const [custom, off] = await Promise.all([
      render({
        values: {
          networkPolicy: {
            gateway: {
              namespaceSelector: { matchLabels: nsLabels("edge") },
              podSelector: { matchLabels: { "gateway.envoyproxy.io/owning-gateway-name": "public" } },
            },
            extraFrom: [{ namespaceSelector: { matchLabels: nsLabels("monitoring") } }],
          },
        },
      }),
      render({ values: { networkPolicy: { enabled: false } } }),
    ]);
    expect(ofKind(off, "NetworkPolicy")).toEqual([]);
    const policy = named(custom, "NetworkPolicy", "-agent-service");
    // helm merges the given selectors into the defaults: the Envoy labels stay, the owning Gateway is added
    const owned = (gateway: string) => ({
      namespace: "edge",
      labels: { ...envoy.labels, "gateway.envoyproxy.io/owning-gateway-name": gateway },
    });
    expect(admits(policy, "texera", owned("public"), 3001)).toBe(true);
    expect(admits(policy, "texera", owned("internal"), 3001)).toBe(false);
    expect(admits(policy, "texera", { ...owned("public"), namespace: "envoy-gateway-system" }, 3001)).toBe(
      false,
    );
    expect(admits(policy, "texera", envoy, 3001)).toBe(false);
    expect(admits(policy, "texera", { namespace: "monitoring", labels: { app: "prometheus" } }, 3001)).toBe(
      true,
    );
  });

  it("refuses malformed networkPolicy values before rendering", async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ networkPolicy: { enabled: "yes" } }, /networkPolicy\/enabled': got string, want boolean/],
      [
        { networkPolicy: { gateway: { podSelector: { app: "envoy" } } } },
        /additional properties 'app' not allowed/,
      ],
      [{ networkPolicy: { extraFrom: [{}] } }, /extraFrom\/0/],
      [
        { networkPolicy: { extraFrom: [{ podSelectr: {} }] } },
        /additional properties 'podSelectr' not allowed/,
      ],
    ];
    for (const [values, message] of cases) {
      const result = await template({ values });
      expect(result.ok, JSON.stringify(values)).toBe(false);
      expect(result.stderr, JSON.stringify(values)).toMatch(message);
    }
  });
});
