import { EC2Client } from '@aws-sdk/client-ec2';
import { closeDefaultSecurityGroup } from '@cordon/core/actions/close-default-security-group';
import { createActionHandler } from '../../shared/action-handler.ts';

// Only the clients this action calls (its permissions say which): the bundle leaves the others out.
export const handler = createActionHandler(closeDefaultSecurityGroup, { clients: { ec2: EC2Client } });
