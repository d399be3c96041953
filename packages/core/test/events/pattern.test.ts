import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidEventPatternError } from '../../src/errors.ts';
import { matchesPattern } from '../../src/events/pattern.ts';
import { validatePattern } from '../../src/events/pattern-validate.ts';

// Sources of the documented examples below, cited by these short names in the comments (AWS EventBridge User
// Guide, and aws/event-ruler, the matching library behind EventBridge):
//   CONTENT_FILTERING  https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html
//   OPERATORS          https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
//   EVENT_PATTERNS     https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html
//   ARRAYS             https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-arrays.html
//   NULL_VALUES        https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-null-values.html
//   EVENT_RULER        https://github.com/aws/event-ruler/blob/main/README.md

/** Validates the pattern as a deployed rule would be, then matches: every documented pattern must also be valid. */
function matches(pattern: unknown, event: unknown): boolean {
  return matchesPattern(validatePattern(pattern), event);
}

/** The "Ruler by Example" event (EVENT_RULER), cloned per test. */
function rulerSampleEvent() {
  return structuredClone({
    version: '0',
    id: 'ddddd4-aaaa-7777-4444-345dd43cc333',
    'detail-type': 'EC2 Instance State-change Notification',
    source: 'aws.ec2',
    account: '012345679012',
    time: '2017-10-02T16:24:49Z',
    region: 'us-east-1',
    resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'],
    detail: {
      'c-count': 5,
      'd-count': 3,
      'x-limit': 301.8,
      'source-ip': '10.0.0.33',
      'instance-id': 'i-000000aaaaaa00000',
      state: 'running',
    },
  });
}

/** The EC2 state-change event of the "Creating event patterns" page (EVENT_PATTERNS), cloned per test. */
function ec2TerminatedEvent() {
  return structuredClone({
    version: '0',
    id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
    'detail-type': 'EC2 Instance State-change Notification',
    source: 'aws.ec2',
    account: '111122223333',
    time: '2017-12-22T18:43:48Z',
    region: 'us-west-1',
    resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
    detail: { 'instance-id': 'i-1234567890abcdef0', state: 'terminated' },
  });
}

describe('matchesPattern: fields and exact values', () => {
  // EVENT_PATTERNS: "The following event pattern processes all Amazon EC2 instance-termination events."
  it('matches the documented instance-termination pattern against its event', () => {
    const event = ec2TerminatedEvent();
    const pattern = {
      source: ['aws.ec2'],
      'detail-type': ['EC2 Instance State-change Notification'],
      detail: { state: ['terminated'] },
    };

    const matched = matches(pattern, event);

    expect(matched).toBe(true);
  });

  it('does not match when one field of the pattern differs (fields are ANDed)', () => {
    const event = ec2TerminatedEvent();
    event.detail.state = 'running';

    const matched = matches({ source: ['aws.ec2'], detail: { state: ['terminated'] } }, event);

    expect(matched).toBe(false);
  });

  // EVENT_PATTERNS, "Match values": "source": ["aws.ec2", "aws.fargate"] matches either.
  it('matches when the event value is any one of the values in the array (values are ORed)', () => {
    const pattern = { source: ['aws.ec2', 'aws.fargate'] };

    const results = ['aws.ec2', 'aws.fargate', 'aws.s3'].map((source) => matches(pattern, { source }));

    expect(results).toEqual([true, true, false]);
  });

  it('does not match when a field named in the pattern is missing from the event', () => {
    const event = { source: 'aws.ec2' };

    const matched = matches({ source: ['aws.ec2'], region: ['us-east-1'] }, event);

    expect(matched).toBe(false);
  });

  // EVENT_PATTERNS: "For strings, EventBridge uses exact character-by-character matching without case-folding".
  it('compares strings exactly, without case folding or trimming', () => {
    const pattern = { source: ['aws.ec2'] };

    const results = ['aws.ec2', 'AWS.EC2', 'aws.ec2 ', ' aws.ec2'].map((source) =>
      matches(pattern, { source }),
    );

    expect(results).toEqual([true, false, false, false]);
  });

  // EVENT_PATTERNS, "Value matching": the Macie alert pattern with risk-score 80 and trigger.risk 8.
  it('matches numbers and nested objects as in the documented Macie alert example', () => {
    const event = {
      source: 'aws.macie',
      'detail-type': 'Macie Alert',
      detail: {
        'risk-score': 80,
        trigger: { 'alert-type': 'basic', risk: 8 },
        tags: ['Custom_Alert', 'Insider'],
      },
    };
    const pattern = {
      source: ['aws.macie'],
      'detail-type': ['Macie Alert'],
      detail: { 'risk-score': [80], trigger: { risk: [8] } },
    };

    const matched = matches(pattern, event);
    const otherRisk = matches(pattern, { ...event, detail: { ...event.detail, trigger: { risk: 9 } } });

    expect(matched).toBe(true);
    expect(otherRisk).toBe(false);
  });

  it('does not confuse a number with the string of its digits, or true with "true"', () => {
    const event = { count: '5', flag: 'true' };

    const numberAgainstString = matches({ count: [5] }, event);
    const booleanAgainstString = matches({ flag: [true] }, event);

    expect(numberAgainstString).toBe(false);
    expect(booleanAgainstString).toBe(false);
  });

  it('compares numbers by value, so 300, 300.0 and 3.0e2 are the same once parsed', () => {
    const event = JSON.parse('{"price": 300.0}');

    const matched = matches(JSON.parse('{"price": [3.0e2]}'), event);

    expect(matched).toBe(true);
  });

  it('does not match when a pattern leaf meets an object in the event', () => {
    const event = { detail: { state: { name: 'running' } } };

    const matched = matches({ detail: { state: ['running'] } }, event);

    expect(matched).toBe(false);
  });

  it('does not match when a nested pattern meets a scalar in the event', () => {
    const event = { detail: 'running' };

    const matched = matches({ detail: { state: ['running'] } }, event);

    expect(matched).toBe(false);
  });

  it('matches nothing when the event is not a JSON object', () => {
    const pattern = validatePattern({ detail: { state: [{ exists: false }] } });

    const results = [null, 'event', 42, [{ detail: {} }], undefined].map((event) =>
      matchesPattern(pattern, event),
    );

    expect(results).toEqual([false, false, false, false, false]);
  });

  it('reads only the event’s own fields, never its prototype’s', () => {
    const event = JSON.parse('{"detail": {}}');

    const matched = matches({ detail: { constructor: [{ exists: true }] } }, event);

    expect(matched).toBe(false);
  });

  // CONTENT_FILTERING, note at the end: "if you include a key more than once the last reference will be the one
  // used". JSON.parse keeps the last duplicate key too.
  it('uses the last of duplicate keys, as the documented location example says', () => {
    const pattern = JSON.parse(
      '{"detail": {"location": [{"prefix": "us-"}], "location": [{"anything-but": "us-east"}]}}',
    );

    const euWest = matches(pattern, { detail: { location: 'eu-west' } });
    const usEast = matches(pattern, { detail: { location: 'us-east' } });

    expect(euWest).toBe(true);
    expect(usEast).toBe(false);
  });
});

