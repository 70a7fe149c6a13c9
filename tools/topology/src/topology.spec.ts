import path from 'node:path';
import { renderDocs, scanServices } from './main';
import { noEdges, scanSource } from './scan';

const root = path.resolve(__dirname, '../../..');

describe('topology scan', () => {
  it('reads consumed topics from @Consumes, emitted ones from Outbox emit calls only, gRPC from server.add', () => {
    const edges = scanSource(
      'x.ts',
      `
      @Controller()
      class A {
        @Consumes(Topics.driftDetected, DriftDetectedSchema)
        async handle(events, em) {
          await this.outbox.emit(em, { topic: Topics.annotationRequested, key, schema, message });
          await outbox.emitMany(em, xs.map((x) => ({ topic: Topics.labelAccepted, key: x })));
          const subscription = { topic: Topics.modelPromoted };
        }
      }
      main({ grpc: (app, server) => server.add(SamplingService, app.get(G)).add(DispatchAdminService, app.get(H)) });
      `,
      noEdges(),
    );
    expect(edges).toEqual({ consumes: ['driftDetected'], emits: ['annotationRequested', 'labelAccepted'], grpc: ['SamplingService', 'DispatchAdminService'] });
  });

  it('finds the edges of the feedback loop in the services', () => {
    const byName = new Map(scanServices(root).map((s) => [s.name, s]));
    expect(byName.get('dataset-registry')?.consumes).toContain('modelPromoted');
    expect(byName.get('drift-detection')?.consumes).toContain('modelPromoted');
    expect(byName.get('sampling')?.consumes).toContain('driftDetected');
    expect(byName.get('retrain-trigger')?.consumes).toEqual(expect.arrayContaining(['driftDetected', 'driftResolved', 'modelEvaluated']));
    expect(byName.get('qa')?.emits).toEqual(expect.arrayContaining(['annotatorPaused', 'guidelineReviewRequested']));
    expect(byName.get('qa')?.consumes).toContain('annotatorResumed');
    expect(byName.get('annotation-dispatch')?.consumes).toContain('annotatorPaused');
    expect(byName.get('annotation-dispatch')?.emits).toContain('annotatorResumed');
    expect(byName.get('annotation-dispatch')?.grpc).toContain('DispatchAdminService');
    expect(byName.get('retrain-trigger')?.emits).toEqual(expect.arrayContaining(['modelPromoted', 'promotionRejected']));
    // The console and the machine annotators keep no state: no schema, no topics, no gRPC server.
    expect(byName.get('console')).toEqual({ name: 'console', consumes: [], emits: [], grpc: [] });
    expect(byName.get('machine-annotator')).toEqual({ name: 'machine-annotator', consumes: [], emits: [], grpc: [] });
    expect(byName.get('qa')?.stateful).toBe(true);
  });

  it('README.md and docs/runbook.md carry the tables the code implies (npm run topology)', () => {
    for (const doc of renderDocs(root, scanServices(root))) expect({ file: doc.file, table: doc.before }).toEqual({ file: doc.file, table: doc.after });
  });
});
