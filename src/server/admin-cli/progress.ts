// A one-line progress report on stderr for long steps (a terminal only: logs stay clean).
export class Progress {
  private last = 0;
  private shown = false;

  constructor(
    private readonly io: { stderr: (text: string) => void; interactive: boolean },
    private readonly label: string,
    private readonly enabled = true,
  ) {}

  update(done: number, total: number, detail = ""): void {
    if (!this.enabled || !this.io.interactive) return;
    const now = Date.now();
    if (now - this.last < 100 && done < total) return;
    this.last = now;
    const percent = total > 0 ? Math.floor((done / total) * 100) : 100;
    const width = 24;
    const filled = Math.round((percent / 100) * width);
    this.io.stderr(
      `\r${this.label} [${"#".repeat(filled)}${" ".repeat(width - filled)}] ${percent}% ${done}/${total} ${detail}`.padEnd(
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
