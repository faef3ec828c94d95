import type { UpstreamError } from "./errors.ts";

const HIDDEN = "[address hidden]";

/**
 * Network addresses in upstream text: URLs, IPv4 and bracketed IPv6 with an optional port, and
 * `host:port`. Hand-written (no library strips addresses from prose); each alternative is linear.
 */
const URL = /\b[a-z][a-z\d+.-]*:\/\/[^\s,;)'"<>]+?(?=:?(?:\s|$)|[,;)'"<>])/gi;
const IPV4 = /\b\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?\b/g;
const IPV6 = /\[[0-9a-f:.]+\](?::\d{1,5})?/gi;
const HOST_PORT = /\b[a-z](?:[a-z\d-]*[a-z\d])?(?:\.[a-z\d](?:[a-z\d-]*[a-z\d])?)*:\d{2,5}\b/gi;

/**
 * The text without the network addresses it names: " at <url>" goes entirely ("LiteLLM at http://x:4000
 * refused" → "LiteLLM refused"), any other address becomes "[address hidden]".
 */
export function withoutAddresses(text: string): string {
  return text
    .replace(new RegExp(`\\s+at\\s+${URL.source}`, "gi"), "")
    .replace(URL, HIDDEN)
    .replace(IPV6, HIDDEN)
    .replace(IPV4, HIDDEN)
    .replace(HOST_PORT, HIDDEN);
}

/**
 * A failed model call in words for the person in the chat: what happened and what to do, without the
 * service's internal addresses (those stay in the service log, with the full error). The code stays as
 * it is, so a program can still tell the cases apart.
 */
export function describeForPeople(error: UpstreamError): string {
  const tries = error.attempts > 1 ? ` (gave up after ${error.attempts} tries)` : "";
  if (error.code === "LLM_UNREACHABLE") {
    return `the language model service (LiteLLM) cannot be reached right now${tries}; try again in a minute, and if it keeps happening tell an administrator`;
  }
  return withoutAddresses(error.describe());
}
