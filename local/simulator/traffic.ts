import {
  CANCELLING_SELLER,
  CUSTOMERS,
  cardFingerprint,
  PAGES,
  PRODUCTS,
  type Product,
  VIRAL_PRODUCT,
} from "./catalog";
import { SeededRandom } from "./random";

/** One record for Kafka, in the replay input format (`{ topic, key, value, timestamp }`). */
export interface SimulatedRecord {
  readonly topic: string;
  readonly key: string;
  readonly value: Record<string, unknown>;
  readonly timestamp: number;
}

export const SCENARIOS = ["viralSpike", "cardTesting", "sellerCancellations", "usersDriftingOff"] as const;
export type Scenario = (typeof SCENARIOS)[number];

export interface TopicNames {
  readonly orders: string;
  readonly inventory: string;
  readonly clicks: string;
  readonly fraudSignals: string;
}

export interface TrafficOptions {
  readonly seed?: number;
  /** Event time of the first moment simulated, epoch ms. */
  readonly start: number;
  /** New shopper visits per second of event time (each brings a few records). @default 5 */
  readonly visitsPerSecond?: number;
  /** @default every scenario */
  readonly scenarios?: readonly Scenario[];
  readonly topics?: TopicNames;
}

const DEFAULT_TOPICS: TopicNames = {
  orders: "theworldshop.orders",
  inventory: "theworldshop.inventory",
  clicks: "theworldshop.clicks",
  fraudSignals: "theworldshop.fraud-signals",
};
const FRAUDSTER = "U-FRAUD";
const SECOND = 1000;

/**
 * TheWorldShop's traffic: browsing clicks, orders with their payments and stock updates, restocks and
 * re-sent snapshots, plus the seed's scenarios. Deterministic for a seed; time is event time.
 */
export class TrafficSimulator {
  private readonly random: SeededRandom;
  private readonly topics: TopicNames;
  private readonly scenarios: ReadonlySet<Scenario>;
  private readonly visitsPerSecond: number;
  private readonly stock = new Map(PRODUCTS.map((p) => [p.productId, p.initialStock]));
  private readonly restocking = new Set<string>();
  private pending: SimulatedRecord[] = [];
  private actions: { at: number; run: (at: number) => void }[] = [];
  private nextVisit: number;
  private sequence = 0;

  constructor(private readonly options: TrafficOptions) {
    this.random = new SeededRandom(options.seed ?? 1);
    this.topics = options.topics ?? DEFAULT_TOPICS;
    this.scenarios = new Set(options.scenarios ?? SCENARIOS);
    this.visitsPerSecond = options.visitsPerSecond ?? 5;
    this.nextVisit = options.start + this.visitGap();
    for (const product of PRODUCTS) this.snapshot(product, options.start + this.random.int(0, 2 * SECOND));
    this.scheduleScenarios();
  }

  /** The records with event time before `until`, in event-time order; advances the simulation to `until`. */
  eventsUntil(until: number): SimulatedRecord[] {
    while (this.nextVisit < until) {
      const visitAt = this.nextVisit;
      this.runActions(visitAt);
      this.visit(this.random.pick(CUSTOMERS), visitAt);
      this.nextVisit = visitAt + this.visitGap();
    }
    this.runActions(until);
    const ready = this.pending.filter((r) => r.timestamp < until).sort((a, b) => a.timestamp - b.timestamp);
    this.pending = this.pending.filter((r) => r.timestamp >= until);
    return ready;
  }

  /** Exponential gaps between visits: a Poisson stream of shoppers. */
  private visitGap(): number {
    return Math.max(1, Math.round((-Math.log(1 - this.random.next()) / this.visitsPerSecond) * SECOND));
  }

  /** Current simulated stock of a product (what the shop's warehouses report). */
  stockOf(productId: string): number {
    return this.stock.get(productId) ?? 0;
  }

