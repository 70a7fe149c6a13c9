export type Usage = { promptTokens: number; completionTokens: number };

/** A machine's answer: a label, or an abstention with the reason. */
export interface MachineAnswer {
  annotator: string;
  label?: string;
  abstainReason?: string;
  cost: number;
  latencyMs: number;
  usage?: Usage;
}
