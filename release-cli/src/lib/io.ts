// What commands print and read through: the process in `main.ts`, a recorder in the tests.

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Record<string, string | undefined>;
  /** whether stderr is a terminal: progress lines and prompts only then */
  interactive: boolean;
  /** asks for a secret on the terminal without echoing it; undefined when there is no terminal */
  promptSecret?: (question: string) => Promise<string>;
  cwd: string;
}

export { printResult as print, mib } from "./run-program.ts";

/** A one-line progress report on stderr for long steps (terminals only). */
export class Progress {
  private last = 0;
  private shown = false;

  constructor(
    private readonly io: CliIo,
    private readonly label: string,
    private readonly enabled = true,
  ) {}

  /** a step of a sequence: "[2/5] bundling the sidecar" (also without a terminal, on stderr) */
  step(index: number, total: number, what: string): void {
    this.done();
    if (this.enabled) this.io.stderr(`[${index}/${total}] ${what}\n`);
  }

  update(done: number, total: number, detail = ""): void {
    if (!this.enabled || !this.io.interactive) return;
    const now = Date.now();
    if (now - this.last < 100 && done < total) return;
    this.last = now;
    const percent = total > 0 ? Math.min(100, Math.floor((done / total) * 100)) : 100;
    const filled = Math.round(percent / 4);
    this.io.stderr(
      `\r${this.label} [${"#".repeat(filled)}${" ".repeat(25 - filled)}] ${String(percent).padStart(3)}% ${detail}`.padEnd(
        100,
      ),
    );
    this.shown = true;
  }

  done(): void {
    if (this.shown) this.io.stderr("\n");
    this.shown = false;
  }
}
