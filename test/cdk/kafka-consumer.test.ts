import { Duration } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { HANDLER_METADATA } from "../../lib/constructs/kafka-consumer";
import { CLUSTER_ARN, consumerTestStack, SOURCES, streamingStack } from "./fixtures/stacks";

describe("a Kafka consumer", () => {
  it("triggers its function from its topic with every Kafka error-handling control", () => {
    const { stack, consumer, stateTable } = consumerTestStack();
    consumer("Inventory", { topic: "theworldshop.inventory", tables: [stateTable("Availability")] });

    Template.fromStack(stack).hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      Topics: ["theworldshop.inventory"],
      SelfManagedEventSource: { Endpoints: { KafkaBootstrapServers: ["b-1.kafka.internal:9096"] } },
      SelfManagedKafkaEventSourceConfig: { ConsumerGroupId: "theworldshop-inventory" },
      SourceAccessConfigurations: [
        { Type: "SASL_SCRAM_512_AUTH", URI: { Ref: Match.stringLikeRegexp("^KafkaCredentials") } },
      ],
      StartingPosition: "TRIM_HORIZON",
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 1,
      ProvisionedPollerConfig: { MinimumPollers: 1, MaximumPollers: 10 },
      MaximumRetryAttempts: -1,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      MaximumRecordAgeInSeconds: -1,
      DestinationConfig: Match.absent(),
    });
  });

  it("never gives up on a record: every state consumer of the stack retries without limit, with no destination", () => {
    const mappings = Template.fromStack(
      streamingStack({ "theworldshop:kafka": SOURCES.selfManaged }),
    ).findResources("AWS::Lambda::EventSourceMapping");

    const topics = Object.values(mappings).map((mapping) => mapping.Properties.Topics[0]);
    expect(topics.sort()).toEqual([
      "theworldshop.clicks",
      "theworldshop.fraud-signals",
      "theworldshop.inventory",
      "theworldshop.orders",
    ]);
    for (const mapping of Object.values(mappings)) {
      expect(mapping.Properties).toMatchObject({
        MaximumRetryAttempts: -1,
        MaximumRecordAgeInSeconds: -1,
        BisectBatchOnFunctionError: true,
        FunctionResponseTypes: ["ReportBatchItemFailures"],
      });
      expect(mapping.Properties.DestinationConfig).toBeUndefined();
    }
  });

  it("lets the operator's theworldshop:consumers setting override a consumer's own batching and pollers", () => {
    const mappingOf = (context: Record<string, unknown>) =>
      Template.fromStack(
        streamingStack({ "theworldshop:kafka": SOURCES.selfManaged, ...context }),
      ).findResources("AWS::Lambda::EventSourceMapping", {
        Properties: { Topics: ["theworldshop.inventory"] },
      });
    const [own] = Object.values(mappingOf({}));
    const [tuned] = Object.values(
      mappingOf({ "theworldshop:consumers": { inventory: { batchSize: 50, maximumPollers: 4 } } }),
    );

    // The inventory consumer's own choice: 500 records, no batching window.
    expect(own?.Properties).toMatchObject({ BatchSize: 500, MaximumBatchingWindowInSeconds: 0 });
    expect(tuned?.Properties).toMatchObject({
      BatchSize: 50,
      MaximumBatchingWindowInSeconds: 0,
      ProvisionedPollerConfig: { MinimumPollers: 1, MaximumPollers: 4 },
    });
  });

  it("gives every consumer function the keys in flight and per write its tuning sets, 16 and 1 by default", () => {
    const variablesOf = (context: Record<string, unknown>) =>
      Object.values(
        Template.fromStack(
          streamingStack({ "theworldshop:kafka": SOURCES.selfManaged, ...context }),
        ).findResources("AWS::Lambda::Function", {
          Properties: { Environment: { Variables: { KAFKA_TOPIC: Match.anyValue() } } },
        }),
      )
        .map((fn) => fn.Properties.Environment.Variables)
        .map(({ KAFKA_TOPIC, KEY_CONCURRENCY, KEYS_PER_WRITE }) => [
          KAFKA_TOPIC,
          KEY_CONCURRENCY,
          KEYS_PER_WRITE,
        ])
        .sort((a, b) => a[0].localeCompare(b[0]));

    expect(variablesOf({})).toEqual([
      ["theworldshop.clicks", "16", "1"],
      ["theworldshop.fraud-signals", "16", "1"],
      ["theworldshop.inventory", "16", "1"],
      ["theworldshop.orders", "16", "1"],
    ]);
    expect(
      variablesOf({
        "theworldshop:consumers": { cardVelocity: { keyConcurrency: 64, keysPerWrite: 25 } },
      })[1],
    ).toEqual(["theworldshop.fraud-signals", "64", "25"]);
  });

  it("fails synth naming keysPerWrite when a consumer's own value is beyond DynamoDB's 100", () => {
    const { consumer, stateTable } = consumerTestStack();
    expect(() =>
      consumer("Inventory", {
        topic: "theworldshop.inventory",
        tables: [stateTable("A")],
        keysPerWrite: 101,
      }),
    ).toThrow("KafkaConsumer Inventory: keysPerWrite must be an integer from 1 to 100, got 101");
  });

  it("gives every consumer function its topic and theworldshop:engine's event-time bound", () => {
    const functionsOf = (context: Record<string, unknown>) =>
      Template.fromStack(
        streamingStack({ "theworldshop:kafka": SOURCES.selfManaged, ...context }),
      ).findResources("AWS::Lambda::Function", {
        Properties: { Environment: { Variables: { KAFKA_TOPIC: Match.anyValue() } } },
      });
    const variables = (context: Record<string, unknown>) =>
      Object.values(functionsOf(context))
        .map((fn) => fn.Properties.Environment.Variables)
        .map(({ KAFKA_TOPIC, MAX_EVENT_TIME_AHEAD_MINUTES }) => ({
          KAFKA_TOPIC,
          MAX_EVENT_TIME_AHEAD_MINUTES,
        }))
        .sort((a, b) => a.KAFKA_TOPIC.localeCompare(b.KAFKA_TOPIC));
    const topics = [
      "theworldshop.clicks",
      "theworldshop.fraud-signals",
      "theworldshop.inventory",
      "theworldshop.orders",
    ];

    expect(variables({})).toEqual(
      topics.map((KAFKA_TOPIC) => ({ KAFKA_TOPIC, MAX_EVENT_TIME_AHEAD_MINUTES: "60" })),
    );
    expect(variables({ "theworldshop:engine": { maxEventTimeAheadMinutes: 15 } })).toEqual(
      topics.map((KAFKA_TOPIC) => ({ KAFKA_TOPIC, MAX_EVENT_TIME_AHEAD_MINUTES: "15" })),
    );
  });

  it("runs on nodejs22.x, arm64, traced, with source maps, logging to its own log group", () => {
    const { stack, consumer, stateTable } = consumerTestStack();
    consumer("Inventory", { topic: "theworldshop.inventory", tables: [stateTable("Availability")] });
    const template = Template.fromStack(stack);

    template.hasResource("AWS::Lambda::Function", {
      Metadata: { [HANDLER_METADATA]: { entry: "test/cdk/fixtures/echo-handler.ts" } },
      Properties: Match.objectLike({
        Runtime: "nodejs22.x",
        Architectures: ["arm64"],
        TracingConfig: { Mode: "Active" },
        ReservedConcurrentExecutions: Match.absent(),
        LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp("^InventoryFunctionLogs") } },
        Environment: {
          Variables: Match.objectLike({
            ALERT_TOPIC_ARN: { Ref: Match.stringLikeRegexp("^Alerts") },
            REJECTED_QUEUE_URL: { Ref: Match.stringLikeRegexp("^RejectedRecords") },
            POWERTOOLS_SERVICE_NAME: "inventory",
            POWERTOOLS_METRICS_NAMESPACE: "TheWorldShop/Streaming",
            NODE_OPTIONS: "--enable-source-maps",
          }),
        },
      }),
    });
    template.hasResourceProperties("AWS::Logs::LogGroup", { RetentionInDays: 30 });
    // No AWSLambdaBasicExecutionRole: the role writes to its own log group only.
    template.hasResourceProperties("AWS::IAM::Role", { ManagedPolicyArns: Match.absent() });
  });

  it("reaches only its own tables, the alert topic and the two error queues, with no wildcard actions", () => {
    const { stack, consumer, stateTable } = consumerTestStack();
    const availability = stateTable("Availability");
    const cards = stateTable("Cards");
    consumer("Inventory", { topic: "theworldshop.inventory", tables: [availability] });
    consumer("CardVelocity", { topic: "theworldshop.fraud-signals", tables: [cards] });
    const policies = Template.fromStack(stack).findResources("AWS::IAM::Policy");
    const statementsOf = (prefix: string) =>
      Object.entries(policies).find(([id]) => id.startsWith(prefix))![1].Properties.PolicyDocument
        .Statement as {
        Action: string | string[];
        Resource: unknown;
      }[];

    for (const [prefix, own, other] of [
      ["InventoryFunctionRole", "AvailabilityTable", "CardsTable"],
      ["CardVelocityFunctionRole", "CardsTable", "AvailabilityTable"],
    ] as const) {
      const statements = statementsOf(prefix);
      const text = JSON.stringify(statements);
      expect(text).toContain(own);
      expect(text).not.toContain(other);
      const actions = statements.flatMap((s) => [s.Action].flat());
      expect(actions.filter((a) => a.endsWith("*") && !a.startsWith("kms:GenerateDataKey"))).toEqual([]);
      const dataActions = statements.filter((s) =>
        [s.Action].flat().some((a) => /^(dynamodb|sns|sqs):/.test(a)),
      );
      for (const statement of dataActions) expect(JSON.stringify(statement.Resource)).not.toBe('"*"');
      const publish = statements.filter((s) => [s.Action].flat().includes("sns:Publish"));
      expect(publish.map((s) => JSON.stringify(s.Resource))).toEqual([
        expect.stringMatching(/^\{"Ref":"Alerts/),
      ]);
    }
  });

  it("consumes an MSK cluster with IAM auth: kafka-cluster actions scoped to the cluster, its topic and its group", () => {
    const { stack, consumer, stateTable } = consumerTestStack(SOURCES.mskIam);
    consumer("Orders", { topic: "theworldshop.orders", tables: [stateTable("OrderCounts")] });
    const template = Template.fromStack(stack);
    const base = CLUSTER_ARN.split(":cluster/")[1];

    template.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      EventSourceArn: CLUSTER_ARN,
      AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: "theworldshop-orders" },
      SourceAccessConfigurations: Match.absent(),
    });
    template.hasResourceProperties("AWS::IAM::Policy", {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Effect: "Allow",
            Action: ["kafka-cluster:Connect", "kafka-cluster:DescribeClusterDynamicConfiguration"],
            Resource: CLUSTER_ARN,
          },
          {
            Effect: "Allow",
            Action: ["kafka-cluster:DescribeTopic", "kafka-cluster:ReadData"],
            Resource: `arn:aws:kafka:eu-west-1:123456789012:topic/${base}/theworldshop.orders`,
          },
          {
            Effect: "Allow",
            Action: ["kafka-cluster:DescribeGroup", "kafka-cluster:AlterGroup"],
            Resource: `arn:aws:kafka:eu-west-1:123456789012:group/${base}/theworldshop-orders`,
          },
        ]),
      },
    });
  });

  it("consumes an MSK cluster with SASL/SCRAM through the configured secret", () => {
    const { stack, consumer, stateTable } = consumerTestStack(SOURCES.mskScram);
    consumer("Orders", { topic: "theworldshop.orders", tables: [stateTable("OrderCounts")] });
    const template = Template.fromStack(stack);

    template.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      EventSourceArn: CLUSTER_ARN,
      SourceAccessConfigurations: [{ Type: "SASL_SCRAM_512_AUTH", URI: Match.anyValue() }],
    });
    template.hasResourceProperties("AWS::IAM::Policy", {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"] }),
        ]),
      },
    });
  });

  it("polls self-managed brokers inside a VPC from the configured subnets and security group", () => {
    const { stack, consumer, stateTable } = consumerTestStack(SOURCES.selfManagedInVpc);
    consumer("Sessions", { topic: "theworldshop.clicks", tables: [stateTable("SessionState")] });

    Template.fromStack(stack).hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      SourceAccessConfigurations: Match.arrayWith([
        { Type: "VPC_SECURITY_GROUP", URI: "sg-0a1b2c3d" },
        { Type: "VPC_SUBNET", URI: "subnet-0a1b2c3d" },
        { Type: "VPC_SUBNET", URI: "subnet-4e5f6a7b" },
      ]),
    });
  });

  it("takes reserved concurrency, memory and timeout when given", () => {
    const { stack, consumer, stateTable } = consumerTestStack();
    consumer("Inventory", {
      topic: "theworldshop.inventory",
      tables: [stateTable("Availability")],
      reservedConcurrentExecutions: 20,
      memorySize: 1024,
      timeout: Duration.seconds(30),
    });
    const template = Template.fromStack(stack);

    template.hasResourceProperties("AWS::Lambda::Function", {
      ReservedConcurrentExecutions: 20,
      MemorySize: 1024,
      Timeout: 30,
    });
  });

  it.each([
    [{ batchSize: 0 }, /KafkaConsumer Bad: batchSize must be an integer from 1 to 10000, got 0/],
    [{ entry: "functions/nowhere/handler.ts" }, /KafkaConsumer Bad: entry names no file/],
    [{ topic: "orders topic" }, /KafkaConsumer Bad: topic must be a Kafka topic name/],
    [{ tables: [] }, /KafkaConsumer Bad: tables must hold at least/],
    [
      { maxBatchingWindow: Duration.minutes(6) },
      /KafkaConsumer Bad: maxBatchingWindow must be from 0 to 300/,
    ],
    [
      { pollers: { minimumPollers: 5, maximumPollers: 2 } },
      /KafkaConsumer Bad: pollers must have minimumPollers/,
    ],
    [{ secret: undefined }, /KafkaConsumer Bad: secret is required for self-managed brokers/],
  ])("refuses invalid props with a message naming the prop: %o", (props, message) => {
    const { consumer, stateTable } = consumerTestStack();
    expect(() =>
      consumer("Bad", { topic: "theworldshop.inventory", tables: [stateTable("State")], ...props }),
    ).toThrow(message);
  });

  it("refuses a second consumer in the same consumer group", () => {
    const { consumer, stateTable } = consumerTestStack();
    consumer("Inventory", { topic: "theworldshop.inventory", tables: [stateTable("A")] });

    expect(() =>
      consumer("InventoryAgain", { topic: "theworldshop.inventory", tables: [stateTable("B")] }),
    ).toThrow(/consumerGroupId "theworldshop-inventory" is already used by ConsumerTest\/Inventory/);
  });
});
