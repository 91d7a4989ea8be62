// An independent Stir.Encrypted client written from spec/protocol.md ONLY (no project code): it proves that the
// spec is enough to interoperate. Libraries: @hpke/core + @hpke/chacha20poly1305 (RFC 9180), node:crypto
// (ChaCha20-Poly1305 of the blob body, RFC 8439), jose (ES256 JWS), @noble/hashes (Argon2id RFC 9106, SHA-256,
// HMAC). Section numbers below are spec/protocol.md's.
//
//   node spec-client.mjs store   stdin: {"cps": "<base URL>", "orig": "<E.164>", "dest": "<E.164>",
//                                        "holderPublicKeys": ["<base64url X25519 pkR>", ...],
//                                        "signer": {"pkcs8": "<PEM>", "x5c": ["<base64 DER>", ...]},
//                                        "minimumMemoryKiB"?: n, "minimumIterations"?: n}
//                                 stdout: {"epoch": e, "bucket": "<hex>", "size": n, "blobs": k, "passport": "<JWS>", "status": 201}
//   node spec-client.mjs open    stdin: {"cps": ..., "orig": ..., "dest": ..., "holderPrivateKey": "<base64url skR>",
//                                        "minimumMemoryKiB"?: n, "minimumIterations"?: n}
//                                 stdout: {"opened": [{"epoch": e, "bucket": "<hex>", "passports": [...]}, ...]}
//
// Exit 0 on success, 1 when the CPS or the data breaks the spec (message on stderr), 2 on usage errors.
import { CipherSuite, DhkemX25519HkdfSha256, HkdfSha256 } from "@hpke/core";
import { Chacha20Poly1305 } from "@hpke/chacha20poly1305";
import { argon2id } from "@noble/hashes/argon2.js";
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { CompactSign, importPKCS8 } from "jose";
import { createCipheriv, createDecipheriv, randomBytes, randomInt } from "node:crypto";

const ascii = (s) => new TextEncoder().encode(s);
const concat = (...parts) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
};
const u64be = (n) => { const b = new Uint8Array(8); new DataView(b.buffer).setBigUint64(0, BigInt(n)); return b; };
const b64url = (bytes) => Buffer.from(bytes).toString("base64url");
const fromB64url = (text) => {
  // §7: unpadded base64url; reject anything that does not re-encode identically.
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Error(`not base64url: ${text}`);
  const bytes = new Uint8Array(Buffer.from(text, "base64url"));
  if (b64url(bytes) !== text) throw new Error(`not canonical base64url: ${text}`);
  return bytes;
};
const die = (code, message) => { process.stderr.write(`spec-client: ${message}\n`); process.exit(code); };

// §2: canonical form is the digits without "+" or separators.
function canonical(number) {
  const text = number.startsWith("tel:") ? number.slice(4) : number;
  if (!text.startsWith("+")) throw new Error(`${number}: not an E.164 number`);
  const digits = text.slice(1).replace(/[ \-.()]/g, "");
  if (!/^[1-9][0-9]{0,14}$/.test(digits)) throw new Error(`${number}: not an E.164 number`);
  return digits;
}

// §4: one suite for every blob; a blob is enc ‖ R stanzas of 48 bytes ‖ body.
const suite = new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new Chacha20Poly1305() });
const NENC = 32, NT = 16, R = 4, STANZA = 48, HEADER = NENC + R * STANZA, OVERHEAD = HEADER + NT;

