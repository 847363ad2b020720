/**
 * Default AWS clients, in one place. Adaptive retries: the SDK paces itself when Route 53 or EC2 throttles
 * (`Throttling`, `PriorRequestNotComplete` and `RequestLimitExceeded` are retried with backoff and jitter).
 * `AWS_ENDPOINT_URL` (read by the SDK itself) points both at an emulator in tests and in the demo.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { Route53Client } from '@aws-sdk/client-route-53';

export interface Clients {
  readonly route53: Route53Client;
  readonly ec2: EC2Client;
}

export interface ClientOptions {
  readonly region?: string | undefined;
  readonly maxAttempts?: number;
}

export function createClients(options: ClientOptions = {}): Clients {
  const common = { retryMode: 'adaptive', maxAttempts: options.maxAttempts ?? 8 } as const;
  return {
    route53: new Route53Client({ ...common, ...(options.region ? { region: options.region } : {}) }),
    ec2: new EC2Client({ ...common, ...(options.region ? { region: options.region } : {}) }),
  };
}
