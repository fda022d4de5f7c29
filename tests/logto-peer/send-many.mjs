// Many sends through Logto's SMTP connector in one Node process (the sender differential test):
//   stdin: {"config": {...}, "items": [{"to", "type", "payload"}, ...], "parallel": n}
//   stdout: [{"ok": true, "envelope": ...} | {"ok": false, "error": ...}, ...] in the order of items.
// Each item goes through the connector's sendMessage (its guard, buildMailOptions, nodemailer), at most
// `parallel` at a time, so a thousand messages take seconds.
import createSmtpConnector from '@logto/connector-smtp';

const chunks = [];
for await (const chunk of process.stdin) {
  chunks.push(chunk);
}
const { config, items, parallel } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const connector = await createSmtpConnector({ getConfig: async () => ({}) });
const results = new Array(items.length);
let next = 0;
const worker = async () => {
  while (next < items.length) {
    const index = next++;
    try {
      const info = await connector.sendMessage(items[index], config);
      results[index] = { ok: true, envelope: info.envelope };
    } catch (error) {
      results[index] = { ok: false, error: String(error?.message ?? error) };
    }
  }
};
await Promise.all(Array.from({ length: Math.max(1, parallel ?? 1) }, worker));
process.stdout.write(JSON.stringify(results) + '\n');
