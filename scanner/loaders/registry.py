"""Every input format, in the order discovery asks them.

Each entry imports its package only when first asked: a Terraform-only scan never imports
cfn-lint, and a scan of templates never the HCL loader.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from scanner.findings import Configuration
from scanner.loaders.formats import InputFormat, LoadJob
from scanner.options import ScanOptions

if TYPE_CHECKING:
    from scanner.loaders.terraform.files import ParsedFiles


def _terraform_detect(path: Path) -> bool:
    from scanner.loaders import terraform

    return terraform.detect(path)


def _terraform_load(job: LoadJob, options: ScanOptions, parsed: ParsedFiles | None) -> list[Configuration]:
    from scanner.loaders import terraform

    return terraform.load(job, options, parsed)


def _plan_detect(path: Path) -> bool:
    from scanner.loaders.terraform import plan

    return path.name.endswith(".json") and plan.detect(path)


def _plan_load(job: LoadJob, options: ScanOptions, parsed: ParsedFiles | None) -> list[Configuration]:
    from scanner.loaders.terraform import plan

    return plan.load(job, options)


def _cdk_detect(path: Path) -> bool:
    if path.name != "cdk.out":  # every folder of a scan is asked: no import for the others
        return False
    from scanner.loaders.cloudformation import cdk

    return cdk.detect(path)


def _cdk_load(job: LoadJob, options: ScanOptions, parsed: ParsedFiles | None) -> list[Configuration]:
    from scanner.loaders.cloudformation import cdk

    return cdk.load(job, options)


def _cloudformation_detect(path: Path) -> bool:
    from scanner.loaders.cloudformation.sniff import is_cloudformation_template

    return is_cloudformation_template(path)


def _cloudformation_load(job: LoadJob, options: ScanOptions, parsed: ParsedFiles | None) -> list[Configuration]:
    from scanner.loaders import cloudformation

    return cloudformation.load(job, options)


TERRAFORM = InputFormat("terraform", _terraform_detect, _terraform_load, folder=True)
TERRAFORM_PLAN = InputFormat("terraform-plan", _plan_detect, _plan_load)
CDK = InputFormat("cdk", _cdk_detect, _cdk_load, folder=True)
CLOUDFORMATION = InputFormat("cloudformation", _cloudformation_detect, _cloudformation_load, one_job=True)

# Jobs run in this order; a candidate file is claimed by the first file format that detects it.
FORMATS: tuple[InputFormat, ...] = (TERRAFORM, TERRAFORM_PLAN, CDK, CLOUDFORMATION)
FILE_FORMATS: tuple[InputFormat, ...] = tuple(f for f in FORMATS if not f.folder)


def format_named(name: str) -> InputFormat:
    return next(f for f in FORMATS if f.name == name)
