/**
 * The web console (services/console) next to a run's services: it reads them through their
 * gRPC APIs, so the people watching the demo can look instead of calling RPCs.
 */
import { freePort, ServiceProcess, startService } from '@labelloop/testing';
import type { Stack } from './stack';

/**
 * Starts the console for `modelId` and `projectId` on LABELLOOP_CONSOLE_PORT (default: a free
 * port) and resolves with the process and its URL once it listens.
 */
export async function startConsole(stack: Stack, modelId: string, projectId: string): Promise<{ proc: ServiceProcess; url: string }> {
  const port = process.env.LABELLOOP_CONSOLE_PORT ?? String(await freePort());
  const proc = startService('console', {
    HTTP_PORT: port,
    CONSOLE_DRIFT_GRPC_ADDRESS: stack.grpc('drift-detection'),
    CONSOLE_SAMPLING_GRPC_ADDRESS: stack.grpc('sampling'),
    CONSOLE_DISPATCH_GRPC_ADDRESS: stack.grpc('annotation-dispatch'),
    CONSOLE_QA_GRPC_ADDRESS: stack.grpc('qa'),
    CONSOLE_REGISTRY_GRPC_ADDRESS: stack.grpc('dataset-registry'),
    CONSOLE_RETRAIN_GRPC_ADDRESS: stack.grpc('retrain-trigger'),
    CONSOLE_MODELS: modelId,
    CONSOLE_PROJECTS: projectId,
    LOG_LEVEL: 'warn',
  });
  const { httpPort } = await proc.ready;
  return { proc, url: `http://127.0.0.1:${httpPort}` };
}
