// PASSporT interop with panva/jose, an independent JOSE implementation (ES modules, Node 20).
//
//   node jose-passport.mjs verify (--spki <pem file> | --jwk <json file>) --token <jws> --now <unix seconds>
//     compactVerify (signature, ES256 only) then jwtVerify (typ "passport", iat a number, not in the
//     future); prints {"header":...,"payload":...} and exits 0, or prints the error and exits 1.
//
//   node jose-passport.mjs sign --pkcs8 <pem file> --x5u <url> --orig <tn> --dest <tn> --iat <unix seconds>
//     signs a SHAKEN PASSporT the way JOSE libraries do: members in insertion order (not RFC 8225 §9
//     canonical JSON); prints the compact JWS.
import { readFileSync } from 'node:fs';
import { compactVerify, importJWK, importPKCS8, importSPKI, jwtVerify, SignJWT } from 'jose';

function options(argv) {
  const result = {};
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--') || i + 1 >= argv.length) {
      throw new Error(`bad argument ${argv[i]}`);
    }
    result[argv[i].slice(2)] = argv[i + 1];
  }
  return result;
}

async function verify(o) {
  const key = o.spki
    ? await importSPKI(readFileSync(o.spki, 'utf8'), 'ES256')
    : await importJWK(JSON.parse(readFileSync(o.jwk, 'utf8')), 'ES256');
  const { protectedHeader } = await compactVerify(o.token, key, { algorithms: ['ES256'] });
  const { payload } = await jwtVerify(o.token, key, {
    algorithms: ['ES256'],
    typ: 'passport',
    currentDate: new Date(Number(o.now) * 1000),
    maxTokenAge: 60,
  });
  process.stdout.write(JSON.stringify({ header: protectedHeader, payload }));
}

async function sign(o) {
  const key = await importPKCS8(readFileSync(o.pkcs8, 'utf8'), 'ES256');
  const token = await new SignJWT({
    orig: { tn: o.orig },
    dest: { tn: [o.dest] },
    iat: Number(o.iat),
    attest: 'A',
    origid: '123e4567-e89b-12d3-a456-426655440000',
  })
    .setProtectedHeader({ typ: 'passport', alg: 'ES256', ppt: 'shaken', x5u: o.x5u })
    .sign(key);
  process.stdout.write(token);
}

const [command, ...rest] = process.argv.slice(2);
try {
  if (command === 'verify') {
    await verify(options(rest));
  } else if (command === 'sign') {
    await sign(options(rest));
  } else {
    throw new Error(`unknown command ${command}`);
  }
} catch (e) {
  process.stderr.write(`${e.code ?? e.name}: ${e.message}\n`);
  process.exit(1);
}
