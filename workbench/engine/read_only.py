"""The built-in set of commands that only read (ls, cat, git log, …).

Plan mode refuses every command outside the set. Default, acceptEdits and plan mode run
commands inside it without asking, but only in the sandbox: the set is judged from a
command's words, and the sandbox is what stops a reading command that turns out to write.
"""

from __future__ import annotations

from collections.abc import Sequence

from workbench.engine.shell import Subcommand

_READ_ONLY_COMMANDS = frozenset(
    {
        "ls", "dir", "vdir", "cat", "head", "tail", "wc", "pwd", "echo", "printf", "grep", "egrep",
        "fgrep", "rg", "tree", "file", "stat", "du", "df", "which", "type", "whoami", "id",
        "groups", "date", "uname", "basename", "dirname", "realpath", "readlink", "true", "false",
        "diff", "cmp", "comm", "cut", "tr", "nl", "od", "column", "fold", "expand", "unexpand",
        "paste", "rev", "tac", "strings", "sort", "uniq", "seq", "sleep", "test", "[", "cd",
        "pushd", "popd", "jq", "md5sum", "sha1sum", "sha256sum", "sha512sum", "b2sum", "cksum",
        "printenv", "nproc", "free", "uptime", "locale", "ps", "find", "fd", "git", "command",
    }
)  # fmt: skip
_FORBIDDEN_OPTIONS: dict[str, tuple[str, ...]] = {
    "rg": ("--pre",),
    "fd": ("-x", "--exec", "-X", "--exec-batch"),
    "sort": ("-o", "--output", "--compress-program"),
    "tree": ("-o",),
    "file": ("-C", "--compile"),
    "date": ("-s", "--set"),
}
_FIND_ACTIONS = frozenset(
    {"-exec", "-execdir", "-ok", "-okdir", "-delete", "-fprint", "-fprint0", "-fprintf", "-fls"}
)
_GIT_READING = frozenset(
    {
        "status", "log", "diff", "show", "shortlog", "describe", "rev-parse", "ls-files",
        "ls-tree", "blame", "grep", "cat-file", "rev-list", "whatchanged", "merge-base",
        "show-ref", "for-each-ref", "count-objects", "check-ignore", "version", "name-rev",
        "show-branch",
    }
)  # fmt: skip
_GIT_GLOBAL_WITH_ARGUMENT = frozenset({"-C", "--git-dir", "--work-tree", "--namespace"})
_GIT_GLOBAL_FLAGS = frozenset(
    {"--no-pager", "-P", "--no-optional-locks", "--literal-pathspecs", "--no-replace-objects"}
)
_GIT_BRANCH_WRITES = (
    "-d", "-D", "--delete", "-m", "-M", "--move", "-c", "-C", "--copy", "-f", "--force",
    "-u", "--set-upstream-to", "--unset-upstream", "--edit-description", "-t", "--track",
    "--no-track",
)  # fmt: skip
_GIT_TAG_WRITES = (
    "-d", "--delete", "-a", "--annotate", "-s", "--sign", "-f", "--force", "-m",
    "--message", "-F", "--file", "-u", "--local-user",
)  # fmt: skip


def is_read_only(sub: Subcommand) -> bool:
    """Whether a subcommand is in the built-in set that only reads (ls, cat, git log, …).

    Environment assignments, output redirected to a file and programs named by a path
    take a command out of the set: any of them can make a reading command write.
    """
    if sub.assignments or sub.writes_file or not sub.program_words:
        return False
    name, *args = sub.program_words
    if name not in _READ_ONLY_COMMANDS:
        return False
    if name == "git":
        return _git_reads(args)
    if name == "find":
        return not any(arg in _FIND_ACTIONS for arg in args)
    if name == "command":
        return args[:1] in (["-v"], ["-V"])
    if name == "uniq":
        return len([arg for arg in args if not arg.startswith("-")]) <= 1
    return not any(_has_option(arg, _FORBIDDEN_OPTIONS.get(name, ())) for arg in args)


def _has_option(arg: str, options: Sequence[str]) -> bool:
    for option in options:
        if option.startswith("--"):
            if arg == option or arg.startswith(option + "="):
                return True
        elif arg.startswith("-") and not arg.startswith("--") and option[1] in arg[1:]:
            return True
    return False


def _git_reads(args: list[str]) -> bool:
    index = 0
    while index < len(args) and args[index].startswith("-"):
        option = args[index]
        if option in _GIT_GLOBAL_WITH_ARGUMENT:
            index += 2
        elif option in _GIT_GLOBAL_FLAGS or option.startswith(("--git-dir=", "--work-tree=")):
            index += 1
        else:
            return False  # -c and --config-env can name a program to run
    if index >= len(args):
        return False
    command, rest = args[index], args[index + 1 :]
    if any(_has_option(arg, ("--output",)) for arg in rest):
        return False
    positional = [arg for arg in rest if not arg.startswith("-")]
    match command:
        case "grep":
            return not any(_has_option(arg, ("-O", "--open-files-in-pager")) for arg in rest)
        case _ if command in _GIT_READING:
            return True
        case "branch":
            if any(_has_option(arg, _GIT_BRANCH_WRITES) for arg in rest):
                return False
            return not positional or any(arg in ("-l", "--list") for arg in rest)
        case "tag":
            if any(_has_option(arg, _GIT_TAG_WRITES) for arg in rest):
                return False
            return not rest or any(arg in ("-l", "--list") for arg in rest)
        case "remote":
            return all(arg in ("-v", "--verbose") for arg in rest) or rest[:1] == ["get-url"]
        case "stash":
            return rest[:1] in (["list"], ["show"])
        case "reflog":
            return not positional or positional[0] in ("show", "exists")
        case "config":
            return rest[:1] in (["--get"], ["--get-all"], ["--get-regexp"], ["--list"], ["-l"])
    return False
