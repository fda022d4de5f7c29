// The read half of a deploy with Logto's official client (@logto/api): a client-credentials token, then
// the connectors and the email-template store. The peer of `smtp-connector deploy --check` in benchmarks/.
// stdin: {baseUrl, clientId, clientSecret, apiIndicator}; stdout: how many connectors and templates.
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
const connectors = await apiClient.GET('/api/connectors');
const templates = await apiClient.GET('/api/email-templates');
process.stdout.write(JSON.stringify({ connectors: connectors.data.length, templates: templates.data.length }));
