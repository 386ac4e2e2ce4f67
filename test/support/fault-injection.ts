import {
  InternalServerError,
  ProvisionedThroughputExceededException,
  ThrottlingException,
} from "@aws-sdk/client-dynamodb";
import { InternalErrorException, ThrottledException } from "@aws-sdk/client-sns";
import { RequestThrottled, SQSServiceException } from "@aws-sdk/client-sqs";
import type { InitializeHandler, InitializeHandlerArguments, InitializeMiddleware } from "@smithy/types";
import { createEngineClients, type EngineClients } from "../../functions/shared/engine/clients";

/** What an injected fault does to one AWS call. */
export const FAULTS = ["throttle", "server-error", "crash-before", "crash-after"] as const;
/** A fault, or "hang": the call never answers (a stuck connection), so only the engine's deadline ends it. */
export type Fault = (typeof FAULTS)[number] | "hang";
export type AwsService = "dynamodb" | "sns" | "sqs";

/** One AWS call as the injector saw it. */
export interface AwsCall {
  readonly service: AwsService;
  /** The API operation: "PutItem", "TransactWriteItems", "PublishBatch", "SendMessageBatch", … */
  readonly operation: string;
  /** The command input as the engine built it (DynamoDB items not yet marshalled). */
  readonly input: Readonly<Record<string, unknown>>;
  /** 1-based count of this operation's calls through the injector's clients, this one included. */
  readonly nth: number;
  /** 1-based count of every call through the injector's clients. */
  readonly index: number;
}

/** Decides, per call, whether it fails and how; deterministic for a given sequence of calls. */
export type FaultSchedule = (call: AwsCall) => Fault | undefined;

/** A process dying mid-invocation: not an AWS error, so the engine neither retries nor reports it. */
export class SimulatedCrash extends Error {
  constructor(
    readonly call: AwsCall,
    readonly when: "before" | "after",
  ) {
    super(`simulated crash ${when} ${call.operation} #${call.nth}`);
    this.name = "SimulatedCrash";
  }
}

export interface PlannedFault {
  readonly operation: string;
  /** Which call of `operation` fails (1-based). */
  readonly nth: number;
  readonly fault: Fault;
}

/** An explicit schedule: exactly the listed calls fail. */
export function faultsAt(planned: readonly PlannedFault[]): FaultSchedule {
  return (call) => planned.find((p) => p.operation === call.operation && p.nth === call.nth)?.fault;
}

export const noFaults: FaultSchedule = () => undefined;

/** The `nth` call (1-based) for which `matches` holds fails with `fault`; counted over every matching call. */
export function faultOnNth(matches: (call: AwsCall) => boolean, nth: number, fault: Fault): FaultSchedule {
  let seen = 0;
  return (call) => (matches(call) && ++seen === nth ? fault : undefined);
}

/** A write of one key's item (a Put, or a transaction with its side records); outbox acknowledgements included. */
export const isKeyWrite = (call: AwsCall) =>
  call.operation === "PutItem" || call.operation === "TransactWriteItems";

export interface RandomFaultOptions {
  readonly seed: number;
  /** Probability that a matching call fails, 0…1. */
  readonly rate: number;
  readonly faults: readonly Fault[];
  /** Only calls to these services fail. @default every service */
  readonly services?: readonly AwsService[];
  /** Only calls to these operations fail. @default every operation */
  readonly operations?: readonly string[];
  /** No more faults after this many, so a redelivery loop always ends. @default unlimited */
  readonly limit?: number;
}

/** A seeded schedule: each matching call fails with probability `rate`, with a fault drawn from `faults`. */
export function randomFaults(options: RandomFaultOptions): FaultSchedule {
  const next = mulberry32(options.seed);
  let injected = 0;
  return (call) => {
    if (options.services && !options.services.includes(call.service)) return undefined;
    if (options.operations && !options.operations.includes(call.operation)) return undefined;
    const draw = next();
    const pick = next();
    if (draw >= options.rate || injected >= (options.limit ?? Number.POSITIVE_INFINITY)) return undefined;
    injected++;
    return options.faults[Math.floor(pick * options.faults.length)];
  };
}

