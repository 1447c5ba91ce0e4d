// Sends batches of challenge events over HTTP or gRPC with the same semantics, so the scenario
// does not care which protocol it measures.
import grpc from 'k6/net/grpc';
import { check } from 'k6';
import type { Api, IngestEvent } from './api.ts';
import type { Config } from './config.ts';
import { eventsAccepted, ingestRejected } from './metrics.ts';

export type IngestOutcome = 'accepted' | 'rejected' | 'failed';

const grpcMethod = 'loadgate.ingest.v1.EventIngest/Ingest';

// k6 only reads files in the init context; the .proto ships next to the bundle (build.mjs copies it).
const client = new grpc.Client();
client.load(['proto'], 'loadgate/ingest/v1/ingest.proto');
let connected = false;

function sendGrpc(config: Config, events: IngestEvent[]): IngestOutcome {
  if (!connected) {
    client.connect(config.grpcAddr, { plaintext: true, timeout: `${config.requestTimeoutMs}ms` });
    connected = true;
  }
  const response = client.invoke(grpcMethod, { events }, {
    timeout: `${config.requestTimeoutMs}ms`,
    tags: { endpoint: 'events_ingest', name: grpcMethod },
  });
  if (response.status === grpc.StatusResourceExhausted) return 'rejected';
  return check(response, { 'ingest (grpc): status OK': (r) => r.status === grpc.StatusOK }) ? 'accepted' : 'failed';
}

function sendHttp(api: Api, events: IngestEvent[]): IngestOutcome {
  const response = api.ingestEvents(events);
  if (response.status === 503) return 'rejected';
  return check(response, { 'ingest (http): status 202': (r) => r.status === 202 }) ? 'accepted' : 'failed';
}

export function sendEvents(config: Config, api: Api, events: IngestEvent[]): IngestOutcome {
  const outcome = config.protocol === 'grpc' ? sendGrpc(config, events) : sendHttp(api, events);
  ingestRejected.add(outcome === 'rejected', { protocol: config.protocol });
  if (outcome === 'accepted') eventsAccepted.add(events.length, { protocol: config.protocol });
  return outcome;
}
