import type {
  CreateTagsCommandInput,
  CreateTagsCommandOutput,
  DeleteTagsCommandInput,
  DeleteTagsCommandOutput,
} from '@aws-sdk/client-ec2';
import type { CommandHandler } from '../../types.ts';
import type { Out } from '../command.ts';
import {
  type Ec2Store,
  fail,
  GROUPS,
  INSTANCES,
  NETWORK_INTERFACES,
  type ResourceKind,
  SNAPSHOTS,
  VOLUMES,
  VPCS,
} from './store.ts';

/** The kinds CreateTags and DeleteTags reach, by id prefix. */
const TAGGABLE: ReadonlyArray<
  readonly [prefix: string, kind: ResourceKind<{ tags: Record<string, string> }>]
> = [
  ['i-', INSTANCES],
  ['vol-', VOLUMES],
  ['sg-', GROUPS],
  ['eni-', NETWORK_INTERFACES],
  ['vpc-', VPCS],
  ['snap-', SNAPSHOTS],
];

/**
 * CreateTags and DeleteTags on instances, volumes, snapshots, groups, ENIs and VPCs. An unknown resource answers
 * that kind's `NotFound`; an id of another kind answers `InvalidID`.
 */
export function tagCommands(store: Ec2Store): Record<string, CommandHandler> {
  const tagsOf = (resourceId: string): Record<string, string> => {
    const kind = TAGGABLE.find(([prefix]) => resourceId.startsWith(prefix))?.[1];
    if (kind === undefined) throw fail('InvalidID', `The ID '${resourceId}' is not valid`);
    return store.one(kind, resourceId).tags;
  };
  return {
    CreateTags: store.mutating((input: CreateTagsCommandInput): Out<CreateTagsCommandOutput> => {
      for (const resourceId of input.Resources ?? []) {
        const tags = tagsOf(resourceId);
        for (const tag of input.Tags ?? []) if (tag.Key !== undefined) tags[tag.Key] = tag.Value ?? '';
      }
      return {};
    }),
    // A tag given with a value is removed only if the value matches; no `Tags` at all removes every tag.
    DeleteTags: store.mutating((input: DeleteTagsCommandInput): Out<DeleteTagsCommandOutput> => {
      for (const resourceId of input.Resources ?? []) {
        const tags = tagsOf(resourceId);
        if (input.Tags === undefined) {
          for (const key of Object.keys(tags)) delete tags[key];
          continue;
        }
        for (const tag of input.Tags) {
          if (tag.Key === undefined) continue;
          if (tag.Value === undefined || tags[tag.Key] === tag.Value) delete tags[tag.Key];
        }
      }
      return {};
    }),
  };
}
