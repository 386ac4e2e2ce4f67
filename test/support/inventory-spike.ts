import type { RawKafkaRecord } from "../../local/kafka-event";

export const INVENTORY_TOPIC = "theworldshop.inventory";
const START = Date.parse("2026-12-01T23:00:00Z");

interface Snapshot {
  readonly productId: string;
  readonly quantity: number;
  readonly at: number;
  readonly productName?: string;
}

/** A product's snapshots on its partition, and the re-sent (stale) ones among them. */
export interface ProductStream {
  readonly productId: string;
  readonly partition: number;
  readonly snapshots: readonly Snapshot[];
  readonly staleCount: number;
}

/** The viral blue mug: 500 to 0 in sales of 1–3 units a second, an old snapshot re-sent every 15 sales. */
function viralMug(): ProductStream {
  const snapshots: Snapshot[] = [{ productId: "P-123", quantity: 500, at: START, productName: "Blue mug" }];
  let staleCount = 0;
  for (let quantity = 500, second = 1; quantity > 0; second++) {
    quantity = Math.max(0, quantity - ((second % 3) + 1));
    snapshots.push({ productId: "P-123", quantity, at: START + second * 1000 });
    if (second % 15 === 0) {
      // A warehouse system re-sends an older snapshot: once exactly, once an older one.
      snapshots.push(snapshots.at(-1)!, snapshots.at(-5)!);
      staleCount += 2;
    }
  }
  // After the last unit sold, the batch job's old snapshot still says 500 in stock: stale, ignored.
  snapshots.push({ productId: "P-123", quantity: 500, at: START, productName: "Blue mug" });
  return { productId: "P-123", partition: 0, snapshots, staleCount: staleCount + 1 };
}

/** A steady seller that never runs low. */
function redPlate(): ProductStream {
  const snapshots = Array.from({ length: 120 }, (_, i) => ({
    productId: "P-456",
    quantity: 300 - i,
    at: START + i * 2000,
    productName: "Red plate",
  }));
  return { productId: "P-456", partition: 1, snapshots, staleCount: 0 };
}

/** A bowl with threshold override 25: runs low at 24, out at 0, then a restock brings it back. */
function greenBowl(): ProductStream {
  const snapshots: Snapshot[] = Array.from({ length: 41 }, (_, i) => ({
    productId: "P-789",
    quantity: 40 - i,
    at: START + i * 5000,
  }));
  snapshots.push({ productId: "P-789", quantity: 100, at: START + 300_000 });
  snapshots.push({ productId: "P-789", quantity: 0, at: START + 1000 }); // stale
  return { productId: "P-789", partition: 2, snapshots, staleCount: 1 };
}

export const SPIKE_THRESHOLDS = { "P-789": 25 } as const;

/** Each product's stream, and the records in offset order per partition, partitions interleaved as polled. */
export function viralSpike(): { products: ProductStream[]; records: RawKafkaRecord[] } {
  const products = [viralMug(), redPlate(), greenBowl()];
  const perPartition = products.map(({ partition, snapshots }) =>
    snapshots.map((snapshot, offset) => ({
      topic: INVENTORY_TOPIC,
      partition,
      offset,
      key: snapshot.productId,
      timestamp: snapshot.at,
      value: JSON.stringify({
        eventId: `inv-${partition}-${offset}`,
        productId: snapshot.productId,
        quantity: snapshot.quantity,
        eventTime: new Date(snapshot.at).toISOString(),
        warehouseId: "W-DUBLIN",
        ...(snapshot.productName === undefined ? {} : { productName: snapshot.productName }),
      }),
    })),
  );
  // A poison record among the plates: a negative quantity.
  const plates = perPartition[1]!;
  plates.splice(60, 0, {
    ...plates[60]!,
    value: JSON.stringify({
      eventId: "bad",
      productId: "P-456",
      quantity: -4,
      eventTime: "2026-12-01T23:02:00Z",
    }),
  });
  for (const [offset, record] of plates.entries()) plates[offset] = { ...record, offset };
  const records: RawKafkaRecord[] = [];
  for (let i = 0; perPartition.some((list) => i < list.length); i++) {
    for (const list of perPartition) if (i < list.length) records.push(list[i]!);
  }
  return { products, records };
}

/** The records in consecutive batches of `size`, as an event source mapping polling them would deliver. */
export function inBatches<T>(records: readonly T[], size: number): T[][] {
  const batches: T[][] = [];
  for (let start = 0; start < records.length; start += size) batches.push(records.slice(start, start + size));
  return batches;
}

/** The offset of the first record of `productId` whose quantity satisfies `test`. */
export function firstOffsetWhere(
  records: readonly RawKafkaRecord[],
  productId: string,
  test: (quantity: number) => boolean,
): number {
  const found = records.find((record) => {
    const value = JSON.parse(record.value ?? "null") as { productId?: string; quantity?: number } | null;
    return (
      value?.productId === productId &&
      value.quantity !== undefined &&
      value.quantity >= 0 &&
      test(value.quantity)
    );
  });
  if (!found) throw new Error(`no record of ${productId} matches`);
  return found.offset;
}
