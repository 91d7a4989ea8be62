// An independent Argon2id (RFC 9106, version 0x13) for the tests: @noble/hashes, pure JavaScript.
//   node argon2id.mjs <passwordHex> <saltHex> <t> <mKiB> <p> <dkLen>   → "<hex>"
import { argon2id } from "@noble/hashes/argon2.js";

const [password, salt, t, m, p, dkLen] = process.argv.slice(2);
const hex = (h) => {
  if (!/^([0-9a-f]{2})+$/.test(h ?? "")) { process.stderr.write(`argon2id: not lowercase hex: ${h}\n`); process.exit(2); }
  return Uint8Array.from(Buffer.from(h, "hex"));
};
const int = (v) => { const n = Number(v); if (!Number.isInteger(n) || n < 1) { process.stderr.write(`argon2id: not a positive integer: ${v}\n`); process.exit(2); } return n; };
const out = argon2id(hex(password), hex(salt), { t: int(t), m: int(m), p: int(p), dkLen: int(dkLen), version: 0x13 });
process.stdout.write(Buffer.from(out).toString("hex") + "\n");
