import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SNSClient } from "@aws-sdk/client-sns";
import { SQSClient } from "@aws-sdk/client-sqs";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { EngineClients } from "../../functions/shared/engine/clients";

/** Conditional writes that lost a race, by the state key's kind (`minute`, `seller`, …: the text before `#`). */
export type ConflictsByKind = Map<string, number>;

interface Probe {
  readonly clients: EngineClients;
  /** Conditional-check failures DynamoDB answered, by key kind. */
  readonly conflicts: ConflictsByKind;
  /** Successful PutItem and TransactWriteItems calls, by key kind. */
  readonly writes: ConflictsByKind;
  /** Faults injected, by kind. */
  readonly injected: Map<WriteFault, number>;
}

/** What to do to one write call: nothing, fail it before it is sent, or lose DynamoDB's answer after it applied. */
export type WriteFault = "none" | "fail-before" | "lose-response";

const kindOf = (pk: unknown) => String((pk as { S?: string } | undefined)?.S ?? pk).split("#")[0] ?? "";
const bump = <K>(counts: Map<K, number>, kind: K) => counts.set(kind, (counts.get(kind) ?? 0) + 1);

/**
 * Engine clients for the local services whose DynamoDB client counts conditional-write conflicts and writes per
 * key kind, and can inject faults into writes (`fault(n)` for the n-th write call, from 1).
 */
export function probedEngineClients(fault: (call: number) => WriteFault = () => "none"): Probe {
  const conflicts: ConflictsByKind = new Map();
  const writes: ConflictsByKind = new Map();
  const injected = new Map<WriteFault, number>();
  const dynamodb = new DynamoDBClient({});
  let calls = 0;
  dynamodb.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as {
        Item?: { pk?: unknown };
        TransactItems?: { Put?: { Item?: { pk?: unknown } } }[];
      };
      const isWrite =
        context.commandName === "PutItemCommand" || context.commandName === "TransactWriteItemsCommand";
      if (!isWrite) return next(args);
      const kind = kindOf(input.Item?.pk ?? input.TransactItems?.[0]?.Put?.Item?.pk);
      const injecting = fault(++calls);
      if (injecting !== "none") bump(injected, injecting);
      // Throttling: transient, so the engine retries it (a ValidationException would now reject the record).
      if (injecting === "fail-before") throw injectedError("ProvisionedThroughputExceededException", 400);
      try {
        const output = await next(args);
        bump(writes, kind);
        if (injecting === "lose-response") throw injectedError("InternalServerError", 500);
        return output;
      } catch (error) {
        const name = (error as Error).name;
        if (name === "ConditionalCheckFailedException" || name === "TransactionCanceledException")
          bump(conflicts, kind);
        throw error;
      }
    },
    { step: "serialize", name: "ordersTestProbe" },
  );
  return {
    clients: {
      dynamodb: DynamoDBDocumentClient.from(dynamodb, {
        marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: true },
      }),
      sns: new SNSClient({}),
      sqs: new SQSClient({}),
    },
    conflicts,
    writes,
    injected,
  };
}

function injectedError(name: string, httpStatusCode: number): Error {
  return Object.assign(new Error(`injected fault: ${name}`), { name, $metadata: { httpStatusCode } });
}
