import { Validations } from "aws-cdk-lib";
import { Key } from "aws-cdk-lib/aws-kms";
import { type ISecret, Secret } from "aws-cdk-lib/aws-secretsmanager";
import type { Construct } from "constructs";
import type { KafkaSource } from "../config";

/**
 * The credentials the pollers authenticate with: the configured secret (with the key it is encrypted with, so
 * the grant covers decrypting it), or, for self-managed brokers over the internet, a new secret the operator
 * fills in with the brokers' credentials. MSK with IAM auth and brokers inside a VPC without a secret need none.
 */
export function kafkaSecretOf(scope: Construct, kafka: KafkaSource): ISecret | undefined {
  if (kafka.secretArn) {
    return Secret.fromSecretAttributes(scope, "KafkaSecret", {
      secretCompleteArn: kafka.secretArn,
      encryptionKey: kafka.secretKeyArn
        ? Key.fromKeyArn(scope, "KafkaSecretKey", kafka.secretKeyArn)
        : undefined,
    });
  }
  if (kafka.mode !== "self-managed" || kafka.vpc) return undefined;
  const secret = new Secret(scope, "KafkaCredentials", {
    description: "SASL/SCRAM credentials the Lambda pollers use for TheWorldShop's Kafka brokers",
    generateSecretString: {
      secretStringTemplate: '{"username":"theworldshop"}',
      generateStringKey: "password",
    },
  });
  Validations.of(secret).acknowledge({
    id: "AwsSolutions-SMG4",
    reason:
      "these are the brokers' SCRAM credentials: they are rotated on the brokers and here together, which a rotation function cannot do",
  });
  return secret;
}
