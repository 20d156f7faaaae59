# SPDX-License-Identifier: Apache-2.0
"""The ``--help`` text of the command line (its settings list comes from the settings table), and
what a mistyped command is told: imported only for ``--help`` or a usage error."""

from __future__ import annotations

_USAGE = """\
usage: krm-dynamo                      read a ResourceList on stdin, write it to stdout (KRM function)
       krm-dynamo render [options] PATH...
                                       expand plain YAML files, directories or - (stdin)
       krm-dynamo schema [--operator-version V]
                                       JSON Schema of a DynamoGraphDeployment (for editors)
       krm-dynamo explain [frontend|worker|planner|other|epp] [--backend vllm|sglang|trtllm]
                          [--operator-version V]
                                       every default the operator injects, each with its source;
                                       for a 1.x release also the catalogued changes it reproduces
       krm-dynamo explain FILE... [--service NAME] [--object KIND/NAME] [--field PATH]
                          [--function-config FILE] [--operator-version V] [--output text|json|yaml|mermaid]
                                       the rendered objects, each field with its origin
       krm-dynamo diff [--from V] [--to V] [--summary] [-U N] [--function-config FILE] PATH...
                                       what an operator upgrade changes: every object rendered
                                       under two releases, a summary line and a unified diff each
       krm-dynamo --help | --version

Expands every DynamoGraphDeployment (nvidia.com/v1alpha1) into the Deployments,
Services, Ingresses, VirtualServices, HorizontalPodAutoscalers, PersistentVolumeClaims,
and for multinode services LeaderWorkerSets with Volcano PodGroups (or one Grove
PodCliqueSet), that the Dynamo operator would create, with every default applied.
Every other object passes through unchanged.

KRM function mode (kustomize, kpt):
  The functionConfig is a ConfigMap (`kpt fn eval ... -- natsServer=nats://...`) or a
  KrmDynamoConfig (apiVersion: fn.krm-dynamo.dev/v1alpha1); a KrmDynamoConfig among the
  items is read too (kpt `configPath: dgd.yaml`, where the functionConfig is the DGD).
  The DGD stays in the output annotated config.kubernetes.io/local-config: "true".

render options:
  --function-config FILE   a KrmDynamoConfig or ConfigMap with the settings
  --keep-local-config      also print objects annotated config.kubernetes.io/local-config
                           (the DGD itself); left out by default, as kustomize build does
  --operator-version V     render as operator release V (0.6, 1.0, 1.1 or latest); wins
                           over the operatorVersion setting of the functionConfig
  --allow-empty            exit 0 with an empty stream when there is nothing to print;
                           without it, nothing to print is an error (an empty manifest set
                           would make Argo CD prune the application)

diff options (PATH as for render; the input is read once and rendered twice):
  --from V                 the release you run (default: the operatorVersion setting, else 0.6)
  --to V                   the release you upgrade to (default: latest)
  --summary                print only the summary: one line per object, "unchanged",
                           "N lines changed (+A -R)", "added in V" or "removed in V (...)"
  -U N, --context N        lines of context around each change (default 3)
  --function-config FILE   the settings, as for render (--from and --to win over its
                           operatorVersion)
  Objects are paired by API group, kind, namespace and name and compared as the YAML render
  prints; the summary comes first, then the diffs (labels a/KIND/NAME (operator V) and
  b/KIND/NAME (operator V); KIND/NAMESPACE/NAME when the objects span namespaces).
  Warnings and errors of the renders go to stderr, prefixed "operator V:" (one release
  reports it) or "operators A and B:" (both do; printed once). Exit status, as diff(1)
  and kubectl diff: 0 no object differs, 1 some object differs, 2 an error (wrong
  arguments, unreadable input, an input a release rejects).

{settings}
Editors: `krm-dynamo schema > dgd.schema.json`, then in a DGD file the modeline
  # yaml-language-server: $schema=dgd.schema.json

Exit status: 0 on success, 1 when any error was found (errors are printed on stderr
and, in function mode, returned as results); diff: 0 same, 1 different, 2 error.
"""



def text() -> str:
    """The ``--help`` text; its settings list comes from the settings table."""
    from krm_dynamo.config_doc import help_text

    return _USAGE.replace("{settings}\n", help_text() + "\n")


COMMANDS = ("render", "schema", "explain", "diff", "help")
OPTIONS = ("--help", "--version")


def did_you_mean(word: str, candidates: tuple[str, ...] | list[str], *, ignore_case: bool = False) -> str:
    """``; did you mean '--allow-empty'?`` when ``word`` (an option up to any ``=``, or a command)
    misspells one of ``candidates``, else "": the hint of every command line's unknown word."""
    from krm_dynamo.kio.display import closest

    close = closest(word.partition("=")[0], list(candidates), cutoff=0.6, ignore_case=ignore_case)
    return f"; did you mean {close!r}?" if close else ""


def unknown_command(word: str) -> str:
    """The message for a first word that is no command: the closest command or option when
    ``word`` misspells one (``rendr`` -> ``render``), ``render FILE`` when it names a file."""
    import os

    what = "option" if word.startswith("-") else "command"
    hint = did_you_mean(word, OPTIONS if word.startswith("-") else COMMANDS, ignore_case=True)
    if hint:
        return f"unknown {what} {word!r}{hint}"
    if what == "command" and os.path.lexists(word):
        return f"unknown command {word!r}; to expand a file: krm-dynamo render {word}"
    return f"unknown {what} {word!r}"
