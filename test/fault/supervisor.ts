import { ServiceProcess, startService } from '@labelloop/testing';

/** A line of evidence: why a process ended that nobody killed. */
export interface ExitRecord {
  service: string;
  at: string;
  /** Seconds into the run. */
  t: number;
  code: number | null;
  signal: string | null;
  /** 'self_exit' = exited after it had started; 'start_failure' = exited before "service started". */
  kind: 'self_exit' | 'start_failure';
  /** Infrastructure outage in progress when it happened, if any. */
  during?: string;
  lastLines: string[];
}

/** Log lines worth counting: the services' own reports of recovering from a fault. */
const SIGNALS: [string, RegExp][] = [
  ['batch_retry', /"batch failed, will retry"/],
  ['consumer_crash', /"kafka consumer crashed"/],
  ['relay_retry', /"outbox relay failed, retrying"/],
  ['dead_lettered', /"message dead-lettered"/],
];

/**
 * Keeps one LabelLoop service running as its own process: SIGKILL on demand (then restart),
 * and restart whenever the process ends on its own — each such exit is recorded, because a
 * service is supposed to ride out a broker or database outage without exiting.
 */
export class Supervisor {
  private current?: ServiceProcess;
  private expectingExit = false;
  private stopped = false;
  private restarting?: Promise<void>;
  readonly exits: ExitRecord[] = [];
  readonly signals: Record<string, number> = Object.fromEntries(SIGNALS.map(([k]) => [k, 0]));
  readonly restartSeconds: number[] = [];
  /** Distinct error messages behind the recovery signals, with counts. */
  readonly errors: Record<string, number> = {};
  incarnations = 0;
  private readonly counted = new WeakSet<ServiceProcess>();

  constructor(
    readonly name: string,
    private readonly env: Record<string, string>,
    private readonly clock: () => number,
    private readonly outage: () => string | undefined,
    private readonly log: (msg: string) => void,
    /** True once the run is over (deadline passed): no more restarts. */
    private readonly halted: () => boolean = () => false,
  ) {}

  /** Starts the first incarnation and waits until it is ready. */
  async start(): Promise<void> {
    await this.launch();
  }

  get process(): ServiceProcess | undefined {
    return this.current;
  }

  /** SIGKILLs the process and restarts it; resolves once the new one is ready. */
  async sigkill(): Promise<number> {
    await this.restarting;
    const t0 = Date.now();
    const p = this.current;
    if (!p) throw new Error(`${this.name} is not running`);
    this.expectingExit = true;
    await p.kill('SIGKILL');
    this.countSignals(p);
    this.expectingExit = false;
    await this.launch();
    const secs = (Date.now() - t0) / 1000;
    this.restartSeconds.push(secs);
    return secs;
  }

  /** Graceful stop (SIGTERM), no restart. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.restarting?.catch(() => undefined);
    const p = this.current;
    if (!p) return;
    this.expectingExit = true;
    // Graceful stop gets 15 s (it finishes the batch in flight), then SIGKILL.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([p.kill('SIGTERM'), new Promise((r) => (timer = setTimeout(r, 15_000)))]);
    clearTimeout(timer);
    if (p.proc.exitCode === null && p.proc.signalCode === null) await p.kill('SIGKILL');
    this.countSignals(p);
  }

  /** Starts incarnations until one reports "service started" (a start can fail during an outage). */
  private async launch(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      if (this.stopped) return;
      if (this.halted()) throw new Error(`${this.name}: run halted, not restarting`);
      const p = startService(this.name, this.env);
      this.current = p;
      this.incarnations++;
      try {
        await p.ready;
        p.exited.then((code) => this.onExit(p, code));
        return;
      } catch (e) {
        // Exited (or hung) before it started.
        if (p.proc.exitCode === null && p.proc.signalCode === null) await p.kill('SIGKILL');
        this.record(p, 'start_failure', p.proc.exitCode, p.proc.signalCode);
        this.log(`${this.name} failed to start (attempt ${attempt + 1}): ${(e as Error).message.split('\n')[0]}`);
        await new Promise((r) => setTimeout(r, Math.min(5000, 500 * 2 ** attempt)));
      }
    }
  }

  private onExit(p: ServiceProcess, code: number | null): void {
    if (p !== this.current || this.expectingExit || this.stopped) return;
    this.record(p, 'self_exit', code, p.proc.signalCode);
    this.log(`${this.name} exited on its own (code ${code}, signal ${p.proc.signalCode}): restarting`);
    this.restarting = this.launch().catch((e: Error) => this.log(e.message));
  }

  private record(p: ServiceProcess, kind: ExitRecord['kind'], code: number | null, signal: string | null): void {
    this.countSignals(p);
    this.exits.push({
      service: this.name,
      at: new Date().toISOString(),
      t: Math.round(this.clock()),
      code,
      signal,
      kind,
      during: this.outage(),
      lastLines: p.logs.slice(-25),
    });
  }

  /** Counts the recovery signals in an incarnation's log, once per incarnation. */
  private countSignals(p: ServiceProcess): void {
    if (this.counted.has(p)) return;
    this.counted.add(p);
    for (const line of p.logs) {
      for (const [k, re] of SIGNALS) {
        if (!re.test(line)) continue;
        this.signals[k]++;
        // The distinct errors behind the retries (ids and numbers folded), as evidence for the report.
        const m = /"(?:error|reason)":"([^"]*)"/.exec(line);
        const key = `${k}: ${(m?.[1] ?? '?')
          .replace(/[0-9a-f]{8,}/g, '…')
          .replace(/\d+/g, 'N')
          .slice(0, 160)}`;
        this.errors[key] = (this.errors[key] ?? 0) + 1;
      }
    }
  }

  /** Counts the signals of the running incarnation too (call once, at the end). */
  finishCounting(): void {
    if (this.current) this.countSignals(this.current);
  }
}
