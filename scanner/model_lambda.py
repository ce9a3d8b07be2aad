"""AWS Lambda functions in the model, in both formats: what the escalation search reads of them.

What AWS does (https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html):
a function (``aws_lambda_function`` / ``AWS::Lambda::Function``) runs with its execution role
(``role`` / ``Role``, the role's ARN; the role must trust ``lambda.amazonaws.com``). Its ARN is
``arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME``, NAME being ``function_name`` (Terraform,
required) or ``FunctionName`` (CloudFormation; when it is not written, CloudFormation generates
one from the stack and logical id, not known offline). Whoever may change its code
(``lambda:UpdateFunctionCode``) runs code with that role.

A function is not a workload (it launches no EC2 capacity): as an ``UnanalysedCompute`` it is
still counted as compute that is not analysed (``scanner.coverage``).
"""

from __future__ import annotations

from scanner.frozen import frozen
from scanner.model import Ref, UnanalysedCompute


@frozen(kw_only=True, eq=False)
class LambdaFunction(UnanalysedCompute):
    """``name``: the function name (None: not written, CloudFormation generates one; Unknown:
    not known offline). ``role``: its execution role, as written. ``kind`` is the resource type."""

    role: Ref | None = None
