import { DynamoDBClient, ProvisionedThroughputExceededException } from "@aws-sdk/client-dynamodb";
import { InternalErrorException, SNSClient } from "@aws-sdk/client-sns";
import { SQSClient } from "@aws-sdk/client-sqs";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { HandlerCrashError } from "./lambda/errors";
import { type AwsCall, type CallPlan, currentInvocation } from "./lambda/scope";
import { uniformOf } from "./random";

export const FAULT_KINDS = ["redeliver", "crash", "throttle", "snsfail"] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];
/** The probability of each fault; each is in [0, 1). */
export type FaultRates = Readonly<Record<FaultKind, number>>;

export const NO_FAULTS: FaultRates = { redeliver: 0, crash: 0, throttle: 0, snsfail: 0 };

/** Thrown for a `--faults` value that is not `kind=probability,…` with known kinds and probabilities in [0, 1). */
export class FaultSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FaultSpecError";
  }
}

/** Parses `redeliver=0.2,crash=0.1,throttle=0.1,snsfail=0.05`; a kind left out has probability 0. */
export function parseFaults(spec: string | undefined): FaultRates {
  const rates: Record<FaultKind, number> = { ...NO_FAULTS };
  for (const part of (spec ?? "").split(",").filter((entry) => entry.trim() !== "")) {
    const [name, value, extra] = part.split("=").map((text) => text.trim());
    if (!FAULT_KINDS.includes(name as FaultKind) || value === undefined || extra !== undefined) {
      throw new FaultSpecError(
        `bad fault "${part}": expected one of ${FAULT_KINDS.join(", ")} as kind=probability`,
      );
    }
    const probability = Number(value);
    if (!(probability >= 0 && probability < 1)) {
      throw new FaultSpecError(
        `bad fault "${part}": the probability must be a number from 0 up to (not including) 1`,
      );
    }
    rates[name as FaultKind] = probability;
  }
  return rates;
}

/** Where a Kafka delivery happens: what makes fault decisions reproducible for a seed. */
export interface DeliveryContext {
  /** One partition of one consumer group, e.g. `theworldshop-inventory/theworldshop.inventory-2`. */
  readonly stream: string;
  /** The how-manieth invocation of this stream. */
  readonly sequence: number;
  /** Retries already spent on these records. */
  readonly attempt: number;
  /** Whether the event source mapping gives up when this attempt fails. */
  readonly lastAttempt: boolean;
}

/**
 * Decides, deterministically for a seed, which deliveries and AWS calls go wrong. A decision depends only on
 * the seed, the stream, the invocation's sequence number and what the call is about (table, key, topic), never
 * on timing, so concurrent partitions do not change each other's faults. A final attempt runs fault-free:
 * faults then delay results but never change them, which is what a replay with faults checks.
 */
export class FaultInjector {
  constructor(
    readonly rates: FaultRates,
    readonly seed: string | number,
  ) {}

  /** Whether a successful delivery is left uncommitted and delivered again. */
  redeliver(context: DeliveryContext): boolean {
    return this.draw("redeliver", context.stream, context.sequence) < this.rates.redeliver;
  }

  /** The batch size of a redelivery, from 1 to `max`, so that its boundaries move. */
  redeliveryBatchSize(context: DeliveryContext, max: number): number {
    return 1 + Math.floor(this.draw("boundary", context.stream, context.sequence) * max);
  }

  /** The fault plan of each AWS call of one invocation; undefined when none may fail. */
  callFaults(context: DeliveryContext): ((call: AwsCall) => CallPlan | undefined) | undefined {
    const { crash, throttle, snsfail } = this.rates;
    if (context.lastAttempt || crash + throttle + snsfail === 0) return undefined;
    const seen = new Map<string, number>();
    return (call) => {
      const identity = callIdentity(call);
      const occurrence = seen.get(identity) ?? 0;
      seen.set(identity, occurrence + 1);
      const draw = (kind: string) => this.draw(kind, context.stream, context.sequence, identity, occurrence);
      if (draw("crash") < crash) return { crash: draw("crash-side") < 0.5 ? "before" : "after" };
      if (call.service === "DynamoDB" && draw("throttle") < throttle) return { fail: throttlingError(call) };
      if (call.service === "SNS" && call.command.startsWith("Publish") && draw("snsfail") < snsfail) {
        return { fail: snsInternalError(call) };
      }
      return undefined;
    };
  }

