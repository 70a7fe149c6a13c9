/**
 * The live status line: one line per second with every stage's counter, rewritten in place on
 * a terminal, printed when it changes (at most every few seconds) otherwise.
 */

/** One snapshot of the loop. */
export interface Status {
  label: string;
  elapsedS: number;
  served: number;
  total: number;
  version: string;
  drifting: boolean;
  alerts: number;
  requests: number;
  openTasks: number;
  answers: number;
  accepted: number;
  versions: number;
  retrains: number;
  promoted: number;
  rejected: number;
  /** Accuracy of the last served predictions, and the serving version's held-out accuracy. */
  streamAccuracy: number | null;
  heldOut: number | null;
}

const pct = (v: number | null) => (v === null ? '  -  ' : `${(v * 100).toFixed(1)}%`);
const mmss = (s: number) => `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(Math.floor(s % 60)).padStart(2, '0')}`;

/** Formats a snapshot as two lines: the model's state, then the labelling pipeline. */
export function statusLines(s: Status): [string, string] {
  return [
    `[${s.label} ${mmss(s.elapsedS)}] events ${s.served}/${s.total} served by ${s.version} | drift ${s.drifting ? 'DRIFTING' : 'stable'} (${s.alerts} alert${s.alerts === 1 ? '' : 's'}) | accuracy: served ${pct(s.streamAccuracy)}, held-out ${pct(s.heldOut)}`,
    `  requests ${s.requests} | open tasks ${s.openTasks} | answers ${s.answers} | accepted ${s.accepted} | dataset versions ${s.versions} | retrains ${s.retrains} (${s.promoted} promoted, ${s.rejected} rejected)`,
  ];
}

/** Prints status lines and milestones. */
export class StatusPrinter {
  private last: [string, string] | undefined;
  private lastPrinted = 0;
  /** The two live lines are on screen (the cursor is at the end of the second). */
  private shown = false;

  constructor(
    private readonly log: (line: string) => void,
    private readonly live: boolean,
  ) {}

  /** A status snapshot: rewritten in place on a terminal, otherwise printed when changed (at most every 5 s). */
  status(s: Status): void {
    const lines = statusLines(s);
    if (this.live) {
      this.clear();
      this.draw(lines);
    } else if (lines.join() !== this.last?.join() && Date.now() - this.lastPrinted >= 5000) {
      this.log(`${lines[0]} |${lines[1].slice(1)}`);
      this.lastPrinted = Date.now();
    }
    this.last = lines;
  }

  /** A one-off event worth its own line (drift alert, promotion, pause, ...). */
  milestone(msg: string): void {
    const wasShown = this.shown;
    this.clear();
    this.log(`${new Date().toISOString().slice(11, 19)}  ${msg}`);
    if (wasShown && this.last) this.draw(this.last);
  }

  /** Leaves the last status on screen (or prints it) and stops rewriting. */
  end(): void {
    if (this.shown) process.stdout.write('\n');
    else if (this.last && !this.live) this.log(`${this.last[0]} |${this.last[1].slice(1)}`);
    this.shown = false;
  }

  private draw(lines: [string, string]): void {
    // Each line fits one terminal row, or it could not be rewritten in place.
    const w = Math.max(40, (process.stdout.columns ?? 200) - 1);
    process.stdout.write(`${lines[0].slice(0, w)}\n${lines[1].slice(0, w)}`);
    this.shown = true;
  }

  private clear(): void {
    if (this.shown) process.stdout.write('\r\x1b[K\x1b[1A\r\x1b[K');
    this.shown = false;
  }
}
