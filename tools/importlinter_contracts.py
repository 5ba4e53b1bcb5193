"""A custom import-linter contract: apps import each other only through an interface module.

    [[tool.importlinter.contracts]]
    type = "interface_only"
    container = "apps"          # each sub-package of it is an app
    interface = "interface"     # the one module of an app that other apps may import
    ignore_children = ["tests"] # sub-packages of an app that may import anything

Plain modules directly in the container (such as `apps.roles`) are shared by every app.
"""

from typing import Any, cast

from importlinter import Contract, ContractCheck, fields, output


class InterfaceOnlyContract(Contract):
    type_name = "interface_only"

    container = fields.StringField()
    interface = fields.StringField()
    ignore_children = fields.ListField(subfield=fields.StringField(), required=False)

    def check(self, graph: Any, verbose: bool) -> ContractCheck:
        container = str(self.container)
        interface = str(self.interface)
        ignored = set(cast("list[str]", self.ignore_children) or [])
        apps = {m for m in graph.find_children(container) if graph.find_children(m)}

        def app_of(module: str) -> str | None:
            for app in apps:
                if module == app or module.startswith(app + "."):
                    return app
            return None

        violations = []
        for app in sorted(apps):
            for importer in sorted({app, *graph.find_descendants(app)}):
                rest = importer[len(app) + 1 :].split(".")[0] if importer != app else ""
                if rest in ignored:
                    continue
                for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                    other = app_of(imported)
                    if other is None or other == app or imported == f"{other}.{interface}":
                        continue
                    violations.append((importer, imported))
        return ContractCheck(kept=not violations, metadata={"violations": violations})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for importer, imported in check.metadata["violations"]:
            output.print_error(
                f"{importer} imports {imported}: import {imported.rsplit('.', 1)[0]}."
                f"{self.interface} instead.",
                bold=False,
            )
            output.new_line()
