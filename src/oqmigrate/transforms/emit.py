"""emit: the C# every codemod writes into a job, for the Oqtane version the file's project builds against.

One place decides what a version can run: whether a job may override `ExecuteJobAsync` (4.0.3+) or must put its
work in `ExecuteJob`, which frequency codes exist ("w"/"O" from 3.0.2; before that an unknown code runs on every
one-minute pass), whether jobs have metadata at all (2.0.1+), and how an outcome reads in the job log (the
framework's jobs end each note with `<br />`, because the notes of all tenants are concatenated into one entry;
a caught failure says it failed). Codemods call these functions instead of writing the text themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

from oqmigrate.versions import Feature, Version, supports

OUTCOME_END = "<br />"


@dataclass(frozen=True)
class Frequency:
    """What to declare for a schedule on a version: the code, the interval, and a note when it had to change."""

    code: str
    interval: int
    note: str = ""


def unsupported(version: Version) -> str | None:
    """Why no job can be emitted for this version (None: jobs with metadata exist)."""
    if not supports(version, Feature.JOB_METADATA_AND_TENANT_LOOP):
        return (f"Oqtane {version} has no job metadata (Name, Frequency, Interval, IsEnabled), no automatic job row "
                f"and no tenant loop (all from {Feature.JOB_METADATA_AND_TENANT_LOOP.since}); upgrade Oqtane to "
                f"{Feature.JOB_METADATA_AND_TENANT_LOOP.since} or later, then migrate")
    return None


def can_run_async(version: Version) -> bool:
    return supports(version, Feature.EXECUTE_JOB_ASYNC)


def execute_signature(version: Version, is_async: bool) -> str:
    """The execute method's declaration (without indentation or body). Async work on a version without
    `ExecuteJobAsync` still gets the synchronous hook; the caller runs the work with `run_async_text`."""
    if is_async and can_run_async(version):
        return "public override async Task<string> ExecuteJobAsync(IServiceProvider provider)"
    return "public override string ExecuteJob(IServiceProvider provider)"


SYNC_BRIDGE_NOTE = (f"this Oqtane version has no ExecuteJobAsync (from {Feature.EXECUTE_JOB_ASYNC.since}): the async "
                    "work runs to completion inside ExecuteJob (GetAwaiter().GetResult()); upgrading Oqtane to "
                    f"{Feature.EXECUTE_JOB_ASYNC.since} or later lets it become ExecuteJobAsync")


SYNC_BRIDGE_METHOD = "RunJobAsync"


def sync_bridge_method(taken: set[str]) -> str:
    """The name of the private `async Task<string> name(IServiceProvider provider)` that holds a job's async work
    on a version without `ExecuteJobAsync`: `RunJobAsync`, or `RunJobAsync2`, … when the class already has a member
    of that name (`taken`: the member names of the class)."""
    name, n = SYNC_BRIDGE_METHOD, 1
    while name in taken:
        n += 1
        name = f"{SYNC_BRIDGE_METHOD}{n}"
    return name


def run_async_text(method: str) -> str:
    """The statement that runs an async helper `Task<string> method(IServiceProvider)` to completion inside a
    synchronous ExecuteJob: GetAwaiter().GetResult() rethrows the original exception, not an AggregateException."""
    return f"return {method}(provider).GetAwaiter().GetResult();"


def frequency(version: Version, code: str, interval: int) -> Frequency:
    """The frequency to declare on this version: weekly becomes every 7·n days before "w" exists."""
    if code == "w" and not supports(version, Feature.WEEKLY_AND_ONCE_FREQUENCIES):
        return Frequency("d", 7 * interval, f'Oqtane {version} has no weekly frequency "w" (from '
                                            f'{Feature.WEEKLY_AND_ONCE_FREQUENCIES.since}): every {7 * interval} days')
    return Frequency(code, interval)


def frequency_blocker(version: Version, code: str) -> str | None:
    """Why a schedule with this frequency code cannot be declared on this version (None: it can, perhaps in the
    form `frequency` gives it). "O" has no substitute before 3.0.2: an unknown code runs on every pass."""
    if code == "w" or has_frequency(version, code):
        return None
    if code == "O":
        return (f'Oqtane {version} has no once frequency "O" (from {Feature.WEEKLY_AND_ONCE_FREQUENCIES.since}); '
                "there an unknown frequency code runs the job on every one-minute pass: upgrade Oqtane to "
                f"{Feature.WEEKLY_AND_ONCE_FREQUENCIES.since} or later, then migrate")
    return f"{code!r} is not an Oqtane frequency code (m, H, d, w, M, O)"


def has_frequency(version: Version, code: str) -> bool:
    if code in ("w", "O"):
        return supports(version, Feature.WEEKLY_AND_ONCE_FREQUENCIES)
    return code in ("m", "H", "d", "M")


def completed(name: str) -> str:
    """The C# string literal a job returns when its run succeeded."""
    return f'"{name} completed{OUTCOME_END}"'


def failed(name: str, exception_variable: str) -> str:
    """The C# interpolated string a job returns when its run caught an exception: it says so."""
    return f'$"{name} failed: {{{exception_variable}.Message}}{OUTCOME_END}"'