  /** Schedules `run` at `time`, keeping the queue sorted (ties in the order scheduled). */
  private at(time: number, run: (at: number) => void) {
    let low = 0;
    let high = this.actions.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.actions[mid]!.at <= time) low = mid + 1;
      else high = mid;
    }
    this.actions.splice(low, 0, { at: time, run });
  }

  private runActions(until: number) {
    while (this.actions.length > 0 && this.actions[0]!.at < until) {
      const action = this.actions.shift()!;
      action.run(action.at);
    }
  }

  private emit(topic: string, key: string, time: number, value: Record<string, unknown>) {
    this.pending.push({
      topic,
      key,
      timestamp: time,
      value: { eventId: `evt-${++this.sequence}`, ...value, eventTime: iso(time) },
    });
  }

  /** A shopper browses a few pages, sometimes buys, and at some point drifts off. */
  private visit(customerId: string, time: number) {
    const product = this.random.pick(PRODUCTS);
    this.click(customerId, time, this.random.pick(PAGES), product.productId);
    let t = time;
    const clicks = this.random.int(1, this.scenarios.has("usersDriftingOff") ? 6 : 3);
    for (let i = 0; i < clicks; i++) {
      t += this.random.int(3, 90) * SECOND;
      const page = this.random.pick(PAGES);
      this.at(t, (when) => this.click(customerId, when, page, product.productId));
    }
    if (this.random.chance(0.3)) this.at(t + SECOND, (when) => this.order(customerId, product, when));
  }

  private click(userId: string, time: number, page: string, productId?: string) {
    this.emit(this.topics.clicks, userId, time, { userId, page, ...(productId ? { productId } : {}) });
  }

  private order(customerId: string, product: Product, time: number, card = cardFingerprint(customerId)) {
    const left = this.stock.get(product.productId) ?? 0;
    if (left <= 0) return; // the storefront says sold out
    const n = ++this.sequence;
    const orderId = `O-${n}`;
    const amount = { value: product.price, currency: product.currency };
    const base = { orderId, sellerId: product.sellerId, customerId, amount };
    this.emit(this.topics.orders, orderId, time, { type: "ORDER_PLACED", ...base });
    this.emit(this.topics.fraudSignals, card, time + 150, {
      transactionId: `T-${n}`,
      orderId,
      cardFingerprint: card,
      amount,
    });
    this.stock.set(product.productId, left - 1);
    this.snapshot(product, time + 300);
    const cancelRate =
      product.sellerId === CANCELLING_SELLER && this.scenarios.has("sellerCancellations") ? 0.25 : 0.02;
    if (this.random.chance(cancelRate)) {
      this.at(time + this.random.int(20, 90) * SECOND, (when) =>
        this.emit(this.topics.orders, orderId, when, { type: "ORDER_CANCELLED", ...base }),
      );
    }
    if (left - 1 < 3 && product.productId !== VIRAL_PRODUCT && !this.restocking.has(product.productId)) {
      this.restocking.add(product.productId);
      this.at(time + this.random.int(60, 180) * SECOND, (when) => {
        this.restocking.delete(product.productId);
        this.stock.set(product.productId, product.initialStock);
        this.snapshot(product, when);
      });
    }
  }

  /** The warehouse reports absolute stock; now and then it re-sends an old snapshot (stale by then). */
  private snapshot(product: Product, time: number) {
    const value = {
      productId: product.productId,
      productName: product.name,
      quantity: this.stock.get(product.productId) ?? 0,
    };
    this.emit(this.topics.inventory, product.productId, time, value);
    if (this.random.chance(0.03)) {
      const resent = { ...this.pending.at(-1)!, timestamp: time + this.random.int(1, 10) * SECOND };
      this.pending.push(resent);
    }
  }

  private scheduleScenarios() {
    const { start } = this.options;
    const viral = PRODUCTS.find((p) => p.productId === VIRAL_PRODUCT)!;
    if (this.scenarios.has("viralSpike")) {
      // The video goes live a minute in: about four orders a second until the mug is gone.
      for (let i = 0; i < viral.initialStock + 20; i++) {
        const when = start + 60 * SECOND + i * 250;
        this.at(when, (t) => this.order(this.random.pick(CUSTOMERS), viral, t));
      }
    }
    if (this.scenarios.has("cardTesting")) {
      // One stolen card tried on eight cheap orders in 24 seconds.
      const card = cardFingerprint(FRAUDSTER);
      const cheap = [...PRODUCTS].sort((a, b) => a.price - b.price).slice(0, 4);
      for (let i = 0; i < 8; i++) {
        this.at(start + 90 * SECOND + i * 3 * SECOND, (t) =>
          this.order(FRAUDSTER, cheap[i % cheap.length]!, t, card),
        );
      }
    }
    if (this.scenarios.has("sellerCancellations")) {
      // The cancelling seller gets steady orders for six minutes; a quarter of them are cancelled.
      const itsProducts = PRODUCTS.filter((p) => p.sellerId === CANCELLING_SELLER);
      for (let i = 0; i < 180; i++) {
        this.at(start + 30 * SECOND + i * 2 * SECOND, (t) =>
          this.order(this.random.pick(CUSTOMERS), this.random.pick(itsProducts), t),
        );
      }
    }
  }
}

const iso = (time: number) => new Date(time).toISOString();
