/**
 * The approval API's public address: its function URL (auth NONE — the API checks the signature of every
 * approval link and Slack request itself), written to `/cordon/<stage>/approval/base-url` where
 * request-approval reads it. Cordon owns this parameter: every deploy rewrites it.
 */
import type { DeployConfig } from './config.ts';
import { PARAMETERS } from './functions.ts';
import type { DeployedFunction } from './lambda.ts';

export function createApprovalBaseUrl(config: DeployConfig, api: DeployedFunction): aws.ssm.Parameter {
  if (api.url === undefined) throw new Error('The approval API function has no URL');
  return new aws.ssm.Parameter('ApprovalBaseUrl', {
    name: `${config.stageRoot}${PARAMETERS.approvalBaseUrl}`,
    type: 'String',
    value: api.url,
    description: `Cordon ${config.stage}: the approval API's base URL (written by the deploy)`,
  });
}
