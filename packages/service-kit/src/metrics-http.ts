import type { FastifyInstance, FastifyReply, FastifyRequest, onResponseHookHandler } from "fastify";

/** Route label of requests no route matched (404s): the raw URL never becomes a label. */
export const UNMATCHED_ROUTE = "unmatched";

const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** One (route, method, status): a count, a sum and per-bucket (not yet cumulative) counts. */
class Series {
  count = 0;
  sum = 0;
  readonly buckets = new Float64Array(BUCKETS.length + 1);

  observe(seconds: number): void {
    this.count++;
    this.sum += seconds;
    let i = 0;
    while (i < BUCKETS.length && seconds > BUCKETS[i]!) i++;
    this.buckets[i]!++;
  }
}

/** method → status → series, for one route template. */
type RouteTable = Map<string, Map<number, Series>>;

function seriesOf(table: RouteTable, method: string, status: number): Series {
  let byStatus = table.get(method);
  if (!byStatus) {
    byStatus = new Map();
    table.set(method, byStatus);
  }
  let series = byStatus.get(status);
  if (!series) {
    series = new Series();
    byStatus.set(status, series);
  }
  return series;
}

/**
 * `http_requests_total` and `http_request_duration_seconds` by route template, method and status. Each
 * route gets its own onResponse hook holding its template, so a request costs two map lookups and a few
 * additions, and allocates nothing (prom-client's labelled series build label objects and hash strings on
 * every call; on the authorize hot path that showed). Routes declared before this is installed are not
 * counted: install it first. Requests no route matched count under `unmatched`.
 */
export function installHttpMetrics(app: FastifyInstance): { text(): string } {
  const routes = new Map<string, RouteTable>();
  const tableOf = (route: string): RouteTable => {
    let table = routes.get(route);
    if (!table) {
      table = new Map();
      routes.set(route, table);
    }
    return table;
  };

  app.addHook("onRoute", (route) => {
    const table = tableOf(route.url);
    const hook: onResponseHookHandler = (request, reply, done) => {
      seriesOf(table, request.method, reply.statusCode).observe(reply.elapsedTime / 1000);
      done();
    };
    const existing = route.onResponse;
    route.onResponse =
      existing === undefined ? [hook] : [...(Array.isArray(existing) ? existing : [existing]), hook];
  });
  const unmatched = tableOf(UNMATCHED_ROUTE);
  app.addHook("onResponse", (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    if (request.is404)
      seriesOf(unmatched, request.method, reply.statusCode).observe(reply.elapsedTime / 1000);
    done();
  });

  return {
    text() {
      const counts: string[] = [
        "# HELP http_requests_total HTTP requests answered, by route template, method and status",
        "# TYPE http_requests_total counter",
      ];
      const durations: string[] = [
        "# HELP http_request_duration_seconds Time from the request's arrival to its answer, by route template, method and status",
        "# TYPE http_request_duration_seconds histogram",
      ];
      for (const [route, table] of routes) {
        for (const [method, byStatus] of table) {
          for (const [status, s] of byStatus) {
            const labels = `route="${labelValue(route)}",method="${labelValue(method)}",status="${status}"`;
            counts.push(`http_requests_total{${labels}} ${s.count}`);
            let cumulative = 0;
            for (let i = 0; i < BUCKETS.length; i++) {
              cumulative += s.buckets[i]!;
              durations.push(
                `http_request_duration_seconds_bucket{le="${BUCKETS[i]}",${labels}} ${cumulative}`,
              );
            }
            durations.push(`http_request_duration_seconds_bucket{le="+Inf",${labels}} ${s.count}`);
            durations.push(`http_request_duration_seconds_sum{${labels}} ${s.sum}`);
            durations.push(`http_request_duration_seconds_count{${labels}} ${s.count}`);
          }
        }
      }
      return `${counts.join("\n")}\n\n${durations.join("\n")}\n`;
    },
  };
}

/** A label value as the text format wants it: backslash, double quote and newline escaped. */
function labelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}