describe('matchesPattern: null and empty strings', () => {
  // NULL_VALUES: the EC2 Auto Scaling event with eventVersion "" and responseElements null.
  function autoScalingEvent() {
    return structuredClone({
      source: 'aws.autoscaling',
      'detail-type': 'EC2 Instance Launch Successful',
      resources: [],
      detail: { eventVersion: '', responseElements: null },
    });
  }

  it('matches an empty string with [""] and null with [null], as documented', () => {
    const event = autoScalingEvent();

    const emptyString = matches({ detail: { eventVersion: [''] } }, event);
    const nullValue = matches({ detail: { responseElements: [null] } }, event);

    expect(emptyString).toBe(true);
    expect(nullValue).toBe(true);
  });

  it('does not treat null and the empty string as interchangeable', () => {
    const event = autoScalingEvent();

    const nullAgainstEmpty = matches({ detail: { eventVersion: [null] } }, event);
    const emptyAgainstNull = matches({ detail: { responseElements: [''] } }, event);

    expect(nullAgainstEmpty).toBe(false);
    expect(emptyAgainstNull).toBe(false);
  });

  it('does not match [null] when the field is missing', () => {
    const event = autoScalingEvent();

    const matched = matches({ detail: { missing: [null] } }, event);

    expect(matched).toBe(false);
  });
});

describe('matchesPattern: arrays', () => {
  // ARRAYS: the pattern's first resource matches the event's second resource.
  it('matches when the pattern array and the event array intersect', () => {
    const pattern = {
      resources: [
        'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
        'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f',
        'arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f',
      ],
    };
    const event = {
      resources: [
        'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate',
        'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
      ],
    };

    const matched = matches(pattern, event);

    expect(matched).toBe(true);
  });

  it('does not match when the arrays have no element in common', () => {
    const event = { resources: ['arn:aws:s3:::bucket-a', 'arn:aws:s3:::bucket-b'] };

    const matched = matches({ resources: ['arn:aws:s3:::bucket-c'] }, event);

    expect(matched).toBe(false);
  });

  it('does not match an empty event array', () => {
    const event = { resources: [] };

    const matched = matches({ resources: ['arn:aws:s3:::bucket-c'] }, event);

    expect(matched).toBe(false);
  });

  it('applies operators to each element of an event array', () => {
    const event = { detail: { ports: [22, 8080], names: ['web-1', 'db-1'] } };

    const numeric = matches({ detail: { ports: [{ numeric: ['>', 8000] }] } }, event);
    const prefix = matches({ detail: { names: [{ prefix: 'db-' }] } }, event);

    expect(numeric).toBe(true);
    expect(prefix).toBe(true);
  });

  it('looks into nested event arrays', () => {
    const event = { values: [['a', 'b'], ['c']] };

    const matched = matches({ values: ['c'] }, event);

    expect(matched).toBe(true);
  });

  // EVENT_RULER, "JSON Array Matching": { "employees": { "firstName": ["Anna"] } } matches; the Anna/Jones rule
  // does not, because the two fields come from different elements of the same array.
  it('matches a nested pattern against one element of an array of objects, never a mix of elements', () => {
    const event = {
      employees: [
        { firstName: 'John', lastName: 'Doe' },
        { firstName: 'Anna', lastName: 'Smith' },
        { firstName: 'Peter', lastName: 'Jones' },
      ],
    };

    const anna = matches({ employees: { firstName: ['Anna'] } }, event);
    const annaSmith = matches({ employees: { firstName: ['Anna'], lastName: ['Smith'] } }, event);
    const annaJones = matches({ employees: { firstName: ['Anna'], lastName: ['Jones'] } }, event);

    expect(anna).toBe(true);
    expect(annaSmith).toBe(true);
    expect(annaJones).toBe(false);
  });

  it('crushes multi-level arrays of objects, as event-ruler does', () => {
    const event = {
      employees: [
        [
          { firstName: 'John', lastName: 'Doe' },
          { firstName: 'Anna', lastName: 'Smith' },
        ],
        [{ firstName: 'Peter', lastName: 'Jones' }],
      ],
    };

    const peter = matches({ employees: { firstName: ['Peter'], lastName: ['Jones'] } }, event);
    const mixed = matches({ employees: { firstName: ['John'], lastName: ['Jones'] } }, event);

    expect(peter).toBe(true);
    expect(mixed).toBe(false);
  });
});