// §7: the configuration document, checked as a client MUST.
async function fetchConfig(cps, minimumMemoryKiB, minimumIterations) {
  const response = await fetch(new URL("/v1/config", cps));
  if (response.status !== 200) throw new Error(`GET /v1/config answered ${response.status}`);
  const c = await response.json();
  const int = (v, name, min, max) => {
    if (!Number.isInteger(v) || v < min || v > max) throw new Error(`config "${name}" is ${JSON.stringify(v)}; allowed ${min}..${max}`);
    return v;
  };
  if (c.version !== 1) throw new Error(`config "version" is ${c.version}`);
  if (c.suite !== "x25519-sha256-chacha20poly1305") throw new Error(`config "suite" is ${c.suite}`);
  if (c.index?.function !== "argon2id") throw new Error(`config "index.function" is ${c.index?.function}`);
  const salt = fromB64url(c.index.salt);
  if (salt.length !== 32) throw new Error(`config "index.salt" is ${salt.length} bytes, not 32`);
  const classes = c.classes.map((k, i) => ({ size: int(k.size, `classes[${i}].size`, 256, 65536), slots: int(k.slots, `classes[${i}].slots`, 2, 256) }));
  for (let i = 1; i < classes.length; i++) if (classes[i].size <= classes[i - 1].size) throw new Error("config \"classes\" not in increasing size");
  return {
    epochSeconds: int(c.epochSeconds, "epochSeconds", 60, 7 * 24 * 3600),
    memoryKiB: int(c.index.memoryKiB, "index.memoryKiB", minimumMemoryKiB, 4 * 1024 * 1024),
    iterations: int(c.index.iterations, "index.iterations", minimumIterations, 64),
    parallelism: int(c.index.parallelism, "index.parallelism", 1, 1),
    salt,
    bucketBits: int(c.index.bucketBits, "index.bucketBits", 1, 32),
    classes,
    maxSeconds: int(c.retention.maxSeconds, "retention.maxSeconds", 1, 3600),
    skew: int(c.limits.clockSkewSeconds, "limits.clockSkewSeconds", 0, 300),
  };
}

// §5: the index of (orig, dest, e), the same for every key holder: the full tag and the bucket.
function deriveIndex(config, orig, dest, epoch) {
  const saltE = sha256(concat(ascii("stir-oob/v1/salt\0"), config.salt, u64be(epoch))).slice(0, 16);
  const kDest = argon2id(concat(ascii("stir-oob/v1/dest\0"), ascii(dest)), saltE,
    { t: config.iterations, m: config.memoryKiB, p: 1, dkLen: 32, version: 0x13 });
  const tag = hmac(sha256, kDest, concat(ascii("stir-oob/v1/tag\0"), Uint8Array.of(orig.length), ascii(orig),
    Uint8Array.of(dest.length), ascii(dest), u64be(epoch)));
  const top = new DataView(tag.buffer, tag.byteOffset, 4).getUint32(0);
  const bucket = config.bucketBits === 32 ? top : top >>> (32 - config.bucketBits);
  const bucketText = bucket.toString(16).padStart(Math.ceil(config.bucketBits / 4), "0");
  return { tag, bucketText, info: concat(ascii("stir-oob/v1/blob\0"), tag) };
}

// §5 "Epochs at the boundaries".
function candidateEpochs(config, nowSeconds) {
  const e = Math.floor(nowSeconds / config.epochSeconds);
  const into = nowSeconds - e * config.epochSeconds;
  const epochs = [e];
  if (e > 0 && into < config.maxSeconds + config.skew) epochs.push(e - 1);
  if (config.epochSeconds - into <= config.skew) epochs.push(e + 1);
  return epochs;
}

// §6: payload = canonical JSON {"passports":[...]}; plaintext = 0x01 ‖ u16be(L) ‖ payload ‖ zeros, P = size − 240.
const payloadOf = (passports) => ascii(`{"passports":[${passports.map((p) => `"${p}"`).join(",")}]}`);
const JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

function encodePlaintext(passports, size) {
  const payload = payloadOf(passports);
  const plaintext = new Uint8Array(size - OVERHEAD);
  if (payload.length > plaintext.length - 3) throw new Error(`payload of ${payload.length} bytes does not fit class ${size}`);
  plaintext[0] = 1;
  new DataView(plaintext.buffer).setUint16(1, payload.length);
  plaintext.set(payload, 3);
  return plaintext;
}

function decodePlaintext(plaintext) {
  if (plaintext[0] !== 1) throw new Error(`plaintext version ${plaintext[0]}`);
  const length = (plaintext[1] << 8) | plaintext[2];
  if (length > plaintext.length - 3) throw new Error(`payload length ${length} exceeds the plaintext`);
  if (plaintext.subarray(3 + length).some((b) => b !== 0)) throw new Error("non-zero padding");
  const payload = plaintext.subarray(3, 3 + length);
  const parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(payload));
  const keys = Object.keys(parsed);
  if (keys.length !== 1 || keys[0] !== "passports" || !Array.isArray(parsed.passports)) throw new Error("payload is not {\"passports\":[...]}");
  const passports = parsed.passports;
  if (passports.length < 1 || passports.length > 16 || !passports.every((p) => typeof p === "string" && JWS.test(p))) throw new Error("\"passports\" is not 1 to 16 compact JWS");
  if (Buffer.compare(Buffer.from(payloadOf(passports)), Buffer.from(payload)) !== 0) throw new Error("payload is not canonical JSON");
  return passports;
}

