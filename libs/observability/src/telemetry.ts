import { NodeSDK } from '@opentelemetry/sdk-node';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';

let sdk: NodeSDK | undefined;
let exporting = false;

/**
 * Whether spans are exported anywhere. When they are not, hot paths skip making per-message
 * spans and pass the incoming trace context on unchanged (as a service without tracing would),
 * so traces still join up across services that do export.
 */
export function tracesExported(): boolean {
  return exporting;
}

/**
 * Starts OpenTelemetry tracing for a service. Export is configured by the standard
 * `OTEL_*` variables; traces are exported over OTLP/HTTP only when an endpoint is set
 * (`OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`), so a laptop run
 * without a collector does not log export errors forever.
 */
export function initTelemetry(serviceName: string, env: NodeJS.ProcessEnv = process.env): void {
  if (sdk) return;
  const endpointSet = Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
  const disabled = env.OTEL_SDK_DISABLED === 'true' || env.OTEL_TRACES_EXPORTER === 'none';
  exporting = endpointSet && !disabled;
  sdk = new NodeSDK({
    resource: resourceFromAttributes({
      'service.name': env.OTEL_SERVICE_NAME ?? serviceName,
      'service.namespace': 'labelloop',
    }),
    spanProcessors: exporting ? [new BatchSpanProcessor(new OTLPTraceExporter())] : [],
    instrumentations: [],
  });
  sdk.start();
}

/** Flushes and stops telemetry; call last during graceful shutdown. */
export async function shutdownTelemetry(): Promise<void> {
  const s = sdk;
  sdk = undefined;
  exporting = false;
  await s?.shutdown().catch(() => undefined);
}
