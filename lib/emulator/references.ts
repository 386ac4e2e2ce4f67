/** Logical ids a template value refers to through `Ref`, `Fn::GetAtt` or `Fn::Sub`. */
export function referencedIds(value: unknown, found: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) referencedIds(item, found);
    return found;
  }
  if (value === null || typeof value !== "object") return found;
  for (const [key, inner] of Object.entries(value)) {
    if (key === "Ref" && typeof inner === "string") addUnlessPseudo(inner, found);
    else if (key === "Fn::GetAtt") {
      const [logicalId] = Array.isArray(inner) ? inner : String(inner).split(".");
      if (typeof logicalId === "string") found.add(logicalId);
      if (Array.isArray(inner)) referencedIds(inner.slice(1), found);
    } else if (key === "Fn::Sub") subReferences(inner, found);
    else referencedIds(inner, found);
  }
  return found;
}

function subReferences(sub: unknown, found: Set<string>): void {
  const [text, variables] = Array.isArray(sub) ? sub : [sub, {}];
  const own = new Set(Object.keys((variables as Record<string, unknown>) ?? {}));
  for (const [, name] of String(text).matchAll(/\$\{([^}!][^}]*)\}/g)) {
    const logicalId = name!.split(".")[0]!;
    if (!own.has(logicalId)) addUnlessPseudo(logicalId, found);
  }
  referencedIds(variables, found);
}

function addUnlessPseudo(name: string, found: Set<string>): void {
  if (!name.startsWith("AWS::")) found.add(name);
}

/** Whether `value` refers to any of `ids`. */
export function refersToAny(value: unknown, ids: ReadonlySet<string>): boolean {
  for (const id of referencedIds(value)) if (ids.has(id)) return true;
  return false;
}

/**
 * Drops from every policy document inside `value` the resources that are in `ids`, and the statements
 * that are left with none (or still refer to one of `ids` elsewhere, e.g. in a condition).
 * Returns the new value and whether some document ended up with no statement at all.
 */
export function withoutStatementsOn(
  value: unknown,
  ids: ReadonlySet<string>,
): { value: unknown; emptied: boolean } {
  let emptied = false;
  const visit = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(visit);
    if (node === null || typeof node !== "object") return node;
    const copy = Object.fromEntries(Object.entries(node).map(([key, inner]) => [key, visit(inner)]));
    if (!Array.isArray(copy.Statement)) return copy;
    const before = copy.Statement as Record<string, unknown>[];
    copy.Statement = before.flatMap((statement) => {
      const kept = withoutResourcesIn(statement, ids);
      return kept && !refersToAny(kept, ids) ? [kept] : [];
    });
    if (before.length > 0 && (copy.Statement as unknown[]).length === 0) emptied = true;
    return copy;
  };
  return { value: visit(value), emptied };
}

function withoutResourcesIn(
  statement: Record<string, unknown>,
  ids: ReadonlySet<string>,
): Record<string, unknown> | undefined {
  if (statement.Resource === undefined) return statement;
  const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
  const kept = resources.filter((resource) => !refersToAny(resource, ids));
  if (kept.length === 0) return undefined;
  return { ...statement, Resource: kept.length === 1 ? kept[0] : kept };
}
