// The background writer of the audit checkpoint, one per process (the web app and the sidecar):
// woken by this process's audit writes (debounced: at most one checkpoint per `debounceMs`) and
// by a slow poll for what other processes wrote. One run at a time; stop() waits for it.
import {
  anchorIn,
  checkpointAuditHead,
  type AuditAnchor,
  type CheckpointDeps,
  type CheckpointOutcome,
} from "../core/audit/checkpoint.ts";
import { auditWriteObservers } from "../core/audit/write-audit-event.ts";

export interface AuditCheckpointer {
  anchor: AuditAnchor;
  /** checkpoints now (after a running checkpoint finishes) */
  runNow(): Promise<CheckpointOutcome | null>;
  stop(): Promise<void>;
}

export interface CheckpointerOptions extends CheckpointDeps {
  dataDir: string;
  /** the longest an audit write waits for its checkpoint; also the shortest time between two */
  debounceMs?: number;
  /** how often the head is looked at without a local write (other processes, other instances) */
  pollMs?: number;
}

const KEY = Symbol.for("license-server.audit-checkpointer");
const holder = globalThis as unknown as { [KEY]?: AuditCheckpointer };

/** The checkpointer this process started, for `verify` to check against and write to. */
export function runningAuditAnchor(): AuditAnchor | undefined {
  return holder[KEY]?.anchor;
}

/** This process's checkpointer: the running one, or a new one (the web app asks on first use). */
export function ensureAuditCheckpointer(options: CheckpointerOptions): AuditCheckpointer {
  return holder[KEY] ?? startAuditCheckpointer(options);
}

export function startAuditCheckpointer(options: CheckpointerOptions): AuditCheckpointer {
  const { dataDir, debounceMs = 3_000, pollMs = 60_000, ...deps } = options;
  const anchor = anchorIn(dataDir);
  let running: Promise<CheckpointOutcome | null> = Promise.resolve(null);
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const run = (): Promise<CheckpointOutcome | null> => {
    running = running.then(async () => {
      if (stopped) return null;
      try {
        return await checkpointAuditHead(deps, anchor);
      } catch (error) {
        deps.logger.error({ err: error, file: anchor.file }, "the audit checkpoint failed");
        return null;
      }
    });
    return running;
  };
  const onWrite = () => {
    if (stopped || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void run();
    }, debounceMs);
    timer.unref();
  };
  auditWriteObservers.add(onWrite);
  const poll = setInterval(() => void run(), pollMs);
  poll.unref();
  void run();

  const checkpointer: AuditCheckpointer = {
    anchor,
    runNow: run,
    stop: async () => {
      auditWriteObservers.delete(onWrite);
      clearInterval(poll);
      const pending = timer !== undefined;
      clearTimeout(timer);
      timer = undefined;
      if (holder[KEY] === checkpointer) holder[KEY] = undefined;
      // writes waiting for their checkpoint get it before the process goes
      if (pending && !stopped) await run();
      stopped = true;
      await running;
    },
  };
  holder[KEY] = checkpointer;
  return checkpointer;
}
