import { describe, expect, it } from 'vitest';
import { allPlaybooks, allStates, LOCAL_BUILD_OPTIONS } from '../../src/playbooks/index.ts';

/**
 * AWS's recommended retrier for Lambda service exceptions (Step Functions Developer Guide, "Handle Lambda
 * service exceptions": https://docs.aws.amazon.com/step-functions/latest/dg/bp-lambda-serviceexception.html).
 */
const AWS_LAMBDA_SERVICE_EXCEPTIONS = [
  'Lambda.ClientExecutionTimeoutException',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
];

describe('the Lambda retrier of every playbook Task', () => {
  it("retries each of AWS's Lambda service exceptions, Lambda.ClientExecutionTimeoutException included", () => {
    let tasks = 0;
    for (const definition of Object.values(allPlaybooks(LOCAL_BUILD_OPTIONS))) {
      for (const { name, state } of allStates(definition)) {
        if (state.Type !== 'Task') continue;
        tasks += 1;
        const retried = (state.Retry ?? []).flatMap((retrier) => retrier.ErrorEquals);
        expect(retried, name).toEqual(expect.arrayContaining(AWS_LAMBDA_SERVICE_EXCEPTIONS));
      }
    }
    expect(tasks).toBeGreaterThan(0);
  });
});
