import { describe, expect, it } from "vitest";
import { type CorkableSocket, sendCorked } from "./corked-send.ts";

/** A socket whose writes reach the wire in flushes: one flush per uncork to zero (or per write uncorked). */
function fakeSocket() {
  const flushes: string[][] = [];
  let queued: string[] = [];
  let corked = 0;
  const raw = {
    get writableCorked() {
      return corked;
    },
    cork() {
      corked++;
    },
    uncork() {
      if (corked === 0) return;
      corked--;
      if (corked === 0 && queued.length > 0) {
        flushes.push(queued);
        queued = [];
      }
    },
  };
  const socket: CorkableSocket = {
    _socket: raw,
    send(data) {
      if (corked > 0) queued.push(data);
      else flushes.push([data]);
    },
  };
  return { socket, flushes };
}

const turnEnd = () => new Promise((resolve) => setImmediate(resolve));

describe("sendCorked", () => {
  it("writes the frames of one turn together at its end", async () => {
    const { socket, flushes } = fakeSocket();
    sendCorked(socket, "step", false);
    sendCorked(socket, "state", false);
    sendCorked(socket, "complete", false);
    expect(flushes).toEqual([]);
    await turnEnd();
    expect(flushes).toEqual([["step", "state", "complete"]]);
  });

  it("writes model text at once, with what was queued before it; later frames wait for the turn's end", async () => {
    const { socket, flushes } = fakeSocket();
    sendCorked(socket, "state", false);
    sendCorked(socket, "delta 1", true);
    expect(flushes).toEqual([["state", "delta 1"]]);
    sendCorked(socket, "delta 2", true);
    expect(flushes).toEqual([["state", "delta 1"], ["delta 2"]]);
    sendCorked(socket, "step", false);
    sendCorked(socket, "complete", false);
    expect(flushes).toHaveLength(2);
    await turnEnd();
    expect(flushes).toEqual([["state", "delta 1"], ["delta 2"], ["step", "complete"]]);
  });
});
