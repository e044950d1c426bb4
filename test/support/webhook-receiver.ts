// A real webhook receiver for tests: an HTTP server on a loopback port that verifies each
// delivery with the `standardwebhooks` library (as a vendor's receiver would) and records it.
// Its answer can be changed while it runs (a status, a delay, a redirect), and it can be stopped
// and started again on the same port (a receiver that is down for a while).
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";

export interface ReceivedDelivery {
  /** the request's path */
  path: string;
  id: string;
  timestamp: string;
  signature: string;
  body: string;
  /** the parsed body, when the signature verified with one of the receiver's secrets */
  event: {
    id: string;
    type: string;
    version: number;
    timestamp: string;
    sequence: number;
    data: unknown;
  } | null;
  /** the secrets (by index in `secrets`) whose verification passed */
  verifiedWith: number[];
  headers: IncomingHttpHeaders;
  at: number;
}

export interface ReceiverBehaviour {
  status: number;
  /** wait this long before answering */
  delayMs: number;
  /** the answer's body */
  body: string;
  headers: Record<string, string>;
}

export class WebhookReceiver {
  readonly received: ReceivedDelivery[] = [];
  /** the secrets a delivery is verified with (set once the endpoint exists) */
  secrets: string[] = [];
  behaviour: ReceiverBehaviour = { status: 204, delayMs: 0, body: "", headers: {} };
  /** per path: a different behaviour (e.g. one slow endpoint beside a fast one) */
  readonly pathBehaviour = new Map<string, Partial<ReceiverBehaviour>>();
  private server: Server | null = null;
  private port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(port = this.port): Promise<this> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        const headers = req.headers;
        const verifiedWith: number[] = [];
        let event: ReceivedDelivery["event"] = null;
        this.secrets.forEach((secret, index) => {
          try {
            event = new Webhook(secret).verify(
              body,
              headers as Record<string, string>,
            ) as ReceivedDelivery["event"];
            verifiedWith.push(index);
          } catch {
            // not this secret
          }
        });
        this.received.push({
          path: req.url ?? "/",
          id: String(headers["webhook-id"] ?? ""),
          timestamp: String(headers["webhook-timestamp"] ?? ""),
          signature: String(headers["webhook-signature"] ?? ""),
          body,
          event,
          verifiedWith,
          headers,
          at: Date.now(),
        });
        const behaviour = { ...this.behaviour, ...this.pathBehaviour.get(req.url ?? "/") };
        const answer = () => {
          if (res.destroyed) return;
          res.writeHead(behaviour.status, behaviour.headers);
          res.end(behaviour.body);
        };
        if (behaviour.delayMs > 0) setTimeout(answer, behaviour.delayMs);
        else answer();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        resolve();
      });
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this;
  }

  /** Stops listening and drops open connections (a receiver that went down). */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
    });
  }

  /** Deliveries by webhook-id: how many times each arrived. */
  countsById(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const delivery of this.received) counts.set(delivery.id, (counts.get(delivery.id) ?? 0) + 1);
    return counts;
  }

  /** Resolves once `predicate` holds, or rejects after `timeoutMs`. */
  async waitFor(
    predicate: (received: readonly ReceivedDelivery[]) => boolean,
    timeoutMs = 20_000,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.received)) {
      if (Date.now() > deadline)
        throw new Error(
          `the receiver did not get what was awaited within ${timeoutMs} ms (${this.received.length} received)`,
        );
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}