describe('matchesPattern: prefix and suffix', () => {
  // CONTENT_FILTERING, "Prefix matching".
  it('matches a string that starts with the prefix, as in the documented "time" example', () => {
    const pattern = { time: [{ prefix: '2017-10-02' }] };

    const results = ['2017-10-02T18:43:48Z', '2017-10-03T18:43:48Z', 'x2017-10-02'].map((time) =>
      matches(pattern, { time }),
    );

    expect(results).toEqual([true, false, false]);
  });

  // OPERATORS, "Begins with": Region is in the US.
  it('matches European regions with the documented Auto Scaling prefix example', () => {
    const pattern = { source: ['aws.autoscaling'], region: [{ prefix: 'eu-' }] };

    const euWest = matches(pattern, { source: 'aws.autoscaling', region: 'eu-west-1' });
    const usEast = matches(pattern, { source: 'aws.autoscaling', region: 'us-east-1' });

    expect(euWest).toBe(true);
    expect(usEast).toBe(false);
  });

  it('does not apply prefix matching to numbers', () => {
    const event = { code: 12345 };

    const matched = matches({ code: [{ prefix: '123' }] }, event);

    expect(matched).toBe(false);
  });

  // OPERATORS, "Begins with (ignore case)": service name starts with "eventb" regardless of case.
  it('matches a prefix regardless of case with {"prefix": {"equals-ignore-case": …}}', () => {
    const pattern = { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] };

    const results = ['EventBridge', 'EVENTBRIDGE', 'eventbridge', 'Lambda'].map((service) =>
      matches(pattern, { service }),
    );

    expect(results).toEqual([true, true, true, false]);
  });

  // OPERATORS, "Ends with": FileName ends with a .png extension.
  it('matches a string that ends with the suffix', () => {
    const pattern = { FileName: [{ suffix: '.png' }] };

    const results = ['image.png', 'image.PNG', 'image.png.txt'].map((FileName) =>
      matches(pattern, { FileName }),
    );

    expect(results).toEqual([true, false, false]);
  });

  // OPERATORS, "Ends with (ignore case)": service name ends with "tbridge" or "TBRIDGE".
  it('matches a suffix regardless of case with {"suffix": {"equals-ignore-case": …}}', () => {
    const pattern = { service: [{ suffix: { 'equals-ignore-case': 'tBridge' } }] };

    const results = ['EventBridge', 'EVENTBRIDGE', 'eventbridge', 'EventBus'].map((service) =>
      matches(pattern, { service }),
    );

    expect(results).toEqual([true, true, true, false]);
  });
});

describe('matchesPattern: equals-ignore-case', () => {
  // OPERATORS, "Equals (ignore case)": "Name": [ { "equals-ignore-case": "alice" } ].
  it('matches a string equal to the value in any casing', () => {
    const pattern = { Name: [{ 'equals-ignore-case': 'alice' }] };

    const results = ['Alice', 'ALICE', 'alice', 'Alicia'].map((Name) => matches(pattern, { Name }));

    expect(results).toEqual([true, true, true, false]);
  });

  it('does not match a number or null', () => {
    const pattern = { value: [{ 'equals-ignore-case': 'null' }] };

    const results = [null, 5].map((value) => matches(pattern, { value }));

    expect(results).toEqual([false, false]);
  });
});

describe('matchesPattern: wildcard', () => {
  // OPERATORS, "Wildcard": any file with a .png extension, located within the folder "dir".
  it('matches the documented "dir/*.png" example', () => {
    const pattern = { FileName: [{ wildcard: 'dir/*.png' }] };

    const results = ['dir/a.png', 'dir/sub/a.png', 'dir/.png', 'other/a.png', 'dir/a.jpg'].map((FileName) =>
      matches(pattern, { FileName }),
    );

    expect(results).toEqual([true, true, true, false, false]);
  });

  // EVENT_RULER, "Wildcard matching": "Simple*Service".
  it('matches the event-ruler "Simple*Service" example, star standing for zero or more characters', () => {
    const pattern = { source: [{ wildcard: 'Simple*Service' }] };

    const results = ['SimpleService', 'SimpleQueueService', 'SimpleQueueServices', 'simplequeueservice'].map(
      (source) => matches(pattern, { source }),
    );

    expect(results).toEqual([true, true, false, false]);
  });

  it('matches an ARN with several wildcards', () => {
    const pattern = { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] };

    const matching = matches(pattern, {
      EventBusArn: 'arn:aws:events:us-east-1:123456789012:event-bus/default',
    });
    const otherRegion = matches(pattern, {
      EventBusArn: 'arn:aws:events:eu-west-1:123456789012:event-bus/default',
    });

    expect(matching).toBe(true);
    expect(otherRegion).toBe(false);
  });

  it('matches a literal star escaped as \\* and a literal backslash escaped as \\\\', () => {
    const star = { value: [{ wildcard: 'a\\*b' }] };
    const backslash = { value: [{ wildcard: 'a\\\\*' }] };

    const literalStar = matches(star, { value: 'a*b' });
    const notAWildcard = matches(star, { value: 'axxb' });
    const literalBackslash = matches(backslash, { value: 'a\\anything' });

    expect(literalStar).toBe(true);
    expect(notAWildcard).toBe(false);
    expect(literalBackslash).toBe(true);
  });

  it('matches exactly when there is no star', () => {
    const pattern = { value: [{ wildcard: 'exact' }] };

    const results = ['exact', 'exactly', 'EXACT'].map((value) => matches(pattern, { value }));

    expect(results).toEqual([true, false, false]);
  });

  it('does not let the literal parts around a star overlap', () => {
    const pattern = { value: [{ wildcard: 'ab*ba' }] };

    const results = ['aba', 'abba', 'abxba'].map((value) => matches(pattern, { value }));

    expect(results).toEqual([false, true, true]);
  });

  it('does not let a middle literal part overlap the last one', () => {
    const pattern = { value: [{ wildcard: 'a*bc*c' }] };

    const results = ['abc', 'abcc', 'axbcyc'].map((value) => matches(pattern, { value }));

    expect(results).toEqual([false, true, true]);
  });

  it('does not apply wildcard matching to numbers', () => {
    const event = { value: 123 };

    const matched = matches({ value: [{ wildcard: '*' }] }, event);

    expect(matched).toBe(false);
  });
});

