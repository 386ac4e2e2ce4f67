/** Where the local (or LocalStack) AWS services and the Kafka broker are, as every client sees them. */
export interface ServiceEndpoints {
  /** DynamoDB endpoint URL. */
  readonly dynamodb: string;
  /** SNS and SQS endpoint URL (one emulator serves both). */
  readonly snsSqs: string;
  /** Kafka bootstrap servers, `host:port`; empty when Kafka was not asked for. */
  readonly kafkaBrokers: readonly string[];
}

export const LOCAL_REGION = "us-east-1";
export const LOCAL_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" } as const;

/** Environment variables that point the AWS SDK and our handlers at the given endpoints. */
export function endpointEnvironment(endpoints: ServiceEndpoints): Record<string, string> {
  return {
    AWS_REGION: process.env.AWS_REGION ?? LOCAL_REGION,
    AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_SNS: endpoints.snsSqs,
    AWS_ENDPOINT_URL_SQS: endpoints.snsSqs,
    KAFKA_BROKERS: endpoints.kafkaBrokers.join(","),
  };
}
