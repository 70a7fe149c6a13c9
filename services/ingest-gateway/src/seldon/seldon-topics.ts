/** Which captured half a Seldon Core 2 model topic carries, and for which model. */
export interface SeldonTopic {
  namespace: string;
  model: string;
  part: 'request' | 'response';
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The model topics of `namespaces` under Seldon's `topicPrefix`:
 * `<prefix>.<namespace>.model.<model>.inputs` (ModelInferRequest) and `.outputs`
 * (ModelInferResponse). Pipeline topics (`.pipeline.`) and the errors topic do not match.
 */
export function seldonTopicPattern(prefix: string, namespaces: string[]): RegExp {
  return new RegExp(`^${escape(prefix)}\\.(${namespaces.map(escape).join('|')})\\.model\\.([^.]+)\\.(inputs|outputs)$`);
}

/** What `topic` carries, or undefined when it is not a captured model topic. */
export function parseSeldonTopic(pattern: RegExp, topic: string): SeldonTopic | undefined {
  const m = pattern.exec(topic);
  return m ? { namespace: m[1], model: m[2], part: m[3] === 'inputs' ? 'request' : 'response' } : undefined;
}
