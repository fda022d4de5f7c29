// The mail options Logto's SMTP connector builds for one message, as a long-running peer for the tests.
//
// Reads JSON Lines on stdin, each {"config": <connector config>, "to": ..., "type": ..., "payload": {...}},
// and writes one JSON line per request: {"from", "replyTo", "subject", "text", "html"} exactly as the
// connector's sendMessage hands them to nodemailer (template choice, Generic fallback, placeholder filling
// and the sendFrom/replyTo fallback all Logto's own code), or {"error": message} when Logto refuses.
// Nothing is sent: the config's transport is replaced by one that returns the options it is given.
import readline from 'node:readline';

import createSmtpConnector from '@logto/connector-smtp';

const connector = await createSmtpConnector({ getConfig: async () => ({}) });

// With "store" ([{languageTag, templateType, details}]) and "fallbackLanguage" in a request: the connector
// gets core's getI18nEmailTemplate over that store, line for line (packages/core/src/libraries/connector.ts
// of logto-io/logto: the type in payload.locale, else in the fallback language, else Generic in the
// fallback language, since #8053); the connector's own code then takes it, or its config's template.
const withStore = (store, fallbackLanguage) => {
  const find = (type, tag) =>
    store.find((t) => t.templateType === type && t.languageTag === tag)?.details;
  return createSmtpConnector({
    getConfig: async () => ({}),
    getI18nEmailTemplate: async (templateType, languageTag) => {
      if (languageTag) {
        const template = find(templateType, languageTag);
        if (template) return template;
      }
      return find(templateType, fallbackLanguage) ?? find('Generic', fallbackLanguage);
    },
  });
};
// nodemailer uses an object with a send() of its own as the transport, and gives it the options untouched.
const capture = { name: 'capture', version: '1', send: (mail, done) => done(null, mail.data) };

const answer = async (line) => {
  const { config, to, type, payload, store, fallbackLanguage } = JSON.parse(line);
  try {
    const sender = store ? await withStore(store, fallbackLanguage) : connector;
    const data = await sender.sendMessage({ to, type, payload }, { ...config, ...capture });
    const out = {};
    for (const key of ['from', 'replyTo', 'subject', 'text', 'html']) {
      out[key] = data[key] ?? null;
    }
    return out;
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
};

const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  process.stdout.write(JSON.stringify(await answer(line)) + '\n');
}