  private draw(...parts: readonly (string | number)[]): number {
    return uniformOf(this.seed, ...parts);
  }
}

export function throttlingError(call: AwsCall): Error {
  return new ProvisionedThroughputExceededException({
    message: `The level of configured provisioned throughput for the table was exceeded (injected on ${call.command})`,
    $metadata: { httpStatusCode: 400, attempts: 1, totalRetryDelay: 0 },
  });
}

export function snsInternalError(call: AwsCall): Error {
  return new InternalErrorException({
    message: `Internal error (injected on ${call.command})`,
    $metadata: { httpStatusCode: 500, attempts: 1, totalRetryDelay: 0 },
  });
}

// Keys and entry ids name what a call is about; table names, topic ARNs and queue URLs carry a run's prefix.
const IDENTITY_FIELDS = new Set(["pk", "Id", "alertId"]);

/** What a call is about, from its input: the keys and entry ids it touches (not names of a run, not times). */
function callIdentity(call: AwsCall): string {
  const found: string[] = [];
  const visit = (value: unknown, depth: number) => {
    if (depth > 8 || value === null || typeof value !== "object") return;
    for (const [name, inner] of Object.entries(value)) {
      if (IDENTITY_FIELDS.has(name)) found.push(`${name}=${JSON.stringify(inner)}`);
      visit(inner, depth + 1);
    }
  };
  visit(call.input, 0);
  return `${call.service}.${call.command}(${found.join(",")})`;
}

type Next = (args: { input: unknown }) => Promise<unknown>;
type Middleware = (next: Next, context: { clientName?: string; commandName?: string }) => Next;
/** Any AWS SDK v3 client (its middleware stack is all this needs). */
export interface InstrumentableClient {
  readonly middlewareStack: {
    add(
      middleware: Middleware,
      options: { step: "initialize"; priority: "high"; name: string; override: boolean },
    ): void;
  };
}
const MIDDLEWARE_NAME = "theworldshopLocalInvocation";
const installedStacks = new WeakSet<object>();

/**
 * Adds the local runtime's middleware to an AWS SDK v3 client: inside a local invocation it applies the
 * invocation's call plan (injected crash before or after the call, throttling, SNS 5xx) and meters the call;
 * after the invocation died (crash, timeout, killed consumer) it refuses every further call, as a dead
 * process makes none. Outside an invocation it does nothing. It sits at the top of the stack (`initialize`),
 * above the SDK's own retries, so an injected failure reaches the handler's code.
 */
export function installFaults(client: InstrumentableClient): void {
  const stack = client.middlewareStack;
  if (installedStacks.has(stack)) return;
  installedStacks.add(stack);
  stack.add(
    (next, context) => async (args) => {
      const invocation = currentInvocation();
      if (!invocation) return next(args);
      if (invocation.deathCause) throw invocation.deathCause;
      const call: AwsCall = {
        service: String(context.clientName ?? "").replace(/Client$/, ""),
        command: String(context.commandName ?? ""),
        input: args.input,
      };
      const plan = invocation.hooks.beforeCall?.(call);
      if (plan?.crash === "before") throw invocation.die(crashError(call, "before"));
      if (plan?.fail) throw plan.fail;
      plan?.sent?.();
      const output = await next(args);
      if (plan?.crash === "after") throw invocation.die(crashError(call, "after"));
      if (invocation.deathCause) throw invocation.deathCause;
      return output;
    },
    { step: "initialize", priority: "high", name: MIDDLEWARE_NAME, override: true },
  );
}

function crashError(call: AwsCall, when: "before" | "after"): Error {
  return new HandlerCrashError(`injected crash ${when} ${call.service} ${call.command}`);
}

let intercepting = false;

/**
 * Installs the middleware on every DynamoDB, DynamoDB document, SNS and SQS client of this process the first
 * time each sends, including clients a handler module created at load, so handlers need not expose theirs.
 */
export function interceptAwsClients(): void {
  if (intercepting) return;
  intercepting = true;
  for (const Client of [DynamoDBClient, DynamoDBDocumentClient, SNSClient, SQSClient]) {
    const prototype = Client.prototype as unknown as { send: (...args: unknown[]) => unknown };
    const send = prototype.send;
    Object.defineProperty(prototype, "send", {
      configurable: true,
      writable: true,
      value: function send_(this: InstrumentableClient, ...args: unknown[]) {
        installFaults(this);
        return send.apply(this, args);
      },
    });
  }
}
