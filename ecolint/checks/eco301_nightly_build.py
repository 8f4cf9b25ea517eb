"""ECO301: a stack package installed from a nightly or dev build."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlparse

from ecolint.analysis.module import ModuleInfo
from ecolint.checks.base import Check
from ecolint.checks.serving_findings import nightly_images
from ecolint.findings.model import Report
from ecolint.i18n import Phrase, phrase
from ecolint.sources.document import Document

if TYPE_CHECKING:
    from ecolint.analysis.dependencies import Dependency, Option

PACKAGES = frozenset({"torch", "torchao", "transformers", "bitsandbytes", "vllm", "accelerate"})
# Nightly indexes and channels of known hosts only carry their own projects; a nightly index of
# another host may carry any of them.
NIGHTLY_HOSTS = {
    "download.pytorch.org": frozenset({"torch", "torchao"}),
    "wheels.vllm.ai": frozenset({"vllm"}),
    "pytorch-nightly": frozenset({"torch", "torchao"}),
}
_LOWER_BOUNDS = frozenset({"==", "===", "~=", ">=", ">"})
# Where each package is developed on GitHub: a git install from another repository is a fork
# (``tjruwase/transformers@kvcache-offload-cpu``), whose changes no release carries.
UPSTREAMS = {
    "torch": frozenset({"pytorch/pytorch"}),
    "torchao": frozenset({"pytorch/ao"}),
    "transformers": frozenset({"huggingface/transformers"}),
    "bitsandbytes": frozenset({"bitsandbytes-foundation/bitsandbytes", "timdettmers/bitsandbytes"}),
    "vllm": frozenset({"vllm-project/vllm"}),
    "accelerate": frozenset({"huggingface/accelerate"}),
}


class NightlyBuild(Check):
    """A version, URL or option that cannot be read is no finding. A release candidate or
    beta pin (``4.47.0rc1``) is a published pre-release, not a nightly/dev build: no finding;
    so is ``--pre`` (or ``allow-prereleases``) on its own, which lets an index's release
    candidates in, not nightlies. A nightly index or channel does not matter to a requirement
    pinned to one stable release. A git install of a fork is what the project needs, not a
    nightly: no release has the fork's changes."""

    code = "ECO301"

    def run(self, module: ModuleInfo) -> Iterator[Report]:
        from ecolint.analysis.dependencies import dependencies  # only when the rule is active

        return self._reports(dependencies(self.resolver, module))

    def run_document(self, document: Document) -> Iterator[Report]:
        from ecolint.analysis.dependencies import dependencies
        from ecolint.evidence.stack import nightly_evidence

        evidence = nightly_evidence(self.context.gpu)
        for image in nightly_images(document):
            params = {"requirement": image.text or "", "reason": phrase("eco301.nightly_image")}
            yield Report(self.code, image.span, params, evidence=evidence)
        yield from self._reports(dependencies(self.resolver, document))

    def _reports(self, found: Iterable[Dependency]) -> Iterator[Report]:
        """One report a place: a command line or call may install several packages."""
        from ecolint.evidence.stack import nightly_evidence

        by_site: dict[object, list[tuple[Dependency, Phrase | str]]] = {}
        for dependency in found:
            reason = nightly_reason(dependency) if dependency.name in PACKAGES else None
            if reason is not None:
                by_site.setdefault(dependency.site, []).append((dependency, reason))
        for group in by_site.values():
            first, reason = group[0]
            params = {
                "requirement": ", ".join(dict.fromkeys(dep.text for dep, _ in group)),
                "reason": reason,
            }
            yield Report(self.code, first.site, params, evidence=nightly_evidence(self.context.gpu))


def nightly_reason(dependency: Dependency) -> Phrase | str | None:
    """Why ``dependency`` installs a nightly/dev build, or None. A line of an included file
    that is scanned on its own is reported there, unless only the includer's options make
    it nightly."""
    own = _own_reason(dependency)
    if own is not None:
        return None if dependency.shared else own
    if dependency.url is not None or _pins_one_stable_release(dependency):
        return None
    for kind in ("index", "channel"):
        for option in dependency.options:
            if option.kind == kind and _applies(option, dependency.name):
                return _at(_describe(option), option.where)
    return None


def _own_reason(dependency: Dependency) -> Phrase | str | None:
    for spec in dependency.specifier or ():
        if spec.operator in _LOWER_BOUNDS and _is_dev(spec.version.removesuffix(".*")):
            return phrase("eco301.dev_release", version=spec.version)
    url = dependency.url
    if url is None:
        return None
    if url.startswith("git+"):
        if _fork(dependency.name, url):
            return None
        return phrase("eco301.source_control", url=url)
    if _nightly_url(url):
        return phrase("eco301.nightly_wheel", url=url)
    from packaging.utils import InvalidWheelFilename, parse_wheel_filename  # imports packaging.tags

    try:
        _, version, _, _ = parse_wheel_filename(unquote(urlparse(url).path.rsplit("/", 1)[-1]))
    except InvalidWheelFilename:
        return None
    return phrase("eco301.dev_wheel", version=str(version)) if version.is_devrelease else None


def _fork(package: str, url: str) -> bool:
    """A git install from a GitHub repository other than the package's own: a fork's branch
    the project needs, not a nightly of the package, and no stable release to pin instead."""
    parsed = urlparse(url.removeprefix("git+"))
    if parsed.netloc.lower().removeprefix("www.") != "github.com":
        return False
    parts = parsed.path.split("@", 1)[0].strip("/").removesuffix(".git").lower().split("/")
    return len(parts) == 2 and "/".join(parts) not in UPSTREAMS.get(package, frozenset())


def _is_dev(text: str) -> bool:
    from packaging.version import InvalidVersion, Version  # only when a rule reads dependencies

    try:
        return Version(text).is_devrelease
    except InvalidVersion:
        return False


def _pins_one_stable_release(dependency: Dependency) -> bool:
    """``==2.5.1``, or ``==2.5.1.*`` (conda's ``=2.5.1``): a nightly index or channel cannot
    turn it into a dev build of a later release."""
    from packaging.version import InvalidVersion, Version

    for spec in dependency.specifier or ():
        if spec.operator not in ("==", "==="):
            continue
        text = spec.version.removesuffix(".*")
        try:
            version = Version(text)
        except InvalidVersion:
            continue
        if not version.is_prerelease and (text == spec.version or len(version.release) >= 3):
            return True
    return False


def _nightly_url(url: str) -> bool:
    parsed = urlparse(url)
    return "nightly" in (parsed.netloc + parsed.path).lower()


def _applies(option: Option, package: str) -> bool:
    if option.kind == "index":
        if not _nightly_url(option.value):
            return False
        host = urlparse(option.value).netloc.lower()
    else:
        if "nightly" not in option.value.lower():
            return False
        host = option.value.lower()
    return package in NIGHTLY_HOSTS.get(host, PACKAGES)


def _describe(option: Option) -> Phrase:
    if option.kind == "index":
        return phrase("eco301.nightly_index", url=option.value)
    return phrase("eco301.conda_channel", channel=option.value)


def _at(option: Phrase | str, where: str) -> Phrase:
    from ecolint.analysis.dependencies import SAME_COMMAND

    if where == SAME_COMMAND:
        return phrase("eco301.in_same_command", option=option)
    return phrase("eco301.option_at", option=option, where=where)
