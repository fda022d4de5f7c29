// Logto's own code for the differential tests, one JSON line in and one out per request:
//   {"op": "fill", "template": "...", "payload": "<JSON text>"}
//       -> {"ok": true, "text": ...} | {"ok": false, "error": ...}   (connector-kit's placeholder filling;
//          the payload is JSON text so JSON.parse decides what numbers become)
//   {"op": "send", "config": {...}, "data": {"to", "type", "payload"}}
//       -> {"ok": true, "envelope": ..., "messageId": ...} | {"ok": false, "code": ..., "error": ...}
//          (the SMTP connector's sendMessage: its guard, template choice, buildMailOptions, nodemailer)
//   {"op": "emailTemplates", "body": {...}}
//       -> {"ok": bool, "issues": [...]}   (the body guard of Logto's PUT /api/email-templates route:
//          {templates: EmailTemplates.createGuard without id, tenantId, createdAt, as an array of one or more})
import readline from 'node:readline';

import { replaceSendMessageHandlebars } from '@logto/connector-kit';
import createSmtpConnector from '@logto/connector-smtp';
import { EmailTemplates } from '@logto/schemas';
import { z } from 'zod';

const connector = await createSmtpConnector({ getConfig: async () => ({}) });
const emailTemplatesBody = z.object({
  templates: EmailTemplates.createGuard
    .omit({ id: true, tenantId: true, createdAt: true })
    .array()
    .min(1),
});

const issues = (error) =>
  error.issues.map(({ path, code, message }) => ({ path, code, message }));

const handlers = {
  fill: async ({ template, payload }) => ({
    ok: true,
    text: replaceSendMessageHandlebars(template, JSON.parse(payload)),
  }),
  send: async ({ config, data }) => {
    const info = await connector.sendMessage(data, config);
    return { ok: true, envelope: info.envelope, messageId: info.messageId, response: info.response };
  },
  emailTemplates: async ({ body }) => {
    const result = emailTemplatesBody.safeParse(body);
    return result.success ? { ok: true, issues: [] } : { ok: false, issues: issues(result.error) };
  },
};

const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  let answer;
  try {
    const request = JSON.parse(line);
    answer = await handlers[request.op](request);
  } catch (error) {
    answer = { ok: false, code: error?.code ?? null, error: String(error?.message ?? error) };
  }
  process.stdout.write(JSON.stringify(answer) + '\n');
}
