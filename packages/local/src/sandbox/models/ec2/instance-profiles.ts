import type {
  AssociateIamInstanceProfileCommandInput,
  AssociateIamInstanceProfileCommandOutput,
  DescribeIamInstanceProfileAssociationsCommandInput,
  DescribeIamInstanceProfileAssociationsCommandOutput,
  DisassociateIamInstanceProfileCommandInput,
  DisassociateIamInstanceProfileCommandOutput,
  IamInstanceProfileAssociation,
  IamInstanceProfileSpecification,
  ReplaceIamInstanceProfileAssociationCommandInput,
  ReplaceIamInstanceProfileAssociationCommandOutput,
} from '@aws-sdk/client-ec2';
import type { CommandHandler, SandboxContext } from '../../types.ts';
import type { Out } from '../command.ts';
import type { ProfileAssociationRecord } from './records.ts';
import { type Ec2Store, type FilterTable, fail, INSTANCES, matchesFilters } from './store.ts';

const INSTANCE_PROFILE_ARN =
  /^arn:aws[a-z-]*:iam::(\d{12}):instance-profile\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]+)$/;

/**
 * Instance-profile associations: Describe, Associate, Disassociate and Replace. The EC2 model does not see IAM, so
 * a profile ARN is checked for form and account only. Associations are `associated` once made.
 */
export function instanceProfileCommands(store: Ec2Store): Record<string, CommandHandler> {
  return {
    DescribeIamInstanceProfileAssociations: store.reading(
      (
        input: DescribeIamInstanceProfileAssociationsCommandInput,
      ): Out<DescribeIamInstanceProfileAssociationsCommandOutput> => {
        const ids = input.AssociationIds ?? [];
        const missing = ids.filter((id) => store.state.profileAssociations[id] === undefined);
        if (missing.length > 0) throw noSuchAssociation(missing.join(', '));
        const filters: FilterTable<ProfileAssociationRecord> = {
          'instance-id': (association) => [association.instanceId],
          state: () => ['associated'],
        };
        return {
          IamInstanceProfileAssociations: Object.values(store.state.profileAssociations)
            .filter((association) => ids.length === 0 || ids.includes(association.associationId))
            .filter((association) => matchesFilters(input.Filters, association, filters))
            .map((association) => toAssociation(association, 'associated')),
        };
      },
    ),
    AssociateIamInstanceProfile: store.mutating(
      (
        input: AssociateIamInstanceProfileCommandInput,
        context,
      ): Out<AssociateIamInstanceProfileCommandOutput> => {
        const instance = store.one(INSTANCES, input.InstanceId);
        if (store.associationOf(instance.instanceId) !== undefined) {
          throw fail(
            'IncorrectState',
            `There is an existing association for instance ${instance.instanceId}`,
          );
        }
        const association = attachProfile(store, instance.instanceId, input.IamInstanceProfile, context);
        return { IamInstanceProfileAssociation: toAssociation(association, 'associating') };
      },
    ),
    DisassociateIamInstanceProfile: store.mutating(
      (
        input: DisassociateIamInstanceProfileCommandInput,
      ): Out<DisassociateIamInstanceProfileCommandOutput> => {
        const association = associationById(store, input.AssociationId);
        delete store.state.profileAssociations[association.associationId];
        return { IamInstanceProfileAssociation: toAssociation(association, 'disassociating') };
      },
    ),
    ReplaceIamInstanceProfileAssociation: store.mutating(
      (
        input: ReplaceIamInstanceProfileAssociationCommandInput,
        context,
      ): Out<ReplaceIamInstanceProfileAssociationCommandOutput> => {
        const previous = associationById(store, input.AssociationId);
        const arn = profileArn(store, input.IamInstanceProfile);
        delete store.state.profileAssociations[previous.associationId];
        const association = attachProfile(store, previous.instanceId, { Arn: arn }, context);
        return { IamInstanceProfileAssociation: toAssociation(association, 'associating') };
      },
    ),
  };
}

function noSuchAssociation(ids: string | undefined) {
  return fail('InvalidAssociationID.NotFound', `An association with ID ${ids} does not exist.`);
}

function associationById(store: Ec2Store, associationId: string | undefined): ProfileAssociationRecord {
  const association = store.state.profileAssociations[associationId ?? ''];
  if (association === undefined) throw noSuchAssociation(associationId);
  return association;
}

function toAssociation(
  association: ProfileAssociationRecord,
  state: IamInstanceProfileAssociation['State'],
): IamInstanceProfileAssociation {
  return {
    AssociationId: association.associationId,
    InstanceId: association.instanceId,
    IamInstanceProfile: { Arn: association.arn, Id: association.id },
    State: state,
    Timestamp: new Date(association.timestamp),
  };
}

/** The profile ARN, checked for form and account; the EC2 model does not see IAM, so not for existence. */
function profileArn(store: Ec2Store, profile: IamInstanceProfileSpecification | undefined): string {
  const { accountId } = store.context;
  if (profile?.Arn !== undefined) {
    const match = INSTANCE_PROFILE_ARN.exec(profile.Arn);
    if (match === null || match[1] !== accountId) {
      throw fail(
        'InvalidParameterValue',
        `Value (${profile.Arn}) for parameter iamInstanceProfile.arn is invalid. Invalid IAM Instance Profile ARN`,
      );
    }
    return profile.Arn;
  }
  if (profile?.Name !== undefined) return `arn:aws:iam::${accountId}:instance-profile/${profile.Name}`;
  throw fail('MissingParameter', 'The request must contain the parameter iamInstanceProfile');
}

/** A stable `AIPA…` id derived from the ARN, so the same profile always has the same id. */
function profileId(arn: string): string {
  let hash = 2166136261;
  for (const char of arn) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619) >>> 0;
  return `AIPA${hash.toString(36).toUpperCase().padStart(8, '0')}SANDBOX`.slice(0, 21);
}

/** Associates a profile with an instance (also how seeding gives an instance its profile). */
export function attachProfile(
  store: Ec2Store,
  instanceId: string,
  profile: IamInstanceProfileSpecification | undefined,
  context: SandboxContext,
): ProfileAssociationRecord {
  const arn = profileArn(store, profile);
  const association: ProfileAssociationRecord = {
    associationId: context.nextId('iip-assoc'),
    instanceId,
    arn,
    id: profileId(arn),
    timestamp: context.now().toISOString(),
  };
  store.state.profileAssociations[association.associationId] = association;
  return association;
}
