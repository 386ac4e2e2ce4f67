/**
 * The source of a CloudFront Function (viewer request, cloudfront-js-2.0) that lets through only viewers whose
 * IP is in one of `cidrs` and answers 403 to everyone else; with no CIDRs nobody gets in.
 */
export function viewerAllowlistCode(cidrs: readonly string[]): string {
  return `var ALLOWED = ${JSON.stringify(cidrs)};
${matcherSource}
function handler(event) {
  if (ALLOWED.some(function (cidr) { return inCidr(event.viewer.ip, cidr); })) return event.request;
  return {
    statusCode: 403,
    statusDescription: "Forbidden",
    headers: { "content-type": { value: "text/plain" }, "cache-control": { value: "no-store" } },
    body: "This dashboard is open to the ops team's networks only (theworldshop:dashboard.allowedCidrs).",
  };
}
`;
}

// Kept to what cloudfront-js-2.0 runs: no modules, no BigInt; addresses compared as 16-bit groups.
const matcherSource = `function groupsOf(ip) {
  if (ip.indexOf(":") < 0) {
    var octets = ip.split(".").map(Number);
    if (octets.length !== 4 || octets.some(function (o) { return !(o >= 0 && o <= 255); })) return null;
    return [0, 0, 0, 0, 0, 0xffff, octets[0] * 256 + octets[1], octets[2] * 256 + octets[3]];
  }
  var halves = ip.split("::");
  if (halves.length > 2) return null;
  var head = halves[0] ? halves[0].split(":") : [];
  var tail = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
  var missing = 8 - head.length - tail.length;
  if (missing < 0 || (halves.length === 1 && missing !== 0)) return null;
  var parts = head.slice();
  for (var zero = 0; zero < missing; zero++) parts.push("0");
  parts = parts.concat(tail);
  var groups = parts.map(function (part) { return /^[0-9a-fA-F]{1,4}$/.test(part) ? parseInt(part, 16) : NaN; });
  return groups.some(isNaN) ? null : groups;
}
function inCidr(ip, cidr) {
  var slash = cidr.indexOf("/");
  var network = groupsOf(cidr.slice(0, slash));
  var address = groupsOf(ip);
  if (!network || !address) return false;
  var bits = Number(cidr.slice(slash + 1)) + (cidr.indexOf(":") < 0 ? 96 : 0);
  for (var group = 0; group < 8 && bits > 0; group++, bits -= 16) {
    var mask = bits >= 16 ? 0xffff : (0xffff << (16 - bits)) & 0xffff;
    if ((network[group] & mask) !== (address[group] & mask)) return false;
  }
  return true;
}`;
