import { startDynamoDbLocal } from "./dynamodb-local";
import { endpointEnvironment, type ServiceEndpoints } from "./endpoints";
import { startKafkaBroker } from "./kafka-broker";
import { startSnsSqs } from "./sns-sqs";

export interface LocalServices {
  readonly endpoints: ServiceEndpoints;
  /** What each service is and where, for people to read. */
  readonly description: readonly string[];
  stop(): Promise<void>;
}

export interface StartOptions {
  /** DynamoDB and SNS/SQS. @default true */
  readonly aws?: boolean;
  /** The Kafka broker. @default false */
  readonly kafka?: boolean;
}

/**
 * Starts what is asked for on free loopback ports, or uses what the environment names instead:
 * `AWS_ENDPOINT_URL` (e.g. LocalStack) for DynamoDB, SNS and SQS; `KAFKA_BROKERS` for Kafka.
 */
export async function startLocalServices({
  aws = true,
  kafka = false,
}: StartOptions = {}): Promise<LocalServices> {
  const stops: Array<() => Promise<void>> = [];
  const description: string[] = [];
  const stop = async () => {
    await Promise.allSettled(stops.reverse().map((fn) => fn()));
  };
  try {
    let dynamodb = "";
    let snsSqs = "";
    const external = process.env.AWS_ENDPOINT_URL;
    if (aws && external) {
      dynamodb = snsSqs = external;
      description.push(`AWS services at ${external} (AWS_ENDPOINT_URL)`);
    } else if (aws) {
      const [ddb, sns] = await Promise.all([startDynamoDbLocal(), startSnsSqs()]);
      stops.push(
        () => ddb.process.stop(),
        () => sns.process.stop(),
      );
      dynamodb = ddb.endpoint;
      snsSqs = sns.endpoint;
      description.push(`DynamoDB Local at ${dynamodb}`, `SNS/SQS (fauxqs) at ${snsSqs}`);
    }
    let kafkaBrokers: string[] = [];
    const externalKafka = process.env.KAFKA_BROKERS;
    if (kafka && externalKafka) {
      kafkaBrokers = externalKafka.split(",").map((broker) => broker.trim());
      description.push(`Kafka at ${externalKafka} (KAFKA_BROKERS)`);
    } else if (kafka) {
      const broker = await startKafkaBroker();
      stops.push(() => broker.stop());
      kafkaBrokers = [...broker.brokers];
      description.push(`Kafka broker (KRaft) at ${kafkaBrokers.join(",")}`);
    }
    return { endpoints: { dynamodb, snsSqs, kafkaBrokers }, description, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

export type { ServiceEndpoints };
export { endpointEnvironment };
