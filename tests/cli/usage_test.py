"""The monsim command line without interpreters: every subcommand's --help exits 0,
mentions each of its options (read from cli/*.cpp, so a new option is covered) and
ends with the exit-status footer; unknown options and bad numbers exit 2 with a
message naming the option; the exit status of each subcommand on clean, failing
and unusable input.
usage: usage_test.py MONSIM SOURCE_ROOT"""
import os
import re
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from pycases import Cases, Monsim  # noqa: E402

MONSIM, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
cases = Cases("CliUsage")
DISPATCH = os.path.join(ROOT, "spec", "scenarios", "dispatch-order")
PROGRAM = os.path.join(DISPATCH, "callable-read-at-each-turn.yaml")
SCRIPT = os.path.join(ROOT, "spec", "scenarios", "disable",
                      "line-quirk-multi-tool-transition.yaml")
FIXTURE = os.path.join(ROOT, "tests", "reports", "fixtures", "small.jsonl")
BAD = os.path.join(ROOT, "tests", "scenario", "bad", "bad-api-name.yaml")


monsim = Monsim(cases, MONSIM, ROOT, timeout=120)
run, expect = monsim.run, monsim.expect


def options_from_source():
    """{'check': ['--python', …], 'report diff': […]}: each subcommand's options
    and positionals as cli/*.cpp declares them."""
    found = {}
    cli = os.path.join(ROOT, "cli")
    # Options several subcommands share: `void addX(CLI::App* c, …) { c->add_option(… }`
    # in options.cpp, called as addX(cmd, …).
    shared = {}
    options_text = open(os.path.join(cli, "options.cpp")).read()
    for fn, var, body in re.findall(
            r"void (\w+)\(CLI::App\* (\w+)[^)]*\) \{(.*?)\n\}", options_text, re.S):
        shared[fn] = [n for v, names in re.findall(
            r"(\w+)->add_(?:option|flag)\(\s*\"([^\"]+)\"", body) if v == var
            for n in names.split(",")]
    for name in sorted(os.listdir(cli)):
        if not name.endswith(".cpp") or name == "options.cpp":
            continue
        text = open(os.path.join(cli, name)).read()
        commands = {"app": ""}
        for var, parent, sub in re.findall(
                r"auto\*\s*(\w+)\s*=\s*(\w+)(?:\.|->)add_subcommand\(\s*\"([^\"]+)\"", text):
            commands[var] = (commands.get(parent, "") + " " + sub).strip()
            found.setdefault(commands[var], [])
        for var, names in re.findall(r"(\w+)->add_(?:option|flag)\(\s*\"([^\"]+)\"", text):
            found[commands[var]] += names.split(",")
        for fn, var in re.findall(r"\b(\w+)\((\w+),", text):
            if fn in shared and var in commands:
                found[commands[var]] += shared[fn]
    return found


def help_texts():
    options = options_from_source()
    cases.case("the subcommands are read from cli/*.cpp")
    cases.check(len(options) >= 10, f"only {sorted(options)} found in cli/*.cpp")
    cases.case("monsim --help: exit 0, every subcommand, the exit-status contract")
    _, out, _ = expect(["--help"], 0)
    for sub in options:
        if " " not in sub:
            cases.check(re.search(rf"^\s+{re.escape(sub)}\s", out, re.M),
                        f"--help does not list {sub}")
    for code in ("0", "1", "2", "130"):
        cases.check(re.search(rf"^\s+{code}\s+\w", out, re.M),
                    f"--help footer does not explain exit status {code}")
    cases.case("monsim without a subcommand prints the help and exits 0")
    expect([], 0, out=["Subcommands:", "Exit status"])
    cases.case("monsim --version exits 0")
    expect(["--version"], 0, out=["monsim "])
    for sub, opts in sorted(options.items()):
        cases.case(f"monsim {sub} --help: exit 0, each option, the exit-status footer")
        _, out, _ = expect(sub.split() + ["--help"], 0)
        for o in opts:
            cases.check(re.search(rf"(^|[\s,]){re.escape(o)}\b", out, re.M),
                        f"{sub} --help does not mention {o}")
        for code in ("0", "2", "130"):
            cases.check(re.search(rf"^\s+{code}\s+\w", out, re.M),
                        f"{sub} --help footer does not explain exit status {code}")
    return options


# Subcommand → arguments that satisfy its required positionals.
NEEDS = {"record": [PROGRAM], "run": [PROGRAM], "export-py": [PROGRAM],
         "lint": [DISPATCH], "report diff": [FIXTURE, FIXTURE],
         "diff": ["--python", "a", "--python", "b"], "fuzz merge": [".", "-o", "x"]}

# (subcommand, option, bad values): each must exit 2 naming the option.
BAD_NUMBERS = [
    ("check", "--jobs", ["0", "-1", "65", "abc", "1.5"]),
    ("check", "-j", ["0"]),
    ("check", "--timeout", ["0", "-1", "abc", "1e9"]),
    ("record", "--timeout", ["0", "-1", "abc"]),
    ("fuzz", "--seconds", ["0", "-5", "abc"]),
    ("fuzz", "--count", ["0", "-1", "abc", "2.5"]),
    ("fuzz", "--jobs", ["0", "65", "abc"]),
    ("fuzz", "--seed", ["xyz", "-5", "0x", "99999999999999999999999"]),
    ("fuzz", "--shrink-budget", ["0", "-1", "abc"]),
    ("fuzz", "--trace-limit", ["0", "-1", "abc"]),
    ("fuzz", "--max-records", ["0", "-1", "abc"]),
    ("fuzz", "--timeout", ["0", "-1"]),
    ("fuzz", "--shard", ["1/1", "-1/2", "2", "a/b", "1/2/3"]),
    ("run", "--version", ["3.99", "2.7", "abc"]),
    ("diff", "--timeout", ["0", "-1", "abc"]),
    ("mutants", "--jobs", ["0", "65", "abc"]),
]