describe('matchesPattern: anything-but', () => {
  // CONTENT_FILTERING, "Anything-but matching": a single string, then a single number.
  it('matches anything except the single documented string or number', () => {
    const byString = { detail: { state: [{ 'anything-but': 'initializing' }] } };
    const byNumber = { detail: { 'x-limit': [{ 'anything-but': 123 }] } };

    const running = matches(byString, { detail: { state: 'running' } });
    const initializing = matches(byString, { detail: { state: 'initializing' } });
    const limit124 = matches(byNumber, { detail: { 'x-limit': 124 } });
    const limit123 = matches(byNumber, { detail: { 'x-limit': 123 } });

    expect(running).toBe(true);
    expect(initializing).toBe(false);
    expect(limit124).toBe(true);
    expect(limit123).toBe(false);
  });

  // CONTENT_FILTERING: lists of strings ["stopped", "overloaded"] and of numbers [100, 200, 300].
  it('matches anything except the documented lists of strings and numbers', () => {
    const strings = { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } };
    const numbers = { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } };

    const stateResults = ['running', 'stopped', 'overloaded'].map((state) =>
      matches(strings, { detail: { state } }),
    );
    const limitResults = [150, 100, 300].map((limit) => matches(numbers, { detail: { 'x-limit': limit } }));

    expect(stateResults).toEqual([true, false, false]);
    expect(limitResults).toEqual([true, false, false]);
  });

  // CONTENT_FILTERING: anything-but {"prefix": "init"}.
  it('matches any value without the excluded prefix', () => {
    const pattern = { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } };

    const results = ['running', 'initializing', 'init'].map((state) =>
      matches(pattern, { detail: { state } }),
    );

    expect(results).toEqual([true, false, false]);
  });

  // OPERATORS, "Anything-but (ends with)": FileName does not end with .png.
  it('matches any value without the excluded suffix', () => {
    const pattern = { FileName: [{ 'anything-but': { suffix: '.png' } }] };

    const results = ['notes.txt', 'image.png'].map((FileName) => matches(pattern, { FileName }));

    expect(results).toEqual([true, false]);
  });

  // OPERATORS, "Anything-but (ignore case)": any value besides "initializing" in any casing.
  it('matches any value except the excluded one in any casing', () => {
    const pattern = { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] };
    const list = { state: [{ 'anything-but': { 'equals-ignore-case': ['Stopped', 'OverLoaded'] } }] };

    const results = ['running', 'INITIALIZING', 'Initializing'].map((state) => matches(pattern, { state }));
    const listResults = ['running', 'STOPPED', 'overloaded'].map((state) => matches(list, { state }));

    expect(results).toEqual([true, false, false]);
    expect(listResults).toEqual([true, false, false]);
  });

  // OPERATORS, "Anything-but using a wildcard": FilePath is not a path that includes /lib/.
  it('matches any value the excluded wildcard does not match', () => {
    const pattern = { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] };

    const results = ['/usr/bin/env', '/usr/lib/libc.so'].map((FilePath) => matches(pattern, { FilePath }));

    expect(results).toEqual([true, false]);
  });

  it('does not match when the field is missing (there is no value to compare)', () => {
    const event = { detail: {} };

    const matched = matches({ detail: { state: [{ 'anything-but': 'initializing' }] } }, event);

    expect(matched).toBe(false);
  });

  it('matches an event array holding at least one value that is not excluded', () => {
    const pattern = { states: [{ 'anything-but': ['stopped'] }] };

    const mixed = matches(pattern, { states: ['stopped', 'running'] });
    const onlyExcluded = matches(pattern, { states: ['stopped', 'stopped'] });

    expect(mixed).toBe(true);
    expect(onlyExcluded).toBe(false);
  });

  it('matches values of another type than the excluded ones, such as null or a number against strings', () => {
    const pattern = { value: [{ 'anything-but': ['5'] }] };

    const results = [null, 5, true, '5'].map((value) => matches(pattern, { value }));

    expect(results).toEqual([true, true, true, false]);
  });
});

describe('matchesPattern: numeric', () => {
  // CONTENT_FILTERING, "Numeric matching": c-count > 0 and <= 5, d-count < 10, x-limit = 3.018e2.
  it('matches the documented numeric example against the event-ruler sample event', () => {
    const event = rulerSampleEvent();
    const pattern = {
      detail: {
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'd-count': [{ numeric: ['<', 10] }],
        'x-limit': [{ numeric: ['=', 3.018e2] }],
      },
    };

    const matched = matches(pattern, event);

    expect(matched).toBe(true);
  });

  it('honours open and closed bounds at the edges of a range', () => {
    const open = { n: [{ numeric: ['>', 0, '<', 5] }] };
    const closed = { n: [{ numeric: ['>=', 0, '<=', 5] }] };

    const openResults = [0, 0.000001, 4.999999, 5].map((n) => matches(open, { n }));
    const closedResults = [-0.000001, 0, 5, 5.000001].map((n) => matches(closed, { n }));

    expect(openResults).toEqual([false, true, true, false]);
    expect(closedResults).toEqual([false, true, true, false]);
  });

  it('matches negative numbers, decimals and exponents', () => {
    const pattern = { n: [{ numeric: ['>=', -1.5, '<', 1e3] }] };

    const results = [-1.5, -1.6, 0, 999.999999, 1e3].map((n) => matches(pattern, { n }));

    expect(results).toEqual([true, false, true, true, false]);
  });

  it('only compares JSON numbers, never numeric strings, booleans or null', () => {
    const pattern = { n: [{ numeric: ['>', 0] }] };

    const results = ['5', true, null].map((n) => matches(pattern, { n }));

    expect(results).toEqual([false, false, false]);
  });

  it('matches a numeric "=" regardless of how the number is written', () => {
    const event = JSON.parse('{"n": 301.80}');

    const matched = matches(JSON.parse('{"n": [{"numeric": ["=", 3.018e2]}]}'), event);

    expect(matched).toBe(true);
  });

  // OPERATORS: Price is more than 10, and less than or equal to 20.
  it('matches the documented price range', () => {
    const pattern = { Price: [{ numeric: ['>', 10, '<=', 20] }] };

    const results = [10, 15, 20, 21].map((Price) => matches(pattern, { Price }));

    expect(results).toEqual([false, true, true, false]);
  });
});

