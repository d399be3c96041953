/**
 * The named errors of the IAM evaluation. Each one means the proof cannot be made as asked — never that a
 * call is allowed: the authorizer turns none of them into `allowed`.
 */
export class IamEvaluationError extends Error {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A policy document the evaluator cannot read as IAM would (a missing Effect, a short ARN, a typo). */
export class IamPolicyInvalidError extends IamEvaluationError {}

/** A policy uses a feature the evaluator does not implement (an IP or binary operator, a policy variable). */
export class IamPolicyUnsupportedError extends IamEvaluationError {}

/** The request model does not know the call: its IAM action, resources or context cannot be stated. */
export class IamRequestUnknownError extends IamEvaluationError {}

/** An IAM action, resource type or condition key is not in the Service Authorization Reference data. */
export class IamReferenceMismatchError extends IamEvaluationError {}

/** A principal Cordon does not deploy (no policy documents are known for it). */
export class IamPrincipalUnknownError extends IamEvaluationError {}
