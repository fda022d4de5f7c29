// Logto's own config check, as a long-running peer for the tests.
//
// Reads JSON Lines on stdin; each line is a connector config (the text JSON.parse reads, so a line
// starting with a byte-order mark is refused exactly as Logto refuses it). For each line it writes one
// JSON line:
//   {"ok": bool, "issues": [...], "cleaned": <config>, "cleanedOk": bool, "cleanedIssues": [...]}
// ok/issues: the connector's zod guard (smtpConfigGuard, via its configGuard) on the config as sent.
// cleaned: the config after the clean-deep step Logto's connector routes apply before storing it
// (clean-deep 3.4.0 with its defaults: null, "", {} and [] removed, recursively).
// cleanedOk/cleanedIssues: the same guard on the cleaned config, which is what every send validates.
// A line JSON.parse refuses gets {"ok": false, "parseError": message, ...} with cleaned null.
// Numbers JSON cannot carry (Infinity from a huge literal, -0) are written as {"$number": "Infinity"}
// so the caller sees what Logto holds in memory.
import readline from 'node:readline';

import createSmtpConnector from '@logto/connector-smtp';
import cleanDeep from 'clean-deep';

const connector = await createSmtpConnector({ getConfig: async () => ({}) });
const guard = connector.configGuard;

const issueJson = (issue) => {
  const out = { path: issue.path, code: issue.code, message: issue.message };
  for (const key of ['expected', 'received', 'keys', 'validation', 'options']) {
    if (issue[key] !== undefined) {
      out[key] = issue[key];
    }
  }
  if (issue.unionErrors) {
    out.unionIssues = issue.unionErrors.map((error) => error.issues.map(issueJson));
  }
  return out;
};

const check = (value) => {
  const result = guard.safeParse(value);
  return result.success ? [true, []] : [false, result.error.issues.map(issueJson)];
};

const replacer = (_key, value) => {
  if (typeof value === 'number' && (!Number.isFinite(value) || Object.is(value, -0))) {
    return { $number: Object.is(value, -0) ? '-0' : String(value) };
  }
  return value;
};

const answer = (line) => {
  let config;
  try {
    config = JSON.parse(line);
  } catch (error) {
    return {
      ok: false,
      parseError: error.message,
      issues: [],
      cleaned: null,
      cleanedOk: false,
      cleanedIssues: [],
    };
  }
  const [ok, issues] = check(config);
  const cleaned = config !== null && typeof config === 'object' ? cleanDeep(config) : config;
  const [cleanedOk, cleanedIssues] = check(cleaned);
  return { ok, issues, cleaned, cleanedOk, cleanedIssues };
};

const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  process.stdout.write(JSON.stringify(answer(line), replacer) + '\n');
}