describe('matchesPattern: cidr', () => {
  // CONTENT_FILTERING, "IP address matching": 10.0.0.0/24.
  it('matches IPv4 addresses inside the documented 10.0.0.0/24 network', () => {
    const pattern = { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } };

    const results = ['10.0.0.0', '10.0.0.255', '10.0.1.0', '9.255.255.255'].map((ip) =>
      matches(pattern, { detail: { sourceIPAddress: ip } }),
    );

    expect(results).toEqual([true, true, false, false]);
  });

  it('matches a single address with /32 and every IPv4 address with /0', () => {
    const single = { ip: [{ cidr: '192.0.2.7/32' }] };
    const all = { ip: [{ cidr: '0.0.0.0/0' }] };

    const singleResults = ['192.0.2.7', '192.0.2.8'].map((ip) => matches(single, { ip }));
    const allResults = ['0.0.0.0', '255.255.255.255', '2001:db8::1'].map((ip) => matches(all, { ip }));

    expect(singleResults).toEqual([true, false]);
    expect(allResults).toEqual([true, true, false]);
  });

  it('ignores host bits set in the network address', () => {
    const event = { ip: '10.0.0.200' };

    const matched = matches({ ip: [{ cidr: '10.0.0.77/24' }] }, event);

    expect(matched).toBe(true);
  });

  // EVENT_RULER, "IP Address Matching": "This also works with IPv6 addresses."
  it('matches IPv6 addresses, compressed or not, in any hex casing', () => {
    const pattern = { ip: [{ cidr: '2001:db8::/32' }] };

    const results = [
      '2001:db8::1',
      '2001:0DB8:0000:0000:0000:0000:0000:0001',
      '2001:db9::1',
      '::1',
      '10.0.0.1',
    ].map((ip) => matches(pattern, { ip }));

    expect(results).toEqual([true, true, false, false, false]);
  });

  it('matches a single IPv6 address with /128 and every IPv6 address with ::/0', () => {
    const single = { ip: [{ cidr: '2001:db8::7/128' }] };
    const all = { ip: [{ cidr: '::/0' }] };

    const singleResults = ['2001:db8::7', '2001:db8::8'].map((ip) => matches(single, { ip }));
    const allResults = ['::', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', '0.0.0.0'].map((ip) =>
      matches(all, { ip }),
    );

    expect(singleResults).toEqual([true, false]);
    expect(allResults).toEqual([true, true, false]);
  });

  it('reads an IPv6 address written with an embedded IPv4 tail', () => {
    const pattern = { ip: [{ cidr: '::ffff:10.0.0.0/120' }] };

    const results = ['::ffff:10.0.0.9', '::ffff:a00:9', '::ffff:10.0.1.9'].map((ip) =>
      matches(pattern, { ip }),
    );

    expect(results).toEqual([true, true, false]);
  });

  it('does not match strings that are not IP addresses, or numbers', () => {
    const pattern = { ip: [{ cidr: '0.0.0.0/0' }] };

    const results = ['10.0.0', '10.0.0.256', '010.0.0.1', 'localhost', '', 167772161].map((ip) =>
      matches(pattern, { ip }),
    );

    expect(results).toEqual([false, false, false, false, false, false]);
  });
});

describe('matchesPattern: exists', () => {
  // CONTENT_FILTERING, "Exists matching": {"detail": {"state": [{"exists": true}]}} and its two events.
  it('matches the documented exists:true example only when detail.state is there', () => {
    const pattern = { detail: { state: [{ exists: true }] } };
    const withState = {
      'detail-type': 'EC2 Instance State-change Notification',
      source: 'aws.ec2',
      detail: { 'instance-id': 'i-abcd1111', state: 'pending' },
    };
    const withoutState = {
      'detail-type': ['EC2 Instance State-change Notification'],
      detail: { 'c-count': { c1: 100 } },
    };

    const present = matches(pattern, withState);
    const absent = matches(pattern, withoutState);

    expect(present).toBe(true);
    expect(absent).toBe(false);
  });

  // CONTENT_FILTERING (earlier revision) and EVENT_RULER: exists:false on detail.c-count matches an event without
  // it, and also one where c-count is an object, "because c-count isn't a leaf node".
  it('matches exists:false on a missing field and on a field that holds an object', () => {
    const pattern = { detail: { 'c-count': [{ exists: false }] } };
    const missing = { detail: { state: ['initializing', 'running'] } };
    const objectValue = { detail: { state: ['initializing', 'running'], 'c-count': { c1: 100 } } };
    const leafValue = { detail: { 'c-count': 5 } };

    const results = [missing, objectValue, leafValue].map((event) => matches(pattern, event));

    expect(results).toEqual([true, true, false]);
  });

  it('matches exists:false when the parent object itself is missing', () => {
    const event = { source: 'aws.ec2' };

    const matched = matches({ detail: { 'c-count': [{ exists: false }] } }, event);

    expect(matched).toBe(true);
  });

  it('counts a null value as existing', () => {
    const event = { detail: { responseElements: null } };

    const exists = matches({ detail: { responseElements: [{ exists: true }] } }, event);
    const absent = matches({ detail: { responseElements: [{ exists: false }] } }, event);

    expect(exists).toBe(true);
    expect(absent).toBe(false);
  });

  it('counts an array of values as existing, and an empty array as absent', () => {
    const pattern = { resources: [{ exists: true }] };

    const withValues = matches(pattern, { resources: ['arn:aws:s3:::bucket'] });
    const empty = matches(pattern, { resources: [] });

    expect(withValues).toBe(true);
    expect(empty).toBe(false);
  });

  it('combines with other values of the same field as an OR', () => {
    const pattern = { detail: { state: ['running', { exists: false }] } };

    const results = [{ detail: { state: 'running' } }, { detail: {} }, { detail: { state: 'stopped' } }].map(
      (event) => matches(pattern, event),
    );

    expect(results).toEqual([true, true, false]);
  });
});