// §3: a PASSporT in full form, header and claims canonical JSON (members sorted, no whitespace), ES256.
async function signPassport(signer, orig, dest, iat) {
  const key = await importPKCS8(signer.pkcs8, "ES256");
  const claims = `{"dest":{"tn":["${dest}"]},"iat":${iat},"orig":{"tn":"${orig}"}}`;
  return new CompactSign(ascii(claims)).setProtectedHeader({ alg: "ES256", typ: "passport", x5c: signer.x5c }).sign(key);
}

// §4 body: ChaCha20-Poly1305 under CEK, nonce = 12 zero bytes, aad = the header.
function sealBody(cek, header, plaintext) {
  const cipher = createCipheriv("chacha20-poly1305", cek, new Uint8Array(12), { authTagLength: NT });
  cipher.setAAD(header, { plaintextLength: plaintext.length });
  return concat(cipher.update(plaintext), cipher.final(), cipher.getAuthTag());
}

function openBody(cek, header, body) {
  const decipher = createDecipheriv("chacha20-poly1305", cek, new Uint8Array(12), { authTagLength: NT });
  decipher.setAAD(header, { plaintextLength: body.length - NT });
  decipher.setAuthTag(body.subarray(body.length - NT));
  return concat(decipher.update(body.subarray(0, body.length - NT)), decipher.final());
}

// §4 Sealing, for at most R distinct holder keys: one ephemeral key pair and one CEK for the blob; for each holder
// SetupBaseS(pkR_i, info) with that ephemeral key pair, whose first message seals CEK (aad empty) into its stanza;
// stanzas at shuffled positions, unused ones random; then the body.
async function sealBlob(recipients, info, plaintext) {
  const cek = randomBytes(32);
  const ekm = await suite.kem.generateKeyPair();
  const positions = [...Array(R).keys()];
  for (let i = R - 1; i > 0; i--) { const j = randomInt(i + 1); [positions[i], positions[j]] = [positions[j], positions[i]]; }
  const header = new Uint8Array(HEADER);
  let enc;
  for (let i = 0; i < recipients.length; i++) {
    const sender = await suite.createSenderContext({ recipientPublicKey: recipients[i], info, ekm });
    const e = new Uint8Array(sender.enc);
    if (enc !== undefined && Buffer.compare(Buffer.from(enc), Buffer.from(e)) !== 0) throw new Error("enc differs between holders");
    enc = e;
    const stanza = new Uint8Array(await sender.seal(cek));
    if (stanza.length !== STANZA) throw new Error(`stanza is ${stanza.length} bytes`);
    header.set(stanza, NENC + positions[i] * STANZA);
  }
  header.set(enc, 0);
  for (let i = recipients.length; i < R; i++) header.set(randomBytes(STANZA), NENC + positions[i] * STANZA);
  const blob = concat(header, sealBody(cek, header, plaintext));
  cek.fill(0);
  return blob;
}

// §4 Opening with one key: SetupBaseR(enc, skR, info), then each stanza at sequence number 0 until one opens to CEK,
// then the body under CEK. Anything that does not open is "not for me" (null).
async function openBlob(recipientKey, info, blob) {
  if (blob.length < OVERHEAD) return null;
  let context;
  try {
    context = await suite.createRecipientContext({ recipientKey, enc: blob.slice(0, NENC), info });
  } catch {
    return null;   // enc is not a valid X25519 public key
  }
  let cek = null;
  for (let k = 0; k < R && cek === null; k++) {
    try {
      cek = new Uint8Array(await context.open(blob.slice(NENC + k * STANZA, NENC + (k + 1) * STANZA)));
    } catch {
      // not this stanza
    }
  }
  if (cek === null || cek.length !== 32) return null;
  try {
    return openBody(cek, blob.subarray(0, HEADER), blob.subarray(HEADER));
  } catch {
    return null;
  } finally {
    cek.fill(0);
  }
}

