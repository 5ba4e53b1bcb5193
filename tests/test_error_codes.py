"""An error code names one situation: a client that branches on `code` never needs `details`
to tell two failures apart."""

from collections import defaultdict

from servicelayer.errors import ServiceError, kind_of
from servicelayer.registry import registry


def _declared_errors() -> set[type[ServiceError]]:
    return {error for spec in registry for error in spec.possible_errors()}


def test_every_error_code_names_one_situation() -> None:
    meanings: dict[str, set[tuple[type[ServiceError], str]]] = defaultdict(set)
    for error in _declared_errors():
        meanings[error.code].add((kind_of(error), error.default_message))
    shared = {code: found for code, found in meanings.items() if len(found) > 1}
    # payments' not-found error for a payable kind reads like the owning app's own
    # (`order_not_found`, "There is no such order."), so it is one situation, not two.
    assert shared == {}