describe('matchesPattern: $or', () => {
  // OPERATORS, "Or (multiple fields)": Location is "New York", or Day is "Monday".
  it('matches when any branch of $or matches', () => {
    const pattern = { $or: [{ Location: ['New York'] }, { Day: ['Monday'] }] };

    const results = [
      { Location: 'New York', Day: 'Friday' },
      { Location: 'Paris', Day: 'Monday' },
      { Location: 'Paris', Day: 'Friday' },
    ].map((event) => matches(pattern, event));

    expect(results).toEqual([true, true, false]);
  });

  // CONTENT_FILTERING / EVENT_RULER: "$or" inside detail over c-count, d-count and x-limit.
  it('matches the documented $or of numeric conditions inside detail', () => {
    const pattern = {
      detail: {
        $or: [
          { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] },
          { 'd-count': [{ numeric: ['<', 10] }] },
          { 'x-limit': [{ numeric: ['=', 3.018e2] }] },
        ],
      },
    };

    const onlyXLimit = matches(pattern, { detail: { 'c-count': 50, 'd-count': 50, 'x-limit': 301.8 } });
    const none = matches(pattern, { detail: { 'c-count': 50, 'd-count': 50, 'x-limit': 1 } });

    expect(onlyXLimit).toBe(true);
    expect(none).toBe(false);
  });

  // EVENT_RULER, "Nested 'Or' and 'And'": source && (metricName || (metricType && namespace && (metricId ||
  // spaceId)) || scope).
  it('evaluates $or nested inside a branch of another $or', () => {
    const pattern = {
      source: ['aws.cloudwatch'],
      $or: [
        { metricName: ['CPUUtilization', 'ReadLatency'] },
        {
          metricType: ['MetricType'],
          namespace: ['AWS/EC2', 'AWS/ES'],
          $or: [{ metricId: [1234] }, { spaceId: [1000] }],
        },
        { scope: ['Service'] },
      ],
    };
    const base = { source: 'aws.cloudwatch', metricType: 'MetricType', namespace: 'AWS/EC2' };

    const viaSpaceId = matches(pattern, { ...base, spaceId: 1000 });
    const neitherId = matches(pattern, { ...base, spaceId: 2000 });
    const viaScope = matches(pattern, { source: 'aws.cloudwatch', scope: 'Service' });
    const wrongSource = matches(pattern, { source: 'aws.ec2', scope: 'Service' });

    expect(viaSpaceId).toBe(true);
    expect(neitherId).toBe(false);
    expect(viaScope).toBe(true);
    expect(wrongSource).toBe(false);
  });

  // EVENT_RULER, "Parallel 'Or'": two $or at different levels are ANDed.
  it('ANDs $or clauses at different levels of the pattern', () => {
    const pattern = {
      $or: [{ metricName: ['CPUUtilization'] }, { namespace: ['AWS/EC2'] }],
      detail: { $or: [{ source: ['aws.cloudwatch'] }, { 'detail-type': ['CloudWatch Alarm State Change'] }] },
    };

    const both = matches(pattern, { namespace: 'AWS/EC2', detail: { source: 'aws.cloudwatch' } });
    const onlyTop = matches(pattern, { namespace: 'AWS/EC2', detail: { source: 'aws.ec2' } });

    expect(both).toBe(true);
    expect(onlyTop).toBe(false);
  });

  it('keeps each $or branch inside one element of an array of objects', () => {
    const pattern = { items: { $or: [{ a: [1], b: [2] }, { c: [3] }] } };

    const sameElement = matches(pattern, { items: [{ a: 1 }, { a: 1, b: 2 }] });
    const splitAcrossElements = matches(pattern, { items: [{ a: 1 }, { b: 2 }] });

    expect(sameElement).toBe(true);
    expect(splitAcrossElements).toBe(false);
  });
});

describe('matchesPattern: the documented complex example', () => {
  // CONTENT_FILTERING, "Complex example with multiple matching", with EVENT_RULER's added source-ip cidr.
  it('matches the event-ruler sample event, and not once one condition fails', () => {
    const pattern = {
      time: [{ prefix: '2017-10-02' }],
      detail: {
        state: [{ 'anything-but': 'initializing' }],
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'd-count': [{ numeric: ['<', 10] }],
        'x-limit': [{ 'anything-but': [100, 200, 300] }],
        'source-ip': [{ cidr: '10.0.0.0/8' }],
      },
    };
    const event = rulerSampleEvent();
    const outsideNetwork = rulerSampleEvent();
    outsideNetwork.detail['source-ip'] = '11.0.0.1';

    const matched = matches(pattern, event);
    const notMatched = matches(pattern, outsideNetwork);

    expect(matched).toBe(true);
    expect(notMatched).toBe(false);
  });
});