def usage_errors(options):
    for sub in sorted(options):
        cases.case(f"monsim {sub} --no-such-option: exit 2, names the option")
        expect(sub.split() + NEEDS.get(sub, []) + ["--no-such-option"], 2,
               err=["--no-such-option", f"monsim {sub}"])
    cases.case("an unknown subcommand exits 2 and names it")
    expect(["no-such-subcommand"], 2, err=["no-such-subcommand"])
    for sub in ("record", "run", "export-py", "lint", "report diff", "diff", "fuzz merge"):
        cases.case(f"monsim {sub} without its required arguments: exit 2")
        expect(sub.split(), 2, err=["required"])
    for sub, opt, values in BAD_NUMBERS:
        cases.case(f"monsim {sub} {opt} with bad values: exit 2 naming {opt}")
        for v in values:
            # Nothing may run: a bad value stops the parse, before any interpreter starts.
            _, out, _ = expect(sub.split() + NEEDS.get(sub, []) + [opt, v], 2,
                               err=[opt, v], timeout=30)
            cases.check("passed" not in out, f"{sub} {opt} {v}: something ran: {out}")


def exit_statuses(tmp):
    dup = os.path.join(tmp, "dup")
    os.makedirs(dup)
    for name in ("a.yaml", "b.yaml"):
        shutil.copy(PROGRAM, os.path.join(dup, name))
    table = [
        ("selfcheck: consistent tables exit 0", ["selfcheck"], 0, ["selfcheck: ok"], []),
        ("lint: a folder that loads exits 0", ["lint", DISPATCH], 0, ["0 problem(s)"], []),
        ("lint: a bad scenario exits 1", ["lint", "--files", BAD], 1, ["1 problem(s)"], []),
        ("lint: a scenario id used twice exits 1", ["lint", dup], 1,
         ["b.yaml:2:1: error: scenario id 'callable-read-at-each-turn' is also used by"],
         []),
        ("lint: no scenario file exits 2", ["lint", "/nonexistent"], 2, [],
         ["no scenario files found"]),
        ("run: a script scenario on the model exits 0", ["run", SCRIPT], 0, ["tool "], []),
        ("run: a program scenario without --trace exits 2", ["run", PROGRAM], 2, [],
         ["needs a recorded raw stream"]),
        ("export-py: a program scenario exits 0",
         ["export-py", PROGRAM, "-o", os.path.join(tmp, "repro.py")], 0, [], []),
        ("export-py: a script scenario exits 2", ["export-py", SCRIPT], 2, [],
         ["no program to export"]),
        ("report: no results stream exits 2", ["report"], 2, [], ["give one or more"]),
        ("report: an unreadable results stream exits 2",
         ["report", "/nonexistent.jsonl", "-o", tmp], 2, [], ["cannot read"]),
        ("report: the fixture renders and exits 0",
         ["report", FIXTURE, "-o", os.path.join(tmp, "report")], 0, ["report: "], []),
        ("report: an unknown format exits 2", ["report", FIXTURE, "--only", "pdf"], 2, [],
         ["unknown format"]),
        ("report diff: the same stream twice exits 0", ["report", "diff", FIXTURE, FIXTURE],
         0, [], []),
        ("coverage: the suite's report exits 0",
         ["coverage", "-o", os.path.join(tmp, "COVERAGE.md")], 0, [], []),
        ("coverage: an unwritable output exits 2",
         ["coverage", "-o", "/nonexistent/dir/COVERAGE.md"], 2, [], ["cannot write"]),
        ("check: a folder without scenarios exits 2 (nothing to check)",
         ["check", os.path.join(tmp, "empty")], 2, [], ["monsim check: no "]),
        ("fuzz: a bad replay token exits 2 before looking for interpreters",
         ["fuzz", "--replay", "not-a-token"], 2, [], ["not a replay token"]),
        ("mutants --list exits 0 and names each mutant with its rule",
         ["mutants", "--list"], 0, ["LocalIgnored\tunion-fire-once\t"], []),
        ("mutants in a build without them exits 2 and says which build has them",
         ["mutants", "--recordings", "/nonexistent"], 2, [], ["-Dmutants=true"]),
        ("check --mutant in a build without mutants exits 2 before checking anything",
         ["check", DISPATCH, "--mutant", "LocalIgnored"], 2, [], ["-Dmutants=true"]),
        ("fuzz --versus with one interpreter exits 2 and says it needs two",
         ["fuzz", "--versus", "--python", "3.13", "--count", "1"], 2, [],
         ["name exactly two interpreters"]),
        ("fuzz --versus with --capi is refused by the parser",
         ["fuzz", "--versus", "--capi"], 2, [], ["--capi"]),
    ]
    for name, args, status, out, err in table:
        cases.case(name)
        expect(args, status, out, err, timeout=300)


def main():
    options = help_texts()
    usage_errors(options)
    with tempfile.TemporaryDirectory() as tmp:
        os.mkdir(os.path.join(tmp, "empty"))
        exit_statuses(tmp)
    cases.finish()


main()
