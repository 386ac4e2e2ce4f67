import { randomUUID } from "node:crypto";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Context } from "aws-lambda";
import { LOCAL_REGION } from "../services/endpoints";
import { HandlerCrashError, InvocationTimeoutError, LocalLambdaError } from "./errors";
import type { FunctionDefinition } from "./functions";
import { type InvocationHooks, type InvocationScope, runInFunctionScope } from "./scope";

export type Handler = (event: unknown, context: Context) => unknown;

/** How an invocation ended: the handler's result, or its error (thrown, crashed, or timed out). */
export type InvocationOutcome =
  | { readonly status: "ok"; readonly requestId: string; readonly result: unknown }
  | {
      readonly status: "error";
      readonly requestId: string;
      readonly kind: "error" | "crash" | "timeout";
      readonly error: Error;
    };

export interface LocalFunctionOptions {
  /** The repository root the entry is relative to. */
  readonly root: string;
  /** Variables under the template's (endpoints, region). */
  readonly baseEnvironment?: Readonly<Record<string, string>>;
  /** Variables over the template's (e.g. quieter logs for replays). */
  readonly environmentOverrides?: Readonly<Record<string, string>>;
  /** Tags the handler module's URL so that each runtime gets its own module instance (and env read at load); letters, digits and dashes (vite reads a dot as an extension). */
  readonly instance: string;
}

export interface InvokeOptions {
  readonly hooks?: InvocationHooks;
  /** Aborting kills the invocation, as when the process running it dies. */
  readonly signal?: AbortSignal;
}

/** A Lambda function run in this process: its handler module imported under its own environment. */
export class LocalFunction {
  readonly environment: Readonly<Record<string, string>>;
  private handler?: Promise<Handler>;

  constructor(
    readonly definition: FunctionDefinition,
    private readonly options: LocalFunctionOptions,
  ) {
    const region = process.env.AWS_REGION ?? LOCAL_REGION;
    this.environment = {
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      AWS_LAMBDA_FUNCTION_NAME: definition.functionName,
      AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(definition.memorySize),
      ...options.baseEnvironment,
      ...definition.environment,
      ...options.environmentOverrides,
    };
  }

  /** Imports the handler module (once) with the function's environment as `process.env`. */
  load(): Promise<Handler> {
    this.handler ??= this.importHandler();
    return this.handler;
  }

  async invoke(event: unknown, options: InvokeOptions = {}): Promise<InvocationOutcome> {
    const handler = await this.load();
    const { functionName, timeoutSeconds } = this.definition;
    const requestId = randomUUID();
    let cause: Error | undefined;
    let announceDeath: (error: Error) => void = () => {};
    const death = new Promise<Error>((resolve) => {
      announceDeath = resolve;
    });
    const scope: InvocationScope = {
      functionName,
      requestId,
      hooks: options.hooks ?? {},
      get deathCause() {
        return cause;
      },
      die(error) {
        if (!cause) {
          cause = error;
          announceDeath(error);
        }
        return cause;
      },
    };
    const deadline = Date.now() + timeoutSeconds * 1000;
    const timer = setTimeout(
      () => scope.die(new InvocationTimeoutError(functionName, timeoutSeconds)),
      timeoutSeconds * 1000,
    );
    const kill = () => scope.die(new HandlerCrashError(`${functionName}: killed mid-invocation`));
    options.signal?.addEventListener("abort", kill, { once: true });
    try {
      if (options.signal?.aborted) kill();
      const run = runInFunctionScope(this.environment, scope, () =>
        Promise.resolve().then(() => handler(event, lambdaContext(this.definition, requestId, deadline))),
      );
      const settled = await Promise.race([
        run.then(
          (result) => ({ result }),
          (error: unknown) => ({ error: asError(error) }),
        ),
        death.then((error) => ({ error })),
      ]);
      if (cause) {
        const kind = cause instanceof InvocationTimeoutError ? "timeout" : "crash";
        return { status: "error", requestId, kind, error: cause };
      }
      if ("error" in settled) return { status: "error", requestId, kind: "error", error: settled.error };
      return { status: "ok", requestId, result: settled.result };
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", kill);
    }
  }

  private async importHandler(): Promise<Handler> {
    const { entry, logicalId } = this.definition;
    const url = pathToFileURL(resolve(this.options.root, entry));
    url.searchParams.set("function", `${logicalId}-${this.options.instance}`);
    const module = (await runInFunctionScope(this.environment, undefined, () => import(url.href))) as {
      handler?: unknown;
    };
    if (typeof module.handler !== "function") {
      throw new LocalLambdaError(`${entry} (function ${logicalId}) exports no handler function`);
    }
    return module.handler as Handler;
  }
}

function lambdaContext(definition: FunctionDefinition, requestId: string, deadline: number): Context {
  const region = process.env.AWS_REGION ?? LOCAL_REGION;
  const { functionName, memorySize } = definition;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:${region}:000000000000:function:${functionName}`,
    memoryLimitInMB: String(memorySize),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/[$LATEST]${requestId.replaceAll("-", "")}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new LocalLambdaError(`the handler threw ${String(error)}`);
}
