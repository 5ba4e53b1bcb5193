"""Roles: who a service is for, and what an acting user needs to be allowed to call it.

A project declares its roles once (`Role("merchant", Access.STAFF, ...)`); each service names
one. The registry checks access before a service runs, whatever the delivery, so a service never
forgets its permission check and the catalog can group services by role.
"""

import enum
from dataclasses import dataclass
from typing import Any

from servicelayer.errors import Forbidden, NotAuthenticated, ServiceError


class Access(enum.Enum):
    PUBLIC = "public"  # anyone, anonymous included
    AUTHENTICATED = "authenticated"  # any active, signed-in user
    STAFF = "staff"  # staff users only
    SYSTEM = "system"  # a trusted caller with no user (a job, an operator's CLI), or staff


@dataclass(frozen=True)
class Role:
    name: str
    access: Access
    description: str = ""

    def authorize(self, user: Any) -> None:
        """Raise NotAuthenticated/Forbidden unless `user` may act in this role."""
        if self.access is Access.PUBLIC:
            return
        if self.access is Access.SYSTEM and user is None:
            return
        if user is None or not getattr(user, "is_authenticated", False):
            raise NotAuthenticated()
        if not user.is_active:
            raise NotAuthenticated("This account is inactive.")
        if self.access in (Access.STAFF, Access.SYSTEM) and not user.is_staff:
            raise Forbidden(f"Only a {self.name} may do this.")

    def errors(self) -> tuple[type[ServiceError], ...]:
        """The errors `authorize` may raise, for the catalog and the OpenAPI schema."""
        if self.access is Access.PUBLIC:
            return ()
        if self.access is Access.AUTHENTICATED:
            return (NotAuthenticated,)
        return (NotAuthenticated, Forbidden)


# Every project has callers with no user: scheduled jobs, an operator at the command line.
SYSTEM = Role("system", Access.SYSTEM, "Scheduled jobs and operators at the command line.")
