import { createHash } from "node:crypto";

/** TheWorldShop's simulated catalogue: products, their sellers, customers and their cards. */
export interface Product {
  readonly productId: string;
  readonly name: string;
  readonly sellerId: string;
  /** Price in minor units. */
  readonly price: number;
  readonly currency: string;
  readonly initialStock: number;
}

const NAMES = [
  "Blue mug",
  "Linen tote",
  "Desk lamp",
  "Wool scarf",
  "Phone stand",
  "Tea sampler",
  "Notebook set",
  "Water bottle",
  "Yoga mat",
  "Candle trio",
  "Bamboo cutlery",
  "Travel pillow",
  "Plant pot",
  "Coffee grinder",
  "Wall clock",
  "Bike light",
  "Rain jacket",
  "Board game",
  "Chess set",
  "Sketchbook",
  "Headphones",
  "Laptop sleeve",
  "Sun hat",
  "Picnic blanket",
] as const;
const CURRENCIES = ["EUR", "EUR", "EUR", "USD", "GBP"] as const;

/** The product the viral video features: it sells out in minutes. */
export const VIRAL_PRODUCT = "P-007";
/** The seller that cancels a quarter of its orders. */
export const CANCELLING_SELLER = "S-04";
export const SELLERS = Array.from({ length: 10 }, (_, i) => `S-${String(i + 1).padStart(2, "0")}`);

export const PRODUCTS: readonly Product[] = NAMES.map((name, i) => {
  const productId = `P-${String(i + 1).padStart(3, "0")}`;
  return {
    productId,
    name: productId === VIRAL_PRODUCT ? "Blue mug" : name,
    sellerId: SELLERS[i % SELLERS.length]!,
    price: 500 + ((i * 731) % 9500),
    currency: CURRENCIES[i % CURRENCIES.length]!,
    initialStock: productId === VIRAL_PRODUCT ? 500 : 40 + ((i * 37) % 160),
  };
});

export const CUSTOMERS = Array.from({ length: 400 }, (_, i) => `U-${String(i + 1).padStart(4, "0")}`);

/** A card's fingerprint: a hash the payment provider gives, never a card number (letters only, so no digit run). */
export function cardFingerprint(customerId: string): string {
  const digest = createHash("sha256").update(`card-of-${customerId}`).digest();
  return `cf_${[...digest.subarray(0, 16)].map((byte) => String.fromCharCode(97 + (byte % 26))).join("")}`;
}

export const PAGES = ["/", "/search", "/cart", "/checkout", "/account", "/deals"] as const;
