import { Tracer } from "@aws-lambda-powertools/tracer";

/**
 * The process's X-Ray tracer (service name from POWERTOOLS_SERVICE_NAME). It traces only inside Lambda
 * (AWS_EXECUTION_ENV set) unless POWERTOOLS_TRACE_ENABLED is "false"; elsewhere every call below is a no-op.
 */
export const tracer = new Tracer();

/** `client` with each AWS SDK v3 call recorded as an X-Ray subsegment (DynamoDB, SNS, SQS on the trace map). */
export function traced<T>(client: T, by: Tracer = tracer): T {
  return by.captureAWSv3Client(client);
}
