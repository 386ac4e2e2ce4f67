import { createHash } from "node:crypto";

/** What identifies the record that raised an alert: its coordinates, or a business id it carries. */
export type TriggeringRecordId = string | readonly [topic: string, partition: number, offset: number];

/**
 * An alert's id: `<alertType>-<SHA-256 of the canonical JSON [alertType, subjectId, triggering record id]>`.
 * Deterministic, so a replay gives the same ids; unambiguous, so parts that run together ("acme211" + "x#1"
 * and "acme211#x" + "1") never give one id. Nothing should parse it: the alert carries every part.
 */
export function alertIdOf(
  alertType: string,
  subjectId: string,
  triggeringRecord: TriggeringRecordId,
): string {
  const canonical = JSON.stringify([alertType, subjectId, triggeringRecord]);
  return `${alertType}-${createHash("sha256").update(canonical, "utf8").digest("hex")}`;
}
