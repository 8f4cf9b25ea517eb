"""What value does this expression have on the default path?

One mechanism for every rule: names are followed to their last reachable assignment, imports to
their qualified names (or into scanned modules), parameters to the argument a caller passes or to
their default, and the usual configuration carriers (dicts and ``**`` expansion, argparse,
dataclasses and ``HfArgumentParser``, ``os.environ``) to their defaults. Branches whose condition
is known on the default path are pruned; anything else that cannot be known is ``Unknown``.

``core`` follows names, bindings, imports and attributes and decides reachability;
``expressions`` evaluates literals and operators; ``calls`` follows calls into the scanned code;
``classes`` reads class bodies and dataclass fields; ``carriers`` reads argparse, dataclass
argument parsers and environment variables.
"""

from ecolint.analysis.resolver.call_context import EMPTY, Env
from ecolint.analysis.resolver.calls import call_value
from ecolint.analysis.resolver.core import Resolver

__all__ = ["EMPTY", "Env", "Resolver", "call_value"]
