/** What sendCorked needs of a `ws` WebSocket: its send, and the TCP socket under it (ws keeps it in _socket). */
export interface CorkableSocket {
  send(data: string): void;
  readonly _socket?: Pick<import("node:net").Socket, "cork" | "uncork" | "writableCorked">;
}

/**
 * Frames sent in the same turn of the event loop (a step, the state, complete) leave in one write: the TCP
 * socket under the WebSocket is corked until the loop's check phase. An urgent frame (model text) uncorks
 * at once: it leaves now, with whatever was queued before it, instead of waiting for the rest of the turn
 * (when a whole reply arrives in one read, the turn also saves the step and ends the run).
 */
export function sendCorked(socket: CorkableSocket, data: string, urgent: boolean): void {
  const raw = socket._socket;
  if (!raw) {
    socket.send(data);
    return;
  }
  if (urgent) {
    socket.send(data);
    while (raw.writableCorked > 0) raw.uncork();
    return;
  }
  if (raw.writableCorked === 0) {
    raw.cork();
    setImmediate(() => raw.uncork());
  }
  socket.send(data);
}
