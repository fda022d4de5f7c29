// nodemailer's own reading of address strings (the nodemailer @logto/connector-smtp uses), in one run:
//   stdin: ["value", ...]
//   stdout: [{"parsed": [...], "header": "...", "envelope": "..." | false}, ...]
// parsed: lib/addressparser's result; header: lib/mime-node's From header value (_convertAddresses);
// envelope: getEnvelope().from of a message with that From.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const addressparser = require('nodemailer/lib/addressparser');
const MimeNode = require('nodemailer/lib/mime-node');

const chunks = [];
for await (const chunk of process.stdin) {
  chunks.push(chunk);
}
const answers = JSON.parse(Buffer.concat(chunks).toString('utf8')).map((value) => {
  const node = new MimeNode();
  node.setHeader('From', value);
  return {
    parsed: addressparser(value),
    header: node._encodeHeaderValue('From', value),
    envelope: node.getEnvelope().from,
  };
});
process.stdout.write(JSON.stringify(answers) + '\n');
