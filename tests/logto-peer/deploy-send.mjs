// Logto's test send (POST /api/connectors/{factoryId}/test), done with Logto's own SMTP connector code.
// stdin: {"config": {...}, "to": "a@b", "templates": [{languageTag, templateType, details}], "fallbackLanguage": "en"}
// stdout: {"ok": true} or {"ok": false, "code": "<ConnectorErrorCode>", "data": <error data>}
// getI18nEmailTemplate follows core's lookup (packages/core/src/libraries/connector.ts): the type in the
// given locale, else in the sign-in experience's fallback language, else null (the connector's own).
import createConnector from '@logto/connector-smtp';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const input = JSON.parse(Buffer.concat(chunks).toString('utf8'));

const templates = input.templates ?? [];
const find = (type, tag) => templates.find((t) => t.templateType === type && t.languageTag === tag);
const connector = await createConnector({
  getConfig: async () => input.config,
  getI18nEmailTemplate: async (type, locale) => {
    const found = (locale && find(type, locale)) ?? find(type, input.fallbackLanguage ?? 'en');
    return found ? found.details : null;
  },
});

try {
  await connector.sendMessage(
    { to: input.to, type: 'Generic', payload: { code: '000000', ...(input.locale ? { locale: input.locale } : {}) } },
    input.config
  );
  process.stdout.write(JSON.stringify({ ok: true }));
} catch (error) {
  process.stdout.write(
    JSON.stringify({ ok: false, code: error?.code ?? 'general', data: error?.data ?? String(error) })
  );
}
