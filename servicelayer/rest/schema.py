"""OpenAPI glue: Pydantic models documented in the right mode for each direction."""

from typing import Any

from drf_spectacular.contrib.pydantic import PydanticExtension
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import ResolvedComponent
from pydantic import BaseModel


class DirectionalPydanticExtension(PydanticExtension):
    """drf-spectacular's extension documents request bodies in serialization mode; inputs are
    validated, so requests use Pydantic's validation-mode schema."""

    priority = 1

    def map_serializer(self, auto_schema: Any, direction: str) -> dict[str, Any]:
        mode = "validation" if direction == "request" else "serialization"
        schema = self.target.model_json_schema(
            ref_template="#/components/schemas/{model}", mode=mode
        )
        for sub_name, sub_schema in schema.pop("$defs", {}).items():
            auto_schema.registry.register_on_missing(
                ResolvedComponent(
                    name=sub_name,
                    type=ResolvedComponent.SCHEMA,
                    object=sub_name,
                    schema=sub_schema,
                )
            )
        return dict(schema)


def query_parameters(model: type[BaseModel]) -> list[Any]:
    """A query-parameter DTO as OpenAPI parameters, each with its own bounds."""
    from drf_spectacular.utils import OpenApiParameter

    schema = model.model_json_schema(mode="validation")
    defs = schema.get("$defs", {})
    required = set(schema.get("required", []))
    params = []
    for name, prop in schema.get("properties", {}).items():
        prop = dict(prop)
        if "$ref" in prop:
            prop = dict(defs[prop["$ref"].rsplit("/", 1)[-1]])
        if "anyOf" in prop:  # Optional[X]: document X
            options = [o for o in prop.pop("anyOf") if o.get("type") != "null"]
            if len(options) == 1:
                option = options[0]
                if "$ref" in option:
                    option = defs[option["$ref"].rsplit("/", 1)[-1]]
                prop.update(option)
        description = prop.pop("description", "")
        prop.pop("title", None)
        params.append(
            OpenApiParameter(
                name=name,
                type=prop,
                location=OpenApiParameter.QUERY,
                required=name in required,
                description=description,
            )
        )
    return params


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """The API token as HTTP bearer: Swagger UI's Authorize dialog then takes the bare key and
    sends `Authorization: Bearer <key>` (drf-spectacular's own scheme for DRF tokens is an API
    key whose value must start with `Token `, which nobody guesses)."""

    target_class = "servicelayer.rest.authentication.FastTokenAuthentication"
    name = "tokenAuth"
    priority = 1

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "The `token` that `POST /api/auth/login/` answers (or `manage.py agora_user` "
                "prints). In the Authorize dialog paste the token alone, with nothing before "
                "it: Swagger UI sends `Authorization: Bearer <token>`. Other clients may send "
                "`Authorization: Bearer <token>` or `Authorization: Token <token>`."
            ),
        }
