/**
 * The people on call, as the scale model needs them: they read the approval requests Cordon delivers, in
 * the order they arrive, and decide each in a fixed time; a decision is the approval API's SendTaskSuccess
 * (or SendTaskFailure). Not a quota of any service — the limit that matters when a storm asks hundreds of
 * questions. With no responder, every request runs into its timeout and the playbook's timeout default.
 */
import type { PendingApproval, StepFunctionsService } from './step-functions.ts';
import type { VirtualTime } from './virtual-time.ts';

export interface OnCallOptions {
  /** People deciding in parallel (0: nobody answers). */
  readonly responders: number;
  /** Seconds one person takes to read a request and decide it. */
  readonly secondsPerDecision: number;
  readonly answer: 'approve' | 'reject';
}

export interface Decision {
  readonly executionName: string;
  readonly requestedAt: number;
  readonly decidedAt: number;
  /** `false` when the Task had already timed out (nobody was waiting for the answer any more). */
  readonly accepted: boolean;
}

export class OnCall {
  private readonly queue: PendingApproval[] = [];
  private busy = 0;
  public readonly requests: PendingApproval[] = [];
  public readonly decisions: Decision[] = [];

  public constructor(
    private readonly time: VirtualTime,
    private readonly options: OnCallOptions,
    private sfn?: StepFunctionsService,
  ) {}

  /** Wires the Step Functions the decisions go to (they are made after it exists). */
  public connect(sfn: StepFunctionsService): void {
    this.sfn = sfn;
  }

  /** A request was delivered: someone will get to it. */
  public readonly request = (approval: PendingApproval): void => {
    this.requests.push(approval);
    this.queue.push(approval);
    while (this.busy < this.options.responders && this.queue.length > 0) {
      this.busy += 1;
      void this.work();
    }
  };

  private async work(): Promise<void> {
    for (let next = this.queue.shift(); next !== undefined; next = this.queue.shift()) {
      await this.time.sleep(this.options.secondsPerDecision * 1000);
      const decidedAt = new Date(this.time.now).toISOString();
      const accepted =
        this.options.answer === 'approve'
          ? (this.sfn?.sendTaskSuccess(next.taskToken, {
              decision: 'approve',
              decidedBy: 'on-call',
              decidedAt,
            }) ?? false)
          : (this.sfn?.sendTaskFailure(
              next.taskToken,
              'ApprovalRejected',
              JSON.stringify({ decidedBy: 'on-call', comment: 'rejected' }),
            ) ?? false);
      this.decisions.push({
        executionName: next.executionName,
        requestedAt: next.requestedAt,
        decidedAt: this.time.now,
        accepted,
      });
    }
    this.busy -= 1;
  }
}
