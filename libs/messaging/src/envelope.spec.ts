import { CloudEvent, Kafka } from 'cloudevents';
import { envelopeHeaders, readEnvelope } from './envelope';

describe('CloudEvents binary envelope', () => {
  const env = {
    id: 'e-1',
    type: 'labelloop.inference.v1.PredictionEvent',
    source: 'labelloop/test',
    time: '2026-11-23T07:00:00.000Z',
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
  };

  it('writes the Kafka binding headers, and the CloudEvents SDK reads them back as the same event', () => {
    const h = envelopeHeaders(env, new Uint8Array([1, 2, 3]));
    expect(h).toEqual({
      ce_id: 'e-1',
      ce_type: env.type,
      ce_source: env.source,
      ce_specversion: '1.0',
      ce_time: env.time,
      'content-type': 'application/protobuf',
      traceparent: env.traceparent,
    });
    const parsed = Kafka.toEvent({ headers: h, key: 'k', value: Buffer.from([1, 2, 3]), body: Buffer.from([1, 2, 3]), timestamp: '0' } as never) as CloudEvent;
    expect(parsed).toMatchObject({ id: 'e-1', type: env.type, source: env.source, specversion: '1.0' });
    // A second event of the same type reuses the validated template but keeps its own id and time.
    expect(envelopeHeaders({ ...env, id: 'e-2', time: '2026-11-23T08:00:00.000Z', traceparent: undefined }, new Uint8Array())).toMatchObject({
      ce_id: 'e-2',
      ce_time: '2026-11-23T08:00:00.000Z',
    });
  });

  it('refuses an envelope the spec does not allow', () => {
    expect(() => envelopeHeaders({ ...env, id: '' }, new Uint8Array())).toThrow(/ce_id/);
    expect(() => envelopeHeaders({ ...env, type: 'x', source: '' }, new Uint8Array())).toThrow();
    expect(() =>
      readEnvelope({ ce_id: Buffer.from('1'), ce_source: Buffer.from('s'), ce_specversion: Buffer.from('0.3'), ce_type: Buffer.from('t') }, 't'),
    ).toThrow(/unsupported ce_specversion/);
  });
});
