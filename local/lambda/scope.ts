import { AsyncLocalStorage } from "node:async_hooks";

/** What one invocation of a local function is, for the code that runs inside it (fault middleware, meters). */
export interface InvocationScope {
  readonly functionName: string;
  readonly requestId: string;
  /** Set once the invocation crashed or timed out: a dead handler makes no more AWS calls. */
  readonly deathCause: Error | undefined;
  /** Ends the invocation with `cause` as its error, as if the process had died; returns `cause` to throw. */
  die(cause: Error): Error;
  /** Hooks the runtime gives the invocation (fault decisions, call meters). */
  readonly hooks: InvocationHooks;
}

/** What the runtime wants to know of, and do to, each AWS call a handler makes. */
export interface InvocationHooks {
  beforeCall?(call: AwsCall): CallPlan | undefined;
}

export interface AwsCall {
  /** `DynamoDB`, `SNS`, `SQS`… (the client's name without `Client`). */
  readonly service: string;
  /** `UpdateItemCommand`, `PublishBatchCommand`… */
  readonly command: string;
  readonly input: unknown;
}

/** What happens around one call: fail it without sending, crash the handler before or after it, meter it. */
export interface CallPlan {
  readonly fail?: Error;
  readonly crash?: "before" | "after";
  /** Called once the call is sent, whatever its outcome. */
  readonly sent?: () => void;
}

interface Scope {
  /** The function's environment variables, over the process's own. */
  readonly env: Readonly<Record<string, string>>;
  readonly invocation?: InvocationScope;
}

const scopes = new AsyncLocalStorage<Scope>();
let environmentInstalled = false;

/** The invocation the current async context belongs to, if any. */
export function currentInvocation(): InvocationScope | undefined {
  return scopes.getStore()?.invocation;
}

/** Runs `fn` with `env` as the function's environment and `invocation` as the current invocation. */
export function runInFunctionScope<T>(
  env: Readonly<Record<string, string>>,
  invocation: InvocationScope | undefined,
  fn: () => T,
): T {
  installFunctionEnvironments();
  return scopes.run({ env, invocation }, fn);
}

/**
 * Several Lambda functions share this process, each with its own environment variables. `process.env` becomes
 * a view that shows the current function's variables over the process's own, so a handler reading its env at
 * module load or per invocation sees its own, as in Lambda.
 */
export function installFunctionEnvironments(): void {
  if (environmentInstalled) return;
  environmentInstalled = true;
  const base = process.env;
  const overlay = () => scopes.getStore()?.env;
  process.env = new Proxy(base, {
    get(target, name) {
      const env = overlay();
      if (env && typeof name === "string" && Object.hasOwn(env, name)) return env[name];
      return Reflect.get(target, name);
    },
    has(target, name) {
      const env = overlay();
      return (env !== undefined && typeof name === "string" && Object.hasOwn(env, name)) || name in target;
    },
    ownKeys(target) {
      const env = overlay();
      return env ? [...new Set([...Reflect.ownKeys(target), ...Object.keys(env)])] : Reflect.ownKeys(target);
    },
    getOwnPropertyDescriptor(target, name) {
      const env = overlay();
      if (env && typeof name === "string" && Object.hasOwn(env, name)) {
        return { value: env[name], writable: true, enumerable: true, configurable: true };
      }
      return Reflect.getOwnPropertyDescriptor(target, name);
    },
  });
}
