# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_soc2_global_optspecs
    string join \n h/help V/version
end

function __fish_soc2_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_soc2_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_soc2_using_subcommand
    set -l cmd (__fish_soc2_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c soc2 -n "__fish_soc2_needs_command" -s h -l help -d 'Print help'
complete -c soc2 -n "__fish_soc2_needs_command" -s V -l version -d 'Print version'
complete -c soc2 -n "__fish_soc2_needs_command" -f -a "check" -d 'Evaluate every control against one or more repositories'
complete -c soc2 -n "__fish_soc2_needs_command" -f -a "rules" -d 'Inspect the rule catalog'
complete -c soc2 -n "__fish_soc2_needs_command" -f -a "facts" -d 'Collect facts and print them as JSON, without evaluating rules'
complete -c soc2 -n "__fish_soc2_needs_command" -f -a "init" -d 'Write a commented starter soc2.toml documenting every key and its default'
complete -c soc2 -n "__fish_soc2_needs_command" -f -a "schema" -d 'Print a JSON Schema, for editors'
complete -c soc2 -n "__fish_soc2_needs_command" -f -a "evidence" -d 'Evidence bundles for auditors: collect one, make a signing key, verify one'
complete -c soc2 -n "__fish_soc2_needs_command" -f -a "ledger" -d 'The hash-chained trail of runs written by `check --ledger`'
complete -c soc2 -n "__fish_soc2_needs_command" -f -a "report" -d 'Operating-effectiveness report over a period, from a ledger (Type II)'
complete -c soc2 -n "__fish_soc2_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c soc2 -n "__fish_soc2_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c soc2 -n "__fish_soc2_using_subcommand check" -s c -l config -d 'The configuration file (default: ./soc2.toml when present)' -r -F
complete -c soc2 -n "__fish_soc2_using_subcommand check" -l rules -d 'Load extra rules from this directory (repeatable)' -r -F
complete -c soc2 -n "__fish_soc2_using_subcommand check" -l select -d 'Only run these rules: ids, names or id prefixes such as CC6 (comma-separated)' -r
complete -c soc2 -n "__fish_soc2_using_subcommand check" -l ignore -d 'Skip these rules: ids, names or id prefixes (comma-separated)' -r
complete -c soc2 -n "__fish_soc2_using_subcommand check" -s f -l format -d 'Format written to standard output' -r -f -a "table\t'Human-readable findings with code frames and a summary table'
json\t'Every evaluation, machine-readable, with a `schema_version`'
sarif\t'SARIF 2.1.0 for GitHub code scanning and other SARIF consumers'
junit\t'JUnit XML for GitLab, Jenkins and test-report actions'
markdown\t'The auditor\'s report in Markdown, grouped by criterion'
html\t'The auditor\'s report as one self-contained HTML file'"
complete -c soc2 -n "__fish_soc2_using_subcommand check" -s o -l output -d 'Also write FORMAT to PATH (repeatable), e.g. `-o sarif=soc2.sarif`' -r
complete -c soc2 -n "__fish_soc2_using_subcommand check" -l fail-on -d 'Fail the run on failing controls of this severity or higher' -r -f -a "info\t'Informational'
low\t'Low'
medium\t'Medium'
high\t'High'
critical\t'Critical'"
complete -c soc2 -n "__fish_soc2_using_subcommand check" -l facts -d 'Evaluate a facts dump (from `soc2 facts`) instead of collecting facts; `-` reads standard input' -r -F
complete -c soc2 -n "__fish_soc2_using_subcommand check" -l evidence -d 'Write an evidence bundle into DIR: facts, evaluations, SARIF, reports, effective configuration, rule set, run metadata and a manifest of SHA-256 hashes' -r -F
complete -c soc2 -n "__fish_soc2_using_subcommand check" -l sign-key -d 'Sign the bundle\'s manifest with this Ed25519 secret key (from `soc2 evidence keygen`)' -r -F
complete -c soc2 -n "__fish_soc2_using_subcommand check" -l ledger -d 'Append a hash-chained record of this run to a JSON Lines ledger (created when missing)' -r -F
complete -c soc2 -n "__fish_soc2_using_subcommand check" -l github -d 'A GitHub repository to audit through the API (repeatable). Token: GITHUB_TOKEN or GH_TOKEN' -r
complete -c soc2 -n "__fish_soc2_using_subcommand check" -l github-org -d 'Audit every non-archived repository of a GitHub organization (repeatable)' -r
complete -c soc2 -n "__fish_soc2_using_subcommand check" -l gitlab -d 'A GitLab project to audit through the API (repeatable). Token: GITLAB_TOKEN' -r
complete -c soc2 -n "__fish_soc2_using_subcommand check" -l gitlab-group -d 'Audit every non-archived project of a GitLab group and its subgroups (repeatable)' -r
complete -c soc2 -n "__fish_soc2_using_subcommand check" -l include -d 'Only organization repositories or group projects whose name or path matches this glob (repeatable)' -r
complete -c soc2 -n "__fish_soc2_using_subcommand check" -l exclude -d 'Skip organization repositories or group projects whose name or path matches this glob (repeatable)' -r
complete -c soc2 -n "__fish_soc2_using_subcommand check" -l github-url -d 'GitHub API URL, for GitHub Enterprise Server (`https://ghe.example/api/v3`)' -r
complete -c soc2 -n "__fish_soc2_using_subcommand check" -l gitlab-url -d 'GitLab instance URL, for self-managed GitLab (`https://gitlab.example.com`); inside GitLab CI, `CI_SERVER_URL` [default: https://gitlab.com]' -r
complete -c soc2 -n "__fish_soc2_using_subcommand check" -l concurrency -d 'API requests in flight at most, per platform [default: 8]' -r
complete -c soc2 -n "__fish_soc2_using_subcommand check" -l max-wait -d 'Longest total wait for GitHub or GitLab rate limits, in seconds; beyond it the evidence is unknown [default: 60]' -r
complete -c soc2 -n "__fish_soc2_using_subcommand check" -l cache-dir -d 'Directory of the HTTP cache (ETag revalidation) [default: the user cache directory]' -r -F
complete -c soc2 -n "__fish_soc2_using_subcommand check" -l strict -d 'Treat unknown outcomes (missing evidence) as failing the run (exit code 3)'
complete -c soc2 -n "__fish_soc2_using_subcommand check" -l no-cache -d 'Do not read or write the HTTP cache'
complete -c soc2 -n "__fish_soc2_using_subcommand check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c soc2 -n "__fish_soc2_using_subcommand check" -s V -l version -d 'Print version'
complete -c soc2 -n "__fish_soc2_using_subcommand rules; and not __fish_seen_subcommand_from list explain help" -s h -l help -d 'Print help'
complete -c soc2 -n "__fish_soc2_using_subcommand rules; and not __fish_seen_subcommand_from list explain help" -s V -l version -d 'Print version'
complete -c soc2 -n "__fish_soc2_using_subcommand rules; and not __fish_seen_subcommand_from list explain help" -f -a "list" -d 'List every rule: id, severity, criteria, scope and title'
complete -c soc2 -n "__fish_soc2_using_subcommand rules; and not __fish_seen_subcommand_from list explain help" -f -a "explain" -d 'Show one rule\'s full documentation and conditions'
complete -c soc2 -n "__fish_soc2_using_subcommand rules; and not __fish_seen_subcommand_from list explain help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c soc2 -n "__fish_soc2_using_subcommand rules; and __fish_seen_subcommand_from list" -l rules -d 'Load extra rules from this directory (repeatable)' -r -F
complete -c soc2 -n "__fish_soc2_using_subcommand rules; and __fish_seen_subcommand_from list" -l select -d 'Only run these rules: ids, names or id prefixes such as CC6 (comma-separated)' -r
complete -c soc2 -n "__fish_soc2_using_subcommand rules; and __fish_seen_subcommand_from list" -l ignore -d 'Skip these rules: ids, names or id prefixes (comma-separated)' -r
complete -c soc2 -n "__fish_soc2_using_subcommand rules; and __fish_seen_subcommand_from list" -s f -l format -d '`table`, `json` or `markdown` (the catalog in `rules/README.md`)' -r -f -a "table\t''
json\t''
markdown\t''"
complete -c soc2 -n "__fish_soc2_using_subcommand rules; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c soc2 -n "__fish_soc2_using_subcommand rules; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c soc2 -n "__fish_soc2_using_subcommand rules; and __fish_seen_subcommand_from explain" -l rules -d 'Extra rule directories' -r -F
complete -c soc2 -n "__fish_soc2_using_subcommand rules; and __fish_seen_subcommand_from explain" -s h -l help -d 'Print help'
complete -c soc2 -n "__fish_soc2_using_subcommand rules; and __fish_seen_subcommand_from explain" -s V -l version -d 'Print version'
complete -c soc2 -n "__fish_soc2_using_subcommand rules; and __fish_seen_subcommand_from help" -f -a "list" -d 'List every rule: id, severity, criteria, scope and title'
complete -c soc2 -n "__fish_soc2_using_subcommand rules; and __fish_seen_subcommand_from help" -f -a "explain" -d 'Show one rule\'s full documentation and conditions'
complete -c soc2 -n "__fish_soc2_using_subcommand rules; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c soc2 -n "__fish_soc2_using_subcommand facts" -s c -l config -d 'The configuration file (default: ./soc2.toml when present)' -r -F
complete -c soc2 -n "__fish_soc2_using_subcommand facts" -s o -l output -d 'Write the JSON to this file instead of standard output' -r -F
complete -c soc2 -n "__fish_soc2_using_subcommand facts" -l github -d 'A GitHub repository to audit through the API (repeatable). Token: GITHUB_TOKEN or GH_TOKEN' -r
complete -c soc2 -n "__fish_soc2_using_subcommand facts" -l github-org -d 'Audit every non-archived repository of a GitHub organization (repeatable)' -r
complete -c soc2 -n "__fish_soc2_using_subcommand facts" -l gitlab -d 'A GitLab project to audit through the API (repeatable). Token: GITLAB_TOKEN' -r
complete -c soc2 -n "__fish_soc2_using_subcommand facts" -l gitlab-group -d 'Audit every non-archived project of a GitLab group and its subgroups (repeatable)' -r
complete -c soc2 -n "__fish_soc2_using_subcommand facts" -l include -d 'Only organization repositories or group projects whose name or path matches this glob (repeatable)' -r
complete -c soc2 -n "__fish_soc2_using_subcommand facts" -l exclude -d 'Skip organization repositories or group projects whose name or path matches this glob (repeatable)' -r
complete -c soc2 -n "__fish_soc2_using_subcommand facts" -l github-url -d 'GitHub API URL, for GitHub Enterprise Server (`https://ghe.example/api/v3`)' -r
complete -c soc2 -n "__fish_soc2_using_subcommand facts" -l gitlab-url -d 'GitLab instance URL, for self-managed GitLab (`https://gitlab.example.com`); inside GitLab CI, `CI_SERVER_URL` [default: https://gitlab.com]' -r
complete -c soc2 -n "__fish_soc2_using_subcommand facts" -l concurrency -d 'API requests in flight at most, per platform [default: 8]' -r
complete -c soc2 -n "__fish_soc2_using_subcommand facts" -l max-wait -d 'Longest total wait for GitHub or GitLab rate limits, in seconds; beyond it the evidence is unknown [default: 60]' -r
complete -c soc2 -n "__fish_soc2_using_subcommand facts" -l cache-dir -d 'Directory of the HTTP cache (ETag revalidation) [default: the user cache directory]' -r -F
complete -c soc2 -n "__fish_soc2_using_subcommand facts" -l no-cache -d 'Do not read or write the HTTP cache'
complete -c soc2 -n "__fish_soc2_using_subcommand facts" -s h -l help -d 'Print help'
complete -c soc2 -n "__fish_soc2_using_subcommand facts" -s V -l version -d 'Print version'
complete -c soc2 -n "__fish_soc2_using_subcommand init" -l force -d 'Overwrite an existing file'
complete -c soc2 -n "__fish_soc2_using_subcommand init" -s h -l help -d 'Print help'
complete -c soc2 -n "__fish_soc2_using_subcommand init" -s V -l version -d 'Print version'
complete -c soc2 -n "__fish_soc2_using_subcommand schema" -s h -l help -d 'Print help'
complete -c soc2 -n "__fish_soc2_using_subcommand schema" -s V -l version -d 'Print version'
complete -c soc2 -n "__fish_soc2_using_subcommand evidence; and not __fish_seen_subcommand_from collect keygen verify help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c soc2 -n "__fish_soc2_using_subcommand evidence; and not __fish_seen_subcommand_from collect keygen verify help" -s V -l version -d 'Print version'
complete -c soc2 -n "__fish_soc2_using_subcommand evidence; and not __fish_seen_subcommand_from collect keygen verify help" -f -a "collect" -d 'Like `check --evidence DIR`, but exits 0 whatever the outcomes once the bundle is written'
complete -c soc2 -n "__fish_soc2_using_subcommand evidence; and not __fish_seen_subcommand_from collect keygen verify help" -f -a "keygen" -d 'Generate an Ed25519 key pair: FILE (secret, mode 0600) and FILE.pub (public)'
complete -c soc2 -n "__fish_soc2_using_subcommand evidence; and not __fish_seen_subcommand_from collect keygen verify help" -f -a "verify" -d 'Check every hash of a bundle\'s manifest and its signature; list each difference'
complete -c soc2 -n "__fish_soc2_using_subcommand evidence; and not __fish_seen_subcommand_from collect keygen verify help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c soc2 -n "__fish_soc2_using_subcommand evidence; and __fish_seen_subcommand_from collect" -s c -l config -d 'The configuration file (default: ./soc2.toml when present)' -r -F
complete -c soc2 -n "__fish_soc2_using_subcommand evidence; and __fish_seen_subcommand_from collect" -l rules -d 'Load extra rules from this directory (repeatable)' -r -F
complete -c soc2 -n "__fish_soc2_using_subcommand evidence; and __fish_seen_subcommand_from collect" -l select -d 'Only run these rules: ids, names or id prefixes such as CC6 (comma-separated)' -r
complete -c soc2 -n "__fish_soc2_using_subcommand evidence; and __fish_seen_subcommand_from collect" -l ignore -d 'Skip these rules: ids, names or id prefixes (comma-separated)' -r
complete -c soc2 -n "__fish_soc2_using_subcommand evidence; and __fish_seen_subcommand_from collect" -s f -l format -d 'Format written to standard output' -r -f -a "table\t'Human-readable findings with code frames and a summary table'
json\t'Every evaluation, machine-readable, with a `schema_version`'
sarif\t'SARIF 2.1.0 for GitHub code scanning and other SARIF consumers'
junit\t'JUnit XML for GitLab, Jenkins and test-report actions'
markdown\t'The auditor\'s report in Markdown, grouped by criterion'
html\t'The auditor\'s report as one self-contained HTML file'"
complete -c soc2 -n "__fish_soc2_using_subcommand evidence; and __fish_seen_subcommand_from collect" -s o -l output -d 'Also write FORMAT to PATH (repeatable), e.g. `-o sarif=soc2.sarif`' -r
complete -c soc2 -n "__fish_soc2_using_subcommand evidence; and __fish_seen_subcommand_from collect" -l fail-on -d 'Fail the run on failing controls of this severity or higher' -r -f -a "info\t'Informational'
low\t'Low'
medium\t'Medium'
high\t'High'
critical\t'Critical'"
complete -c soc2 -n "__fish_soc2_using_subcommand evidence; and __fish_seen_subcommand_from collect" -l facts -d 'Evaluate a facts dump (from `soc2 facts`) instead of collecting facts; `-` reads standard input' -r -F
complete -c soc2 -n "__fish_soc2_using_subcommand evidence; and __fish_seen_subcommand_from collect" -l evidence -d 'Write an evidence bundle into DIR: facts, evaluations, SARIF, reports, effective configuration, rule set, run metadata and a manifest of SHA-256 hashes' -r -F
complete -c soc2 -n "__fish_soc2_using_subcommand evidence; and __fish_seen_subcommand_from collect" -l sign-key -d 'Sign the bundle\'s manifest with this Ed25519 secret key (from `soc2 evidence keygen`)' -r -F
complete -c soc2 -n "__fish_soc2_using_subcommand evidence; and __fish_seen_subcommand_from collect" -l ledger -d 'Append a hash-chained record of this run to a JSON Lines ledger (created when missing)' -r -F
complete -c soc2 -n "__fish_soc2_using_subcommand evidence; and __fish_seen_subcommand_from collect" -l github -d 'A GitHub repository to audit through the API (repeatable). Token: GITHUB_TOKEN or GH_TOKEN' -r
complete -c soc2 -n "__fish_soc2_using_subcommand evidence; and __fish_seen_subcommand_from collect" -l github-org -d 'Audit every non-archived repository of a GitHub organization (repeatable)' -r
complete -c soc2 -n "__fish_soc2_using_subcommand evidence; and __fish_seen_subcommand_from collect" -l gitlab -d 'A GitLab project to audit through the API (repeatable). Token: GITLAB_TOKEN' -r
complete -c soc2 -n "__fish_soc2_using_subcommand evidence; and __fish_seen_subcommand_from collect" -l gitlab-group -d 'Audit every non-archived project of a GitLab group and its subgroups (repeatable)' -r
complete -c soc2 -n "__fish_soc2_using_subcommand evidence; and __fish_seen_subcommand_from collect" -l include -d 'Only organization repositories or group projects whose name or path matches this glob (repeatable)' -r
complete -c soc2 -n "__fish_soc2_using_subcommand evidence; and __fish_seen_subcommand_from collect" -l exclude -d 'Skip organization repositories or group projects whose name or path matches this glob (repeatable)' -r
complete -c soc2 -n "__fish_soc2_using_subcommand evidence; and __fish_seen_subcommand_from collect" -l github-url -d 'GitHub API URL, for GitHub Enterprise Server (`https://ghe.example/api/v3`)' -r
complete -c soc2 -n "__fish_soc2_using_subcommand evidence; and __fish_seen_subcommand_from collect" -l gitlab-url -d 'GitLab instance URL, for self-managed GitLab (`https://gitlab.example.com`); inside GitLab CI, `CI_SERVER_URL` [default: https://gitlab.com]' -r
complete -c soc2 -n "__fish_soc2_using_subcommand evidence; and __fish_seen_subcommand_from collect" -l concurrency -d 'API requests in flight at most, per platform [default: 8]' -r
complete -c soc2 -n "__fish_soc2_using_subcommand evidence; and __fish_seen_subcommand_from collect" -l max-wait -d 'Longest total wait for GitHub or GitLab rate limits, in seconds; beyond it the evidence is unknown [default: 60]' -r
complete -c soc2 -n "__fish_soc2_using_subcommand evidence; and __fish_seen_subcommand_from collect" -l cache-dir -d 'Directory of the HTTP cache (ETag revalidation) [default: the user cache directory]' -r -F
complete -c soc2 -n "__fish_soc2_using_subcommand evidence; and __fish_seen_subcommand_from collect" -l strict -d 'Treat unknown outcomes (missing evidence) as failing the run (exit code 3)'
complete -c soc2 -n "__fish_soc2_using_subcommand evidence; and __fish_seen_subcommand_from collect" -l no-cache -d 'Do not read or write the HTTP cache'
complete -c soc2 -n "__fish_soc2_using_subcommand evidence; and __fish_seen_subcommand_from collect" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c soc2 -n "__fish_soc2_using_subcommand evidence; and __fish_seen_subcommand_from collect" -s V -l version -d 'Print version'
complete -c soc2 -n "__fish_soc2_using_subcommand evidence; and __fish_seen_subcommand_from keygen" -l force -d 'Overwrite existing key files'
complete -c soc2 -n "__fish_soc2_using_subcommand evidence; and __fish_seen_subcommand_from keygen" -s h -l help -d 'Print help'
complete -c soc2 -n "__fish_soc2_using_subcommand evidence; and __fish_seen_subcommand_from keygen" -s V -l version -d 'Print version'
complete -c soc2 -n "__fish_soc2_using_subcommand evidence; and __fish_seen_subcommand_from verify" -l public-key -d 'Require a signature by this public key (FILE.pub from `evidence keygen`)' -r -F
complete -c soc2 -n "__fish_soc2_using_subcommand evidence; and __fish_seen_subcommand_from verify" -l ledger -d 'Also require the bundle\'s manifest digest to be recorded in this ledger (which must verify): a manifest rewritten after the run is then detected even without a signature' -r -F
complete -c soc2 -n "__fish_soc2_using_subcommand evidence; and __fish_seen_subcommand_from verify" -s h -l help -d 'Print help'
complete -c soc2 -n "__fish_soc2_using_subcommand evidence; and __fish_seen_subcommand_from verify" -s V -l version -d 'Print version'
complete -c soc2 -n "__fish_soc2_using_subcommand evidence; and __fish_seen_subcommand_from help" -f -a "collect" -d 'Like `check --evidence DIR`, but exits 0 whatever the outcomes once the bundle is written'
complete -c soc2 -n "__fish_soc2_using_subcommand evidence; and __fish_seen_subcommand_from help" -f -a "keygen" -d 'Generate an Ed25519 key pair: FILE (secret, mode 0600) and FILE.pub (public)'
complete -c soc2 -n "__fish_soc2_using_subcommand evidence; and __fish_seen_subcommand_from help" -f -a "verify" -d 'Check every hash of a bundle\'s manifest and its signature; list each difference'
complete -c soc2 -n "__fish_soc2_using_subcommand evidence; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c soc2 -n "__fish_soc2_using_subcommand ledger; and not __fish_seen_subcommand_from verify help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c soc2 -n "__fish_soc2_using_subcommand ledger; and not __fish_seen_subcommand_from verify help" -s V -l version -d 'Print version'
complete -c soc2 -n "__fish_soc2_using_subcommand ledger; and not __fish_seen_subcommand_from verify help" -f -a "verify" -d 'Check the hash chain; name the first edited, removed or reordered record'
complete -c soc2 -n "__fish_soc2_using_subcommand ledger; and not __fish_seen_subcommand_from verify help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c soc2 -n "__fish_soc2_using_subcommand ledger; and __fish_seen_subcommand_from verify" -s h -l help -d 'Print help'
complete -c soc2 -n "__fish_soc2_using_subcommand ledger; and __fish_seen_subcommand_from verify" -s V -l version -d 'Print version'
complete -c soc2 -n "__fish_soc2_using_subcommand ledger; and __fish_seen_subcommand_from help" -f -a "verify" -d 'Check the hash chain; name the first edited, removed or reordered record'
complete -c soc2 -n "__fish_soc2_using_subcommand ledger; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c soc2 -n "__fish_soc2_using_subcommand report" -l ledger -d 'The ledger written by `check --ledger`' -r -F
complete -c soc2 -n "__fish_soc2_using_subcommand report" -l since -d 'First day of the period, inclusive (YYYY-MM-DD, UTC; default: the first record\'s day)' -r
complete -c soc2 -n "__fish_soc2_using_subcommand report" -l until -d 'Last day of the period, inclusive (YYYY-MM-DD, UTC; default: today)' -r
complete -c soc2 -n "__fish_soc2_using_subcommand report" -s f -l format -d '`markdown` or `html`' -r -f -a "markdown\t''
html\t''"
complete -c soc2 -n "__fish_soc2_using_subcommand report" -s o -l output -d 'Write the report to this file instead of standard output' -r -F
complete -c soc2 -n "__fish_soc2_using_subcommand report" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c soc2 -n "__fish_soc2_using_subcommand report" -s V -l version -d 'Print version'
complete -c soc2 -n "__fish_soc2_using_subcommand completions" -s h -l help -d 'Print help'
complete -c soc2 -n "__fish_soc2_using_subcommand completions" -s V -l version -d 'Print version'
complete -c soc2 -n "__fish_soc2_using_subcommand help; and not __fish_seen_subcommand_from check rules facts init schema evidence ledger report completions help" -f -a "check" -d 'Evaluate every control against one or more repositories'
complete -c soc2 -n "__fish_soc2_using_subcommand help; and not __fish_seen_subcommand_from check rules facts init schema evidence ledger report completions help" -f -a "rules" -d 'Inspect the rule catalog'
complete -c soc2 -n "__fish_soc2_using_subcommand help; and not __fish_seen_subcommand_from check rules facts init schema evidence ledger report completions help" -f -a "facts" -d 'Collect facts and print them as JSON, without evaluating rules'
complete -c soc2 -n "__fish_soc2_using_subcommand help; and not __fish_seen_subcommand_from check rules facts init schema evidence ledger report completions help" -f -a "init" -d 'Write a commented starter soc2.toml documenting every key and its default'
complete -c soc2 -n "__fish_soc2_using_subcommand help; and not __fish_seen_subcommand_from check rules facts init schema evidence ledger report completions help" -f -a "schema" -d 'Print a JSON Schema, for editors'
complete -c soc2 -n "__fish_soc2_using_subcommand help; and not __fish_seen_subcommand_from check rules facts init schema evidence ledger report completions help" -f -a "evidence" -d 'Evidence bundles for auditors: collect one, make a signing key, verify one'
complete -c soc2 -n "__fish_soc2_using_subcommand help; and not __fish_seen_subcommand_from check rules facts init schema evidence ledger report completions help" -f -a "ledger" -d 'The hash-chained trail of runs written by `check --ledger`'
complete -c soc2 -n "__fish_soc2_using_subcommand help; and not __fish_seen_subcommand_from check rules facts init schema evidence ledger report completions help" -f -a "report" -d 'Operating-effectiveness report over a period, from a ledger (Type II)'
complete -c soc2 -n "__fish_soc2_using_subcommand help; and not __fish_seen_subcommand_from check rules facts init schema evidence ledger report completions help" -f -a "completions" -d 'Print a shell completion script'
complete -c soc2 -n "__fish_soc2_using_subcommand help; and not __fish_seen_subcommand_from check rules facts init schema evidence ledger report completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c soc2 -n "__fish_soc2_using_subcommand help; and __fish_seen_subcommand_from rules" -f -a "list" -d 'List every rule: id, severity, criteria, scope and title'
complete -c soc2 -n "__fish_soc2_using_subcommand help; and __fish_seen_subcommand_from rules" -f -a "explain" -d 'Show one rule\'s full documentation and conditions'
complete -c soc2 -n "__fish_soc2_using_subcommand help; and __fish_seen_subcommand_from evidence" -f -a "collect" -d 'Like `check --evidence DIR`, but exits 0 whatever the outcomes once the bundle is written'
complete -c soc2 -n "__fish_soc2_using_subcommand help; and __fish_seen_subcommand_from evidence" -f -a "keygen" -d 'Generate an Ed25519 key pair: FILE (secret, mode 0600) and FILE.pub (public)'
complete -c soc2 -n "__fish_soc2_using_subcommand help; and __fish_seen_subcommand_from evidence" -f -a "verify" -d 'Check every hash of a bundle\'s manifest and its signature; list each difference'
complete -c soc2 -n "__fish_soc2_using_subcommand help; and __fish_seen_subcommand_from ledger" -f -a "verify" -d 'Check the hash chain; name the first edited, removed or reordered record'
