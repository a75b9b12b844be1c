"""UK-only hosting: the allowed-locations policy, location parameters and resource locations."""

from __future__ import annotations

from typing import Any

from checkov.arm.base_resource_check import BaseResourceCheck
from checkov.bicep.checks.param.base_param_check import BaseParamCheck, CheckovParameterAttributes
from checkov.common.models.enums import CheckCategories, CheckResult
from insight365_support import (
    ALLOWED_LOCATIONS_POLICY_ID,
    LOCATION_PARAM_REFERENCE,
    UK_REGIONS,
    get_path,
    is_reference,
    result,
)


class AllowedLocationsPolicyUkOnly(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Insight365: the allowed-locations policy is enforced and permits only UK South and UK West",
            id="CKV_I365_5",
            categories=(CheckCategories.GENERAL_SECURITY,),
            supported_resources=("Microsoft.Authorization/policyAssignments",),
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        definition = get_path(conf, "properties.policyDefinitionId")
        if not isinstance(definition, str) or ALLOWED_LOCATIONS_POLICY_ID not in definition:
            return CheckResult.UNKNOWN  # some other policy
        problems = []
        if get_path(conf, "properties.enforcementMode", "Default") != "Default":
            problems.append("enforcementMode is not 'Default'")
        allowed = get_path(conf, "properties.parameters.listOfAllowedLocations.value")
        if not isinstance(allowed, list) or not allowed or not set(allowed) <= UK_REGIONS:
            problems.append(
                f"listOfAllowedLocations {allowed!r} is not a literal subset of {sorted(UK_REGIONS)}"
            )
        return result(problems)


class LocationParametersUkOnly(BaseParamCheck):
    """Every ``*location`` parameter carries ``@allowed`` with UK regions only."""

    def __init__(self) -> None:
        super().__init__(
            name="Insight365: location parameters are restricted to UK regions with @allowed",
            id="CKV_I365_6",
            categories=(CheckCategories.GENERAL_SECURITY,),
            supported_type=("string",),
        )

    def scan_param_conf(self, conf: CheckovParameterAttributes) -> CheckResult:
        name = self.entity_path.rsplit(":", 1)[-1]
        if not name.lower().endswith("location"):
            return CheckResult.UNKNOWN
        allowed = [
            decorator.get("argument")
            for decorator in conf.get("decorators", [])
            if decorator.get("type") == "allowed"
        ]
        if len(allowed) != 1 or not isinstance(allowed[0], list) or not allowed[0]:
            return CheckResult.FAILED
        if not set(allowed[0]) <= UK_REGIONS:
            return CheckResult.FAILED
        default = conf.get("default")
        if isinstance(default, str) and not is_reference(default) and default not in UK_REGIONS:
            return CheckResult.FAILED
        return CheckResult.PASSED


class ResourceLocationUkOnly(BaseResourceCheck):
    """A resource's location is a UK region, ``global``, or a ``*location`` parameter (see CKV_I365_6)."""

    def __init__(self) -> None:
        super().__init__(
            name="Insight365: resources are deployed only to UK regions",
            id="CKV_I365_7",
            categories=(CheckCategories.GENERAL_SECURITY,),
            supported_resources=("*",),
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        if "location" not in conf:
            return CheckResult.UNKNOWN
        location = conf["location"]
        if is_reference(location):
            return CheckResult.PASSED if LOCATION_PARAM_REFERENCE.fullmatch(location) else CheckResult.FAILED
        return CheckResult.PASSED if location in UK_REGIONS or location == "global" else CheckResult.FAILED


policy_check = AllowedLocationsPolicyUkOnly()
location_param_check = LocationParametersUkOnly()
resource_location_check = ResourceLocationUkOnly()
