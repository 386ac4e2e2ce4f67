import { describe, expect, it } from "vitest";
import { murmur2, partitionForKey, toPositive } from "../../../local/event-source/murmur2";

describe("murmur2, Kafka's default partitioner hash", () => {
  // Kafka's own vectors: clients/src/test/java/org/apache/kafka/common/utils/UtilsTest.java, testMurmur2.
  it.each([
    ["21", -973932308],
    ["foobar", -790332482],
    ["a-little-bit-long-string", -985981536],
    ["a-little-bit-longer-string", -1486304829],
    ["lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971],
    ["abc", 479470107],
  ])("hashes %j to %i like the Java client", (input, expected) => {
    expect(murmur2(Buffer.from(input, "utf8"))).toBe(expected);
  });

  it("hashes the empty key like the Java client", () => {
    expect(murmur2(new Uint8Array())).toBe(275646681);
  });

  it("maps a key to toPositive(murmur2(key)) % partitions", () => {
    expect(toPositive(-790332482)).toBe(1357151166);
    expect(partitionForKey("foobar", 10)).toBe(6);
    expect(partitionForKey("foobar", 50)).toBe(16);
  });

  it("places keys where the kafkajs Java-compatible partitioner does", async () => {
    const { Partitioners } = await import("kafkajs");
    const kafkajs = Partitioners.DefaultPartitioner();
    const partitionMetadata = [0, 1, 2].map((partitionId) => ({
      partitionId,
      leader: 0,
      partitionErrorCode: 0,
      replicas: [0],
      isr: [0],
    }));
    for (const key of ["P-1", "P-2", "card-7f3a", "U-42", "ORD-2026-11-20-0001", "ünïcødé"]) {
      const expected = kafkajs({ topic: "t", partitionMetadata, message: { key, value: "v" } });
      expect(partitionForKey(key, 3)).toBe(expected);
    }
  });

  it("refuses a partition count that is not a positive integer", () => {
    expect(() => partitionForKey("k", 0)).toThrow(RangeError);
  });
});