async function store(input) {
  const config = await fetchConfig(input.cps, input.minimumMemoryKiB ?? 19456, input.minimumIterations ?? 2);
  const orig = canonical(input.orig), dest = canonical(input.dest);
  if (!Array.isArray(input.holderPublicKeys) || input.holderPublicKeys.length === 0) throw new Error("\"holderPublicKeys\" is not a non-empty array");
  // §4: a key listed twice counts once.
  const keys = [...new Set(input.holderPublicKeys)].map(fromB64url);
  const recipients = await Promise.all(keys.map((pkR) => suite.kem.deserializePublicKey(pkR)));
  const now = Math.floor(Date.now() / 1000);
  const passport = await signPassport(input.signer, orig, dest, now);
  const length = payloadOf([passport]).length;
  const sizeClass = config.classes.find((c) => c.size - OVERHEAD - 3 >= length);     // §6: the smallest that fits
  if (!sizeClass) throw new Error(`payload of ${length} bytes fits no class`);
  const epoch = Math.floor(now / config.epochSeconds);                               // §5: a caller stores under e(now)
  const index = deriveIndex(config, orig, dest, epoch);
  const plaintext = encodePlaintext([passport], sizeClass.size);
  // §4: groups of at most R holders, one blob each, all in one request.
  const blobs = [];
  for (let g = 0; g < recipients.length; g += R) blobs.push(await sealBlob(recipients.slice(g, g + R), index.info, plaintext));
  plaintext.fill(0);
  for (const blob of blobs) if (blob.length !== sizeClass.size) throw new Error(`blob is ${blob.length} bytes, class is ${sizeClass.size}`);
  // §8 Store: the call's blobs in one request, application/octet-stream, size in the query.
  const response = await fetch(new URL(`/v1/epochs/${epoch}/buckets/${index.bucketText}?size=${sizeClass.size}`, input.cps),
    { method: "POST", headers: { "content-type": "application/octet-stream" }, body: concat(...blobs) });
  const body = await response.text();
  if (response.status !== 201) throw new Error(`store answered ${response.status}: ${body}`);
  const receipt = JSON.parse(body);
  if (receipt.stored !== blobs.length) throw new Error(`store receipt ${body}`);
  return { epoch, bucket: index.bucketText, size: sizeClass.size, blobs: blobs.length, passport, status: response.status };
}

async function open(input) {
  const config = await fetchConfig(input.cps, input.minimumMemoryKiB ?? 19456, input.minimumIterations ?? 2);
  const orig = canonical(input.orig), dest = canonical(input.dest);
  const recipientKey = await suite.kem.deserializePrivateKey(fromB64url(input.holderPrivateKey));
  const opened = [];
  for (const epoch of candidateEpochs(config, Math.floor(Date.now() / 1000))) {
    const index = deriveIndex(config, orig, dest, epoch);
    const response = await fetch(new URL(`/v1/epochs/${epoch}/buckets/${index.bucketText}`, input.cps));
    if (response.status !== 200) throw new Error(`retrieve of epoch ${epoch} answered ${response.status}`);
    const body = new Uint8Array(await response.arrayBuffer());
    // §8 Retrieve: per class in the document's order, exactly `slots` blobs of `size` bytes.
    const expected = config.classes.reduce((n, c) => n + c.size * c.slots, 0);
    if (body.length !== expected) throw new Error(`retrieval is ${body.length} bytes, expected ${expected}`);
    let offset = 0;
    for (const c of config.classes) {
      for (let i = 0; i < c.slots; i++, offset += c.size) {
        const plaintext = await openBlob(recipientKey, index.info, body.slice(offset, offset + c.size));
        if (plaintext === null) continue;   // not for this key: a decoy or another call's blob
        opened.push({ epoch, bucket: index.bucketText, passports: decodePlaintext(plaintext) });
      }
    }
  }
  return { opened };
}

const command = process.argv[2];
if (command !== "store" && command !== "open") die(2, "usage: node spec-client.mjs store|open < input.json");
let input;
try {
  input = JSON.parse(await new Promise((resolve) => { let s = ""; process.stdin.on("data", (d) => (s += d)); process.stdin.on("end", () => resolve(s)); }));
} catch (e) {
  die(2, `stdin is not JSON: ${e.message}`);
}
try {
  process.stdout.write(JSON.stringify(command === "store" ? await store(input) : await open(input)) + "\n");
} catch (e) {
  die(1, e.message);
}
