/** Where a runtime process kills itself when armed: before a state write, before an SNS publish, mid-commit. */
export const KILL_MOMENTS = ["state-write", "publish", "commit"] as const;
export type KillMoment = (typeof KILL_MOMENTS)[number];

/** From the chaos run to a runtime process. */
export type ParentMessage =
  | { readonly type: "faults"; readonly throttle: number; readonly snsfail: number }
  | { readonly type: "arm"; readonly moment: KillMoment };

/** From a runtime process to the chaos run. */
export type ChildMessage = { readonly type: "ready" };