describe('validatePattern', () => {
  it('returns a copy that later changes to the input do not reach', () => {
    const input = { source: ['aws.ec2'] };

    const pattern = validatePattern(input);
    input.source.push('aws.s3');

    expect(pattern).toEqual({ source: ['aws.ec2'] });
  });

  it('accepts every operator form the guide documents', () => {
    const pattern = {
      a: ['x', 1, true, false, null, ''],
      b: [{ prefix: 'p' }, { prefix: { 'equals-ignore-case': 'P' } }],
      c: [{ suffix: 's' }, { suffix: { 'equals-ignore-case': 'S' } }],
      d: [{ 'equals-ignore-case': 'e' }, { wildcard: 'a*b\\*c\\\\' }],
      e: [
        { 'anything-but': 'x' },
        { 'anything-but': 1 },
        { 'anything-but': ['x', 'y'] },
        { 'anything-but': [1, 2] },
        { 'anything-but': { prefix: 'p' } },
        { 'anything-but': { suffix: ['s', 't'] } },
        { 'anything-but': { 'equals-ignore-case': ['A', 'B'] } },
        { 'anything-but': { wildcard: '*/lib/*' } },
      ],
      f: [{ numeric: ['=', 1] }, { numeric: ['<', 5e9] }, { numeric: ['>=', -5e9, '<', 0] }],
      g: [{ exists: true }, { cidr: '10.0.0.0/8' }, { cidr: '2001:db8::/32' }],
      h: { $or: [{ i: ['1'] }, { j: { k: [2] } }] },
    };

    const validated = validatePattern(pattern);

    expect(validated).toEqual(pattern);
  });

  it('keeps a field named "__proto__" as a field, as JSON.parse does', () => {
    const input: unknown = JSON.parse('{"__proto__": ["x"]}');

    const pattern = validatePattern(input);

    expect(Object.keys(pattern)).toEqual(['__proto__']);
    expect(matchesPattern(pattern, JSON.parse('{"__proto__": "x"}'))).toBe(true);
  });

  it.each<[string, unknown, string]>([
    ['a pattern that is not an object', ['aws.ec2'], 'a pattern must be a JSON object'],
    ['an empty pattern', {}, 'empty objects are not allowed'],
    ['an empty nested object', { detail: {} }, 'detail: empty objects are not allowed'],
    ['an empty array of values', { source: [] }, 'source: empty arrays are not allowed'],
    ['a field that is a bare string, not an array', { source: 'aws.ec2' }, 'source: must be an array'],
    ['a field that is a bare number', { detail: { severity: 7 } }, 'detail.severity: must be an array'],
    ['a nested array among the values', { source: [['aws.ec2']] }, 'source[0]: a value must be a string'],
    ['a non-finite number', { n: [Number.POSITIVE_INFINITY] }, 'is not a JSON number'],
    ['an unknown operator', { source: [{ contains: 'ec2' }] }, 'unknown operator "contains"'],
    ['an empty operator object', { source: [{}] }, 'empty objects are not allowed'],
    ['an operator object with two keys', { s: [{ prefix: 'a', suffix: 'b' }] }, 'exactly one key'],
    ['a prefix that is not a string', { s: [{ prefix: 5 }] }, 's[0].prefix: must be a string or'],
    [
      'a prefix object other than equals-ignore-case',
      { s: [{ prefix: { suffix: 'a' } }] },
      'equals-ignore-case',
    ],
    [
      'a suffix equals-ignore-case with a number',
      { s: [{ suffix: { 'equals-ignore-case': 1 } }] },
      'must be a string',
    ],
    ['equals-ignore-case with a list', { s: [{ 'equals-ignore-case': ['a'] }] }, 'must be a string'],
    ['exists that is not a boolean', { s: [{ exists: 'true' }] }, 'exists takes true or false'],
    ['a cidr without a prefix length', { ip: [{ cidr: '10.0.0.0' }] }, 'is not an IPv4 or IPv6 network'],
    ['a cidr prefix length above 32', { ip: [{ cidr: '10.0.0.0/33' }] }, 'is not an IPv4 or IPv6 network'],
    ['an IPv6 cidr prefix length above 128', { ip: [{ cidr: '::/129' }] }, 'is not an IPv4 or IPv6 network'],
    ['a malformed IPv6 network', { ip: [{ cidr: '2001:db8:::/32' }] }, 'is not an IPv4 or IPv6 network'],
    ['a cidr that is not a string', { ip: [{ cidr: 10 }] }, 'must be a string'],
    ['consecutive wildcard characters', { s: [{ wildcard: 'a**b' }] }, 'consecutive wildcard characters'],
    ['a backslash escaping a letter', { s: [{ wildcard: 'a\\b' }] }, 'a backslash may only escape'],
    ['a trailing lone backslash', { s: [{ wildcard: 'a\\' }] }, 'a backslash may only escape'],
    ['numeric that is not an array', { n: [{ numeric: '>5' }] }, 'numeric takes an array'],
    ['numeric with an empty array', { n: [{ numeric: [] }] }, 'empty arrays are not allowed'],
    ['numeric with an unknown operator', { n: [{ numeric: ['!=', 5] }] }, 'unknown numeric operator'],
    ['numeric with a string operand', { n: [{ numeric: ['>', '5'] }] }, '">" must be followed by a number'],
    [
      'numeric with a missing operand',
      { n: [{ numeric: ['>'] }] },
      'must be followed by a number, got nothing',
    ],
    [
      'numeric with a null upper operand',
      { n: [{ numeric: ['>', 0, '<', null] }] },
      '"<" must be followed by',
    ],
    ['numeric with the upper bound first', { n: [{ numeric: ['<', 5, '>', 0] }] }, 'lower bound first'],
    ['numeric "=" followed by a range', { n: [{ numeric: ['=', 5, '<', 6] }] }, 'lower bound first'],
    ['numeric with two lower bounds', { n: [{ numeric: ['>', 0, '>=', 1] }] }, 'must be "<" or "<="'],
    ['numeric with too many elements', { n: [{ numeric: ['>', 0, '<', 5, '<', 6] }] }, 'too many elements'],
    ['an empty numeric range', { n: [{ numeric: ['>=', 5, '<=', 5] }] }, 'must be below the upper bound'],
    ['a numeric bound beyond 5.0e9', { n: [{ numeric: ['>', 5.000001e9] }] }, 'limited to -5.0e9'],
    ['anything-but with an empty list', { s: [{ 'anything-but': [] }] }, 'empty arrays are not allowed'],
    ['anything-but mixing strings and numbers', { s: [{ 'anything-but': ['a', 1] }] }, 'not a mix'],
    ['anything-but with null', { s: [{ 'anything-but': null }] }, 'anything-but takes a string'],
    ['anything-but with a boolean list', { s: [{ 'anything-but': [true] }] }, 'only strings or only numbers'],
    ['anything-but with an unknown form', { s: [{ 'anything-but': { numeric: ['>', 1] } }] }, 'unsupported'],
    [
      'anything-but with two forms',
      { s: [{ 'anything-but': { prefix: 'a', suffix: 'b' } }] },
      'takes one of',
    ],
    [
      'anything-but with an empty prefix',
      { s: [{ 'anything-but': { prefix: '' } }] },
      'empty prefix or suffix',
    ],
    ['anything-but with a numeric suffix', { s: [{ 'anything-but': { suffix: [1] } }] }, 'must be a string'],
    ['anything-but with a bad wildcard', { s: [{ 'anything-but': { wildcard: '**' } }] }, 'consecutive'],
    ['$or that is not an array', { $or: { a: ['x'] } }, '$or must be an array'],
    ['$or with a single branch', { $or: [{ a: ['x'] }] }, 'at least 2 patterns, got 1'],
    ['$or with a branch that is not an object', { $or: [{ a: ['x'] }, ['y']] }, '$or[1]: a pattern must be'],
    ['$or with an empty branch', { $or: [{ a: ['x'] }, {}] }, '$or[1]: empty objects'],
    [
      'an operator used as a field inside $or',
      { $or: [{ numeric: [123] }, { prefix: ['abc'] }] },
      'is an operator',
    ],
  ])('refuses %s', (_case, pattern, reason) => {
    const act = () => validatePattern(pattern);

    expect(act).toThrow(InvalidEventPatternError);
    expect(act).toThrow(reason);
  });

  it('names the error and the path where the problem is', () => {
    let caught: unknown;

    try {
      validatePattern({ detail: { severity: [{ numeric: ['>=', 'high'] }] } });
    } catch (error) {
      caught = error;
    }

    expect(caught).toBeInstanceOf(InvalidEventPatternError);
    expect(caught).toMatchObject({ name: 'InvalidEventPatternError', path: 'detail.severity[0].numeric[1]' });
  });
});

