"""Resource types that run compute which iacscan does not analyse, so that a scan that finds
nothing in them is never read as "safe".

Security Hub reports exposures on every EC2 instance that runs, however it was launched;
iacscan analyses the declarations it models as workloads (``scanner.model.Instance`` and
``AutoScalingGroup`` and the declarations mapped to them: instances, Auto Scaling groups,
Spot requests and fleets, EC2 Fleets, EKS managed node groups, Batch EC2/Spot compute
environments, Elastic Beanstalk environments). Every type in ``NOT_ANALYSED`` runs servers,
containers or functions that can hold a role, listen on a network or reach the internet,
and is not analysed; no adapter maps it (a test keeps it so). A type an adapter maps is
analysed and never listed; where only some of its resources run compute iacscan does not
analyse (a Batch compute environment on Fargate), its mapper emits an ``UnanalysedCompute``
for those, and ``PARTLY_ANALYSED`` says why. Lambda functions are mapped for the escalation
search only (which role each runs with, ``scanner.model_lambda``): every one is still listed.

Not listed on purpose: managed data services (RDS, Aurora, Neptune, DocumentDB,
ElastiCache, OpenSearch, MSK, Amazon MQ, Redshift) run engines AWS operates on instances
AWS manages, with no role and no code of the user's; their exposure is a data store's
(a public endpoint, a security group), not a workload's. Declarations that launch nothing
themselves (an ECS cluster, an EKS cluster, a launch template, a capacity reservation) are
not listed either: what runs in them is (node groups, services, Auto Scaling groups).

Each type is counted once per configuration (``not_analysed``); reports list them after
the findings (text) and under ``not_analysed`` (JSON).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from types import MappingProxyType
from typing import Final

_EMR = "EMR clusters run EC2 instances (primary, core, task) with their own security groups and role"
_ECS = "ECS tasks run containers, on Fargate or on container instances (an Auto Scaling group is analysed)"
_LAMBDA = "functions run with an execution role, in a VPC or not"
_SAGEMAKER = "notebook instances are EC2 instances AWS manages, with direct internet access unless disabled"
_GAMELIFT = "GameLift fleets run EC2 instances with inbound permissions of their own"
_APPSTREAM = "AppStream streaming instances run in your subnets, with an IAM role"
_IMAGE_BUILDER = "Image Builder launches EC2 build instances from its infrastructure configuration"
_CLOUD9 = "a Cloud9 EC2 environment is an EC2 instance AWS launches for you"
_DMS = "DMS replication instances run in your subnets and can be publicly accessible"
_OPSWORKS = "OpsWorks instances are EC2 instances the stack launches"
_LIGHTSAIL = "Lightsail instances are virtual servers with public addresses and their own firewall"
_WORKSPACES = "WorkSpaces are desktops running in your directory's subnets"
_APPRUNNER = "App Runner services run containers reachable from the internet by default"
_CODEBUILD = "CodeBuild runs build containers with a service role, in your VPC or not"
_FARGATE_PROFILE = "EKS Fargate profiles run pods on Fargate"
_DATA_PIPELINE = "Data Pipeline launches EC2 instances (Ec2Resource) and EMR clusters for its activities, with a role"
_GLUE_JOB = "Glue jobs run your scripts with a role, in your VPC through a connection or not"
_GLUE_DEV_ENDPOINT = "Glue development endpoints are servers reachable by SSH, in your VPC or public, with a role"
_MWAA = "MWAA environments run your Airflow DAGs with an execution role; the web server can be public"
_BATCH_FARGATE = "Batch compute environments on Fargate (FARGATE, FARGATE_SPOT) run job containers on Fargate"

# A module call whose source was not read is listed as well, under this pseudo-type, once
# per call: the Terraform loader hands it over with the call's lines.
UNREAD_MODULE: Final = "module"
_UNREAD_MODULE = (
    "module calls whose source was not read (not downloaded: run terraform init; or outside the scanned "
    "folder): the instances, Auto Scaling groups or node groups they may create are not analysed"
)

NOT_ANALYSED: Final[Mapping[str, str]] = MappingProxyType(
    {
        # Terraform
        "aws_emr_cluster": _EMR,
        "aws_emr_instance_group": _EMR,
        "aws_emr_instance_fleet": _EMR,
        "aws_ecs_service": _ECS,
        "aws_ecs_task_definition": _ECS,
        "aws_sagemaker_notebook_instance": _SAGEMAKER,
        "aws_gamelift_fleet": _GAMELIFT,
        "aws_appstream_fleet": _APPSTREAM,
        "aws_appstream_image_builder": _APPSTREAM,
        "aws_imagebuilder_infrastructure_configuration": _IMAGE_BUILDER,
        "aws_cloud9_environment_ec2": _CLOUD9,
        "aws_dms_replication_instance": _DMS,
        "aws_opsworks_instance": _OPSWORKS,
        "aws_lightsail_instance": _LIGHTSAIL,
        "aws_workspaces_workspace": _WORKSPACES,
        "aws_apprunner_service": _APPRUNNER,
        "aws_codebuild_project": _CODEBUILD,
        "aws_eks_fargate_profile": _FARGATE_PROFILE,
        "aws_datapipeline_pipeline_definition": _DATA_PIPELINE,
        "aws_glue_job": _GLUE_JOB,
        "aws_glue_dev_endpoint": _GLUE_DEV_ENDPOINT,
        "aws_mwaa_environment": _MWAA,
        # CloudFormation (and SAM)
        "AWS::EMR::Cluster": _EMR,
        "AWS::EMR::InstanceGroupConfig": _EMR,
        "AWS::EMR::InstanceFleetConfig": _EMR,
        "AWS::ECS::Service": _ECS,
        "AWS::ECS::TaskDefinition": _ECS,
        "AWS::Serverless::Function": _LAMBDA,
        "AWS::SageMaker::NotebookInstance": _SAGEMAKER,
        "AWS::GameLift::Fleet": _GAMELIFT,
        "AWS::AppStream::Fleet": _APPSTREAM,
        "AWS::AppStream::ImageBuilder": _APPSTREAM,
        "AWS::ImageBuilder::InfrastructureConfiguration": _IMAGE_BUILDER,
        "AWS::Cloud9::EnvironmentEC2": _CLOUD9,
        "AWS::DMS::ReplicationInstance": _DMS,
        "AWS::OpsWorks::Instance": _OPSWORKS,
        "AWS::Lightsail::Instance": _LIGHTSAIL,
        "AWS::WorkSpaces::Workspace": _WORKSPACES,
        "AWS::AppRunner::Service": _APPRUNNER,
        "AWS::CodeBuild::Project": _CODEBUILD,
        "AWS::EKS::FargateProfile": _FARGATE_PROFILE,
        "AWS::DataPipeline::Pipeline": _DATA_PIPELINE,
        "AWS::Glue::Job": _GLUE_JOB,
        "AWS::Glue::DevEndpoint": _GLUE_DEV_ENDPOINT,
        "AWS::MWAA::Environment": _MWAA,
    }
)


# Types an adapter maps, of which some (or all) resources run compute that is not analysed (the
# mapper says which, with an ``UnanalysedCompute``): which ones ("" all), and why they are listed.
PARTLY_ANALYSED: Final[Mapping[str, tuple[str, str]]] = MappingProxyType(
    {
        "aws_batch_compute_environment": ("on Fargate", _BATCH_FARGATE),
        "AWS::Batch::ComputeEnvironment": ("on Fargate", _BATCH_FARGATE),
        # every function: mapped only for the escalation search (which role each one runs with)
        "aws_lambda_function": ("", _LAMBDA),
        "AWS::Lambda::Function": ("", _LAMBDA),
    }
)


def runs_unanalysed_compute(resource_type: str, mapped: Collection[str]) -> bool:
    """Whether ``resource_type`` runs compute that no mapper in ``mapped`` analyses."""
    return resource_type in NOT_ANALYSED and resource_type not in mapped


def not_analysed(types: Iterable[str]) -> dict[str, int]:
    """How many resources of each not-analysed type, by type name."""
    return dict(sorted(Counter(types).items()))


def why_not_analysed(resource_type: str) -> str:
    """What resources of ``resource_type`` run that is not analysed ("" for a type not listed)."""
    if resource_type == UNREAD_MODULE:
        return _UNREAD_MODULE
    return NOT_ANALYSED.get(resource_type) or PARTLY_ANALYSED.get(resource_type, ("", ""))[1]


def shown_type(resource_type: str) -> str:
    """The type as a report names it: with which of its resources, when only some are listed."""
    which = PARTLY_ANALYSED.get(resource_type, ("", ""))[0]
    return f"{resource_type} {which}" if which else resource_type
