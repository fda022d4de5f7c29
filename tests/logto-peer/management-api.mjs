// Drives Logto's official Management API client (@logto/api, pinned) against a server, as a user's script
// would: client credentials, then typed calls. stdin: {baseUrl, clientId, clientSecret, apiIndicator,
// connectorId, config, template}; stdout: what each call answered.
import { createManagementApi } from '@logto/api/management';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const input = JSON.parse(Buffer.concat(chunks).toString('utf8'));

const { apiClient } = createManagementApi('default', {
  clientId: input.clientId,
  clientSecret: input.clientSecret,
  baseUrl: input.baseUrl,
  apiIndicator: input.apiIndicator,
});

const pick = ({ data, error, response }) => ({ status: response.status, data, error });
const out = {};
out.list = pick(await apiClient.GET('/api/connectors'));
out.refused = pick(
  await apiClient.PATCH('/api/connectors/{id}', {
    params: { path: { id: input.connectorId } },
    body: { config: { ...input.config, port: null } },
  })
);
out.patched = pick(
  await apiClient.PATCH('/api/connectors/{id}', {
    params: { path: { id: input.connectorId } },
    body: { config: input.config },
  })
);
out.put = pick(await apiClient.PUT('/api/email-templates', { body: { templates: [input.template] } }));
out.templates = pick(await apiClient.GET('/api/email-templates', { params: { query: { languageTag: 'fr' } } }));
out.deleted = pick(
  await apiClient.DELETE('/api/email-templates/{id}', { params: { path: { id: out.put.data[0].id } } })
);
process.stdout.write(JSON.stringify(out));