describe('matchesPattern: properties', () => {
  const scalar = fc.oneof(
    fc.string(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
  );
  const key = fc.string({ minLength: 1, maxLength: 8 }).filter((name) => name !== '$or');
  const jsonEvent = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: 'small' }, scalar, tie('object'), fc.array(tie('value'), { maxLength: 3 })),
    object: fc.dictionary(key, tie('value'), { maxKeys: 4 }),
  })).object;

  /**
   * The pattern field naming a value's leaves with their own values: `[leaf]` for a scalar, a nested pattern for
   * an object, the pattern of one element for an array; undefined when there is no leaf to name.
   */
  function ownLeavesPattern(value: unknown): unknown {
    if (Array.isArray(value)) {
      // One element is enough: a field matches when any element of the event array does.
      return value.map(ownLeavesPattern).find((pattern) => pattern !== undefined);
    }
    if (typeof value === 'object' && value !== null) {
      const fields = Object.entries(value)
        .map(([name, child]) => [name, ownLeavesPattern(child)] as const)
        .filter(([, pattern]) => pattern !== undefined);
      return fields.length === 0 ? undefined : Object.fromEntries(fields);
    }
    return [value];
  }

  it('matches any event against a pattern built from the event’s own leaf values', () => {
    fc.assert(
      fc.property(jsonEvent, (event) => {
        const built = ownLeavesPattern(event);
        fc.pre(built !== undefined);

        const pattern = validatePattern(built);

        expect(matchesPattern(pattern, event)).toBe(true);
      }),
    );
  });

  it('matches anything-but [x] exactly when [x] does not, for any scalar event value', () => {
    const excluded = fc.oneof(fc.string(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }));
    fc.assert(
      fc.property(excluded, scalar, (x, value) => {
        const event = { field: value };

        const exact = matchesPattern(validatePattern({ field: [x] }), event);
        const anythingBut = matchesPattern(validatePattern({ field: [{ 'anything-but': [x] }] }), event);

        expect(anythingBut).toBe(!exact);
      }),
    );
  });

  it('matches a numeric range exactly when the number lies within its bounds', () => {
    const bound = fc.double({ min: -5e9, max: 5e9, noNaN: true });
    fc.assert(
      fc.property(bound, bound, fc.double({ noNaN: true, noDefaultInfinity: true }), (a, b, n) => {
        fc.pre(a < b);
        const pattern = validatePattern({ n: [{ numeric: ['>', a, '<=', b] }] });

        expect(matchesPattern(pattern, { n })).toBe(n > a && n <= b);
      }),
    );
  });

  it('matches a wildcard made of an escaped string against that string only', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (text, other) => {
        const escaped = text.replaceAll('\\', '\\\\').replaceAll('*', '\\*');
        const pattern = validatePattern({ s: [{ wildcard: escaped }] });

        expect(matchesPattern(pattern, { s: text })).toBe(true);
        expect(matchesPattern(pattern, { s: other })).toBe(other === text);
      }),
    );
  });

  it('matches wildcards as a regular expression with ".*" for each star would', () => {
    const wildcardText = fc
      .array(fc.constantFrom('a', 'b', '*'), { maxLength: 8 })
      .map((characters) => characters.join(''))
      .filter((text) => !text.includes('**'));
    const value = fc
      .array(fc.constantFrom('a', 'b'), { maxLength: 10 })
      .map((characters) => characters.join(''));
    fc.assert(
      fc.property(wildcardText, value, (wildcard, text) => {
        const reference = new RegExp(`^${wildcard.replaceAll('*', '.*')}$`);

        const matched = matchesPattern(validatePattern({ s: [{ wildcard }] }), { s: text });

        expect(matched).toBe(reference.test(text));
      }),
    );
  });

  it('matches any IPv4 address with its own /32 network and with 0.0.0.0/0', () => {
    const ipv4 = fc.ipV4();
    fc.assert(
      fc.property(ipv4, (ip) => {
        expect(matchesPattern(validatePattern({ ip: [{ cidr: `${ip}/32` }] }), { ip })).toBe(true);
        expect(matchesPattern(validatePattern({ ip: [{ cidr: '0.0.0.0/0' }] }), { ip })).toBe(true);
      }),
    );
  });
});
