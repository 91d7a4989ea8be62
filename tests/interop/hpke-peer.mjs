// An independent HPKE peer for the interop tests: @hpke/core (+ @hpke/chacha20poly1305), RFC 9180 base mode.
// Everything in and out is hex; "-" stands for an empty byte string.
//
//   node hpke-peer.mjs <suite> keygen                       → "<skHex> <pkHex>"
//   node hpke-peer.mjs <suite> seal <pkHex>                 stdin lines "<info> <aad> <pt>"   → one "<enc||ct>" per line
//   node hpke-peer.mjs <suite> open <skHex>                 stdin lines "<info> <aad> <enc||ct>" → one "<pt>" per line, "!" if it does not open
//   node hpke-peer.mjs <suite> context-seal <pkHex> <info> <exporterContext> <L>
//                                                           stdin lines "<aad> <pt>" → "<enc>", "<exported>", then one "<ct>" per line
//   node hpke-peer.mjs <suite> context-open <skHex> <enc> <info> <exporterContext> <L>
//                                                           stdin lines "<aad> <ct>" → "<exported>", then one "<pt>" or "!" per line
//
// <suite> is a Stir.Encrypted suite name: <kem>-<kdf>-<aead>, e.g. x25519-sha256-chacha20poly1305.
import {
  Aes128Gcm, Aes256Gcm, CipherSuite, DhkemP256HkdfSha256, DhkemP521HkdfSha512, DhkemX25519HkdfSha256,
  ExportOnly, HkdfSha256, HkdfSha384, HkdfSha512,
} from "@hpke/core";
import { Chacha20Poly1305 } from "@hpke/chacha20poly1305";

const kems = { x25519: DhkemX25519HkdfSha256, p256: DhkemP256HkdfSha256, p521: DhkemP521HkdfSha512 };
const kdfs = { sha256: HkdfSha256, sha384: HkdfSha384, sha512: HkdfSha512 };
const aeads = { aes128gcm: Aes128Gcm, aes256gcm: Aes256Gcm, chacha20poly1305: Chacha20Poly1305, exportonly: ExportOnly };

function fail(message) {
  process.stderr.write(`hpke-peer: ${message}\n`);
  process.exit(2);
}

function parseSuite(name) {
  const [kem, kdf, aead] = (name ?? "").split("-");
  if (!kems[kem] || !kdfs[kdf] || !aeads[aead]) fail(`unknown suite ${name}`);
  return new CipherSuite({ kem: new kems[kem](), kdf: new kdfs[kdf](), aead: new aeads[aead]() });
}

const fromHex = (hex) => {
  if (hex === undefined) fail("missing hex argument");
  if (hex === "-") return new Uint8Array(0);
  if (!/^([0-9a-fA-F]{2})*$/.test(hex)) fail(`not hex: ${hex}`);
  return Uint8Array.from(hex.match(/../g) ?? [], (b) => parseInt(b, 16));
};
const toHex = (buffer) => {
  const bytes = new Uint8Array(buffer);
  return bytes.length === 0 ? "-" : Buffer.from(bytes).toString("hex");
};

async function readLines() {
  let text = "";
  for await (const chunk of process.stdin) text += chunk;
  return text.split("\n").map((l) => l.trim()).filter((l) => l.length > 0).map((l) => l.split(/\s+/));
}

const [suiteName, command, ...args] = process.argv.slice(2);
const suite = parseSuite(suiteName);
const out = [];

switch (command) {
  case "keygen": {
    const pair = await suite.kem.generateKeyPair();
    out.push(`${toHex(await suite.kem.serializePrivateKey(pair.privateKey))} ${toHex(await suite.kem.serializePublicKey(pair.publicKey))}`);
    break;
  }
  case "seal": {
    const recipientPublicKey = await suite.kem.deserializePublicKey(fromHex(args[0]));
    for (const [info, aad, pt] of await readLines()) {
      const { ct, enc } = await suite.seal({ recipientPublicKey, info: fromHex(info) }, fromHex(pt), fromHex(aad));
      out.push(toHex(enc) + toHex(ct));
    }
    break;
  }
  case "open": {
    const recipientKey = await suite.kem.deserializePrivateKey(fromHex(args[0]));
    const nenc = suite.kem.encSize;
    for (const [info, aad, blob] of await readLines()) {
      const bytes = fromHex(blob);
      try {
        const pt = await suite.open({ recipientKey, enc: bytes.slice(0, nenc), info: fromHex(info) }, bytes.slice(nenc), fromHex(aad));
        out.push(toHex(pt));
      } catch {
        out.push("!");
      }
    }
    break;
  }
  case "context-seal": {
    const [pk, info, exporterContext, length] = args;
    const sender = await suite.createSenderContext({ recipientPublicKey: await suite.kem.deserializePublicKey(fromHex(pk)), info: fromHex(info) });
    out.push(toHex(sender.enc), toHex(await sender.export(fromHex(exporterContext), Number(length))));
    for (const [aad, pt] of await readLines()) out.push(toHex(await sender.seal(fromHex(pt), fromHex(aad))));
    break;
  }
  case "context-open": {
    const [sk, enc, info, exporterContext, length] = args;
    const recipient = await suite.createRecipientContext({
      recipientKey: await suite.kem.deserializePrivateKey(fromHex(sk)), enc: fromHex(enc), info: fromHex(info),
    });
    out.push(toHex(await recipient.export(fromHex(exporterContext), Number(length))));
    for (const [aad, ct] of await readLines()) {
      try {
        out.push(toHex(await recipient.open(fromHex(ct), fromHex(aad))));
      } catch {
        out.push("!");
      }
    }
    break;
  }
  default:
    fail(`unknown command ${command}`);
}

process.stdout.write(out.join("\n") + "\n");
