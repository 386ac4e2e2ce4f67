import { type CfnElement, Stack, Validations } from "aws-cdk-lib";
import type { KafkaConsumer } from "./kafka-consumer";
import type { KafkaConsumerProps } from "./kafka-consumer-props";

/**
 * Acknowledges, each with its reason, exactly the cdk-nag AwsSolutions findings a consumer's least-privilege
 * grants still raise, on the role or function they concern, so that any other finding fails the nag test.
 */
export function acknowledgeConsumerFindings(consumer: KafkaConsumer, props: KafkaConsumerProps): void {
  const role = Validations.of(consumer.role);
  const inVpc = props.source.mode === "self-managed" && props.source.vpc !== undefined;
  role.acknowledge({
    id: "AwsSolutions-IAM5[Resource::*]",
    reason:
      "X-Ray PutTraceSegments/PutTelemetryRecords (active tracing) have no resource-level permissions" +
      (inVpc ? "; nor do the EC2 network-interface actions the pollers need in the brokers' VPC" : ""),
  });
  for (const table of props.tables) {
    const cfnTable = table.node.defaultChild as CfnElement | undefined;
    if (!cfnTable) continue;
    const logicalId = Stack.of(cfnTable).getLogicalId(cfnTable);
    role.acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>/index/*]`,
      reason:
        "grantReadWriteData covers the table's own indexes (the outbox index the engine queries), no other table",
    });
  }
  if (props.alertTopic.masterKey) {
    role.acknowledge({
      id: "AwsSolutions-IAM5[Action::kms:GenerateDataKey*]",
      reason:
        "publishing to the KMS-encrypted alert topic needs GenerateDataKey on the topic's own key (grantPublish)",
    });
  }
  if (props.source.mode === "msk") {
    role.acknowledge({
      id: "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaMSKExecutionRole]",
      reason:
        "the MSK event source attaches AWS's policy the pollers need (DescribeClusterV2, network interfaces in the cluster's VPC)",
    });
  }
  Validations.of(consumer.function).acknowledge({
    id: "AwsSolutions-L1",
    reason:
      "pinned to nodejs22.x, the runtime the engine, its tests and the local runtime are built and tested on",
  });
}
