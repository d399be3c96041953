import type {
  CreateTagsCommandInput,
  CreateTagsCommandOutput,
  DeleteTagsCommandInput,
  DeleteTagsCommandOutput,
  DescribeTagsCommandInput,
  DescribeTagsCommandOutput,
  TagDescription,
} from '@aws-sdk/client-ec2';
import type { CommandHandler } from '../../types.ts';
import type { Out } from '../command.ts';
import {
  type Ec2Store,
  type FilterTable,
  fail,
  GROUPS,
  INSTANCES,
  matchesFilters,
  NETWORK_INTERFACES,
  type ResourceKind,
  SNAPSHOTS,
  VOLUMES,
  VPCS,
} from './store.ts';

/** The kinds CreateTags, DeleteTags and DescribeTags reach: id prefix, kind, `ResourceType` as AWS names it. */
const TAGGABLE: ReadonlyArray<
  readonly [
    prefix: string,
    kind: ResourceKind<{ tags: Record<string, string> }>,
    type: TagDescription['ResourceType'],
  ]
> = [
  ['i-', INSTANCES, 'instance'],
  ['vol-', VOLUMES, 'volume'],
  ['sg-', GROUPS, 'security-group'],
  ['eni-', NETWORK_INTERFACES, 'network-interface'],
  ['vpc-', VPCS, 'vpc'],
  ['snap-', SNAPSHOTS, 'snapshot'],
];

/** DescribeTags filters (the IAM request model reads a resource's tags with `resource-id`). */
const TAG_FILTERS: FilterTable<TagDescription> = {
  'resource-id': (tag) => [tag.ResourceId ?? ''],
  'resource-type': (tag) => [tag.ResourceType ?? ''],
  key: (tag) => [tag.Key ?? ''],
  value: (tag) => [tag.Value ?? ''],
};

/**
 * CreateTags, DeleteTags and DescribeTags on instances, volumes, snapshots, groups, ENIs and VPCs. An unknown
 * resource answers that kind's `NotFound`; an id of another kind answers `InvalidID`.
 */
export function tagCommands(store: Ec2Store): Record<string, CommandHandler> {
  const tagsOf = (resourceId: string): Record<string, string> => {
    const kind = TAGGABLE.find(([prefix]) => resourceId.startsWith(prefix))?.[1];
    if (kind === undefined) throw fail('InvalidID', `The ID '${resourceId}' is not valid`);
    return store.one(kind, resourceId).tags;
  };
  return {
    DescribeTags: store.reading(
      (input: DescribeTagsCommandInput): Out<DescribeTagsCommandOutput> => ({
        Tags: TAGGABLE.flatMap(([, kind, ResourceType]) =>
          Object.entries(kind.table(store.state)).flatMap(([ResourceId, resource]) =>
            Object.entries(resource.tags).map(([Key, Value]) => ({ ResourceId, ResourceType, Key, Value })),
          ),
        ).filter((tag) => matchesFilters(input.Filters, tag, TAG_FILTERS)),
      }),
    ),
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
