import { Stack, Token } from "aws-cdk-lib";
import { Function as LambdaFunction } from "aws-cdk-lib/aws-lambda";
import { type ITopic, SubscriptionFilter, SubscriptionProtocol } from "aws-cdk-lib/aws-sns";
import {
  EmailSubscription,
  LambdaSubscription,
  SmsSubscription,
  SqsSubscription,
  UrlSubscription,
} from "aws-cdk-lib/aws-sns-subscriptions";
import { Queue } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import type { AlertFilter, Subscription } from "../config";

export interface TopicSubscriptionsProps {
  /** The topic subscribed to. */
  readonly topic: ITopic;
  /** Email, SMS, HTTPS, SQS and Lambda subscribers, each with an optional filter on alertType and severity. */
  readonly subscriptions: readonly Subscription[];
}

/**
 * Subscribes the configured endpoints to a topic. Email and HTTPS subscribers must confirm; SQS queues and
 * Lambda functions in another account must allow the topic themselves (docs/deploy.md).
 */
export class TopicSubscriptions extends Construct {
  constructor(scope: Construct, id: string, props: TopicSubscriptionsProps) {
    super(scope, id);
    const seen = new Set<string>();
    props.subscriptions.forEach((subscription, index) => {
      const key = `${subscription.protocol}:${subscription.endpoint}`;
      if (seen.has(key))
        throw new Error(`TopicSubscriptions ${id}: ${key} is subscribed twice; give it one filter instead`);
      seen.add(key);
      props.topic.addSubscription(this.subscriber(subscription, index));
    });
  }

  private subscriber(subscription: Subscription, index: number) {
    const filterPolicy = subscription.filter ? filterPolicyOf(subscription.filter) : undefined;
    switch (subscription.protocol) {
      case "email":
        return new EmailSubscription(subscription.endpoint, { filterPolicy });
      case "sms":
        return new SmsSubscription(subscription.endpoint, { filterPolicy });
      case "https":
        return new UrlSubscription(subscription.endpoint, {
          protocol: SubscriptionProtocol.HTTPS,
          filterPolicy,
        });
      case "sqs":
        return new SqsSubscription(Queue.fromQueueArn(this, `Queue${index}`, subscription.endpoint), {
          rawMessageDelivery: subscription.rawMessageDelivery,
          filterPolicy,
        });
      case "lambda": {
        const account = subscription.endpoint.split(":")[4];
        const stackAccount = Stack.of(this).account;
        const fn = LambdaFunction.fromFunctionAttributes(this, `Function${index}`, {
          functionArn: subscription.endpoint,
          // Only a function in this stack's account can be given an invoke permission from here.
          sameEnvironment: Token.isUnresolved(stackAccount) || account === stackAccount,
        });
        return new LambdaSubscription(fn, { filterPolicy });
      }
    }
  }
}

/** An SNS filter policy on the `alertType` and `severity` message attributes every alert carries. */
export function filterPolicyOf(filter: AlertFilter): Record<string, SubscriptionFilter> {
  const policy: Record<string, SubscriptionFilter> = {};
  if (filter.alertType)
    policy.alertType = SubscriptionFilter.stringFilter({ allowlist: [...filter.alertType] });
  if (filter.severity) policy.severity = SubscriptionFilter.stringFilter({ allowlist: [...filter.severity] });
  return policy;
}