/** A small seeded PRNG (mulberry32), so a schedule replays the same faults for the same calls. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FaultInjector {
  /** Fresh engine clients with the injecting middleware; pass them as `dependencies.clients`. */
  readonly clients: EngineClients;
  /** Every call seen, in order. */
  readonly calls: AwsCall[];
  /** Every fault injected, in order. */
  readonly injected: { readonly call: AwsCall; readonly fault: Fault }[];
  /** The schedule in force; replace it to change the faults of later calls. */
  schedule: FaultSchedule;
  /** Settles when the first simulated crash is thrown, so a test can order other calls after it. */
  readonly crashed: Promise<void>;
}

export interface FaultInjectorOptions {
  /** Runs before each call (before its fault); a test may hold a call here to force an interleaving. */
  readonly onCall?: (call: AwsCall) => Promise<void> | void;
}

/**
 * Engine clients whose calls fail on `schedule`. The middleware sits at the `initialize` step, outside the
 * SDK's own retry middleware (`finalizeRequest`), so the SDK never retries an injected fault: the engine's
 * retry does, which is what the tests exercise. A "crash-after" fault lets the whole call (with any SDK
 * retries of real transport errors) take effect before it throws.
 */
export function faultInjectingClients(
  schedule: FaultSchedule,
  options: FaultInjectorOptions = {},
): FaultInjector {
  const clients = createEngineClients();
  const counts = new Map<string, number>();
  let crashNow!: () => void;
  const crashed = new Promise<void>((resolve) => {
    crashNow = resolve;
  });
  const injector: FaultInjector = { clients, calls: [], injected: [], schedule, crashed };
  const middleware =
    (service: AwsService): InitializeMiddleware<object, object> =>
    (next: InitializeHandler<object, object>, context) =>
    async (args: InitializeHandlerArguments<object>) => {
      const operation = String(context.commandName ?? "").replace(/Command$/, "");
      const nth = (counts.get(operation) ?? 0) + 1;
      counts.set(operation, nth);
      const call: AwsCall = {
        service,
        operation,
        input: args.input as Record<string, unknown>,
        nth,
        index: injector.calls.length + 1,
      };
      injector.calls.push(call);
      await options.onCall?.(call);
      const fault = injector.schedule(call);
      if (fault) injector.injected.push({ call, fault });
      if (fault === "throttle") throw throttling(service, call);
      if (fault === "server-error") throw serverError(service, call);
      if (fault === "crash-before") {
        crashNow();
        throw new SimulatedCrash(call, "before");
      }
      if (fault === "hang") return new Promise<never>(() => {});
      const output = await next(args);
      if (fault === "crash-after") {
        crashNow();
        throw new SimulatedCrash(call, "after");
      }
      return output;
    };
  const add = (stack: { add: (m: InitializeMiddleware<object, object>, o: object) => void }, s: AwsService) =>
    stack.add(middleware(s), { step: "initialize", priority: "high", name: `faultInjection-${s}` });
  // The document client shares its DynamoDBClient's middleware stack.
  add(clients.dynamodb.middlewareStack as never, "dynamodb");
  add(clients.sns.middlewareStack as never, "sns");
  add(clients.sqs.middlewareStack as never, "sqs");
  return injector;
}

const injectedMessage = (kind: string, call: AwsCall) =>
  `${kind} (injected into ${call.operation} #${call.nth})`;

/** The throttling error each service really returns: HTTP 400, marked retryable as throttling. */
function throttling(service: AwsService, call: AwsCall): Error {
  const $metadata = { httpStatusCode: 400 };
  const message = injectedMessage("rate exceeded", call);
  const error =
    service === "dynamodb"
      ? call.operation === "TransactWriteItems"
        ? new ThrottlingException({ message, $metadata })
        : new ProvisionedThroughputExceededException({ message, $metadata })
      : service === "sns"
        ? new ThrottledException({ message, $metadata })
        : new RequestThrottled({ message, $metadata });
  Object.assign(error, { $retryable: { throttling: true } });
  return error;
}

function serverError(service: AwsService, call: AwsCall): Error {
  const $metadata = { httpStatusCode: 500 };
  const message = injectedMessage("internal error", call);
  if (service === "dynamodb") return new InternalServerError({ message, $metadata });
  if (service === "sns") return new InternalErrorException({ message, $metadata });
  return new SQSServiceException({ name: "InternalError", $fault: "server", message, $metadata });
}
