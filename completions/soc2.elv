
use builtin;
use str;

set edit:completion:arg-completer[soc2] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'soc2'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'soc2'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand check 'Evaluate every control against one or more repositories'
            cand rules 'Inspect the rule catalog'
            cand facts 'Collect facts and print them as JSON, without evaluating rules'
            cand init 'Write a commented starter soc2.toml documenting every key and its default'
            cand schema 'Print a JSON Schema, for editors'
            cand evidence 'Evidence bundles for auditors: collect one, make a signing key, verify one'
            cand ledger 'The hash-chained trail of runs written by `check --ledger`'
            cand report 'Operating-effectiveness report over a period, from a ledger (Type II)'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'soc2;check'= {
            cand -c 'The configuration file (default: ./soc2.toml when present)'
            cand --config 'The configuration file (default: ./soc2.toml when present)'
            cand --rules 'Load extra rules from this directory (repeatable)'
            cand --select 'Only run these rules: ids, names or id prefixes such as CC6 (comma-separated)'
            cand --ignore 'Skip these rules: ids, names or id prefixes (comma-separated)'
            cand -f 'Format written to standard output'
            cand --format 'Format written to standard output'
            cand -o 'Also write FORMAT to PATH (repeatable), e.g. `-o sarif=soc2.sarif`'
            cand --output 'Also write FORMAT to PATH (repeatable), e.g. `-o sarif=soc2.sarif`'
            cand --fail-on 'Fail the run on failing controls of this severity or higher'
            cand --facts 'Evaluate a facts dump (from `soc2 facts`) instead of collecting facts; `-` reads standard input'
            cand --evidence 'Write an evidence bundle into DIR: facts, evaluations, SARIF, reports, effective configuration, rule set, run metadata and a manifest of SHA-256 hashes'
            cand --sign-key 'Sign the bundle''s manifest with this Ed25519 secret key (from `soc2 evidence keygen`)'
            cand --ledger 'Append a hash-chained record of this run to a JSON Lines ledger (created when missing)'
            cand --github 'A GitHub repository to audit through the API (repeatable). Token: GITHUB_TOKEN or GH_TOKEN'
            cand --github-org 'Audit every non-archived repository of a GitHub organization (repeatable)'
            cand --gitlab 'A GitLab project to audit through the API (repeatable). Token: GITLAB_TOKEN'
            cand --gitlab-group 'Audit every non-archived project of a GitLab group and its subgroups (repeatable)'
            cand --include 'Only organization repositories or group projects whose name or path matches this glob (repeatable)'
            cand --exclude 'Skip organization repositories or group projects whose name or path matches this glob (repeatable)'
            cand --github-url 'GitHub API URL, for GitHub Enterprise Server (`https://ghe.example/api/v3`)'
            cand --gitlab-url 'GitLab instance URL, for self-managed GitLab (`https://gitlab.example.com`); inside GitLab CI, `CI_SERVER_URL` [default: https://gitlab.com]'
            cand --concurrency 'API requests in flight at most, per platform [default: 8]'
            cand --max-wait 'Longest total wait for GitHub or GitLab rate limits, in seconds; beyond it the evidence is unknown [default: 60]'
            cand --cache-dir 'Directory of the HTTP cache (ETag revalidation) [default: the user cache directory]'
            cand --strict 'Treat unknown outcomes (missing evidence) as failing the run (exit code 3)'
            cand --no-cache 'Do not read or write the HTTP cache'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'soc2;rules'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand list 'List every rule: id, severity, criteria, scope and title'
            cand explain 'Show one rule''s full documentation and conditions'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'soc2;rules;list'= {
            cand --rules 'Load extra rules from this directory (repeatable)'
            cand --select 'Only run these rules: ids, names or id prefixes such as CC6 (comma-separated)'
            cand --ignore 'Skip these rules: ids, names or id prefixes (comma-separated)'
            cand -f '`table`, `json` or `markdown` (the catalog in `rules/README.md`)'
            cand --format '`table`, `json` or `markdown` (the catalog in `rules/README.md`)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'soc2;rules;explain'= {
            cand --rules 'Extra rule directories'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'soc2;rules;help'= {
            cand list 'List every rule: id, severity, criteria, scope and title'
            cand explain 'Show one rule''s full documentation and conditions'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'soc2;rules;help;list'= {
        }
        &'soc2;rules;help;explain'= {
        }
        &'soc2;rules;help;help'= {
        }
        &'soc2;facts'= {
            cand -c 'The configuration file (default: ./soc2.toml when present)'
            cand --config 'The configuration file (default: ./soc2.toml when present)'
            cand -o 'Write the JSON to this file instead of standard output'
            cand --output 'Write the JSON to this file instead of standard output'
            cand --github 'A GitHub repository to audit through the API (repeatable). Token: GITHUB_TOKEN or GH_TOKEN'
            cand --github-org 'Audit every non-archived repository of a GitHub organization (repeatable)'
            cand --gitlab 'A GitLab project to audit through the API (repeatable). Token: GITLAB_TOKEN'
            cand --gitlab-group 'Audit every non-archived project of a GitLab group and its subgroups (repeatable)'
            cand --include 'Only organization repositories or group projects whose name or path matches this glob (repeatable)'
            cand --exclude 'Skip organization repositories or group projects whose name or path matches this glob (repeatable)'
            cand --github-url 'GitHub API URL, for GitHub Enterprise Server (`https://ghe.example/api/v3`)'
            cand --gitlab-url 'GitLab instance URL, for self-managed GitLab (`https://gitlab.example.com`); inside GitLab CI, `CI_SERVER_URL` [default: https://gitlab.com]'
            cand --concurrency 'API requests in flight at most, per platform [default: 8]'
            cand --max-wait 'Longest total wait for GitHub or GitLab rate limits, in seconds; beyond it the evidence is unknown [default: 60]'
            cand --cache-dir 'Directory of the HTTP cache (ETag revalidation) [default: the user cache directory]'
            cand --no-cache 'Do not read or write the HTTP cache'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'soc2;init'= {
            cand --force 'Overwrite an existing file'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'soc2;schema'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'soc2;evidence'= {
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand collect 'Like `check --evidence DIR`, but exits 0 whatever the outcomes once the bundle is written'
            cand keygen 'Generate an Ed25519 key pair: FILE (secret, mode 0600) and FILE.pub (public)'
            cand verify 'Check every hash of a bundle''s manifest and its signature; list each difference'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'soc2;evidence;collect'= {
            cand -c 'The configuration file (default: ./soc2.toml when present)'
            cand --config 'The configuration file (default: ./soc2.toml when present)'
            cand --rules 'Load extra rules from this directory (repeatable)'
            cand --select 'Only run these rules: ids, names or id prefixes such as CC6 (comma-separated)'
            cand --ignore 'Skip these rules: ids, names or id prefixes (comma-separated)'
            cand -f 'Format written to standard output'
            cand --format 'Format written to standard output'
            cand -o 'Also write FORMAT to PATH (repeatable), e.g. `-o sarif=soc2.sarif`'
            cand --output 'Also write FORMAT to PATH (repeatable), e.g. `-o sarif=soc2.sarif`'
            cand --fail-on 'Fail the run on failing controls of this severity or higher'
            cand --facts 'Evaluate a facts dump (from `soc2 facts`) instead of collecting facts; `-` reads standard input'
            cand --evidence 'Write an evidence bundle into DIR: facts, evaluations, SARIF, reports, effective configuration, rule set, run metadata and a manifest of SHA-256 hashes'
            cand --sign-key 'Sign the bundle''s manifest with this Ed25519 secret key (from `soc2 evidence keygen`)'
            cand --ledger 'Append a hash-chained record of this run to a JSON Lines ledger (created when missing)'
            cand --github 'A GitHub repository to audit through the API (repeatable). Token: GITHUB_TOKEN or GH_TOKEN'
            cand --github-org 'Audit every non-archived repository of a GitHub organization (repeatable)'
            cand --gitlab 'A GitLab project to audit through the API (repeatable). Token: GITLAB_TOKEN'
            cand --gitlab-group 'Audit every non-archived project of a GitLab group and its subgroups (repeatable)'
            cand --include 'Only organization repositories or group projects whose name or path matches this glob (repeatable)'
            cand --exclude 'Skip organization repositories or group projects whose name or path matches this glob (repeatable)'
            cand --github-url 'GitHub API URL, for GitHub Enterprise Server (`https://ghe.example/api/v3`)'
            cand --gitlab-url 'GitLab instance URL, for self-managed GitLab (`https://gitlab.example.com`); inside GitLab CI, `CI_SERVER_URL` [default: https://gitlab.com]'
            cand --concurrency 'API requests in flight at most, per platform [default: 8]'
            cand --max-wait 'Longest total wait for GitHub or GitLab rate limits, in seconds; beyond it the evidence is unknown [default: 60]'
            cand --cache-dir 'Directory of the HTTP cache (ETag revalidation) [default: the user cache directory]'
            cand --strict 'Treat unknown outcomes (missing evidence) as failing the run (exit code 3)'
            cand --no-cache 'Do not read or write the HTTP cache'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'soc2;evidence;keygen'= {
            cand --force 'Overwrite existing key files'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'soc2;evidence;verify'= {
            cand --public-key 'Require a signature by this public key (FILE.pub from `evidence keygen`)'
            cand --ledger 'Also require the bundle''s manifest digest to be recorded in this ledger (which must verify): a manifest rewritten after the run is then detected even without a signature'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'soc2;evidence;help'= {
            cand collect 'Like `check --evidence DIR`, but exits 0 whatever the outcomes once the bundle is written'
            cand keygen 'Generate an Ed25519 key pair: FILE (secret, mode 0600) and FILE.pub (public)'
            cand verify 'Check every hash of a bundle''s manifest and its signature; list each difference'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'soc2;evidence;help;collect'= {
        }
        &'soc2;evidence;help;keygen'= {
        }
        &'soc2;evidence;help;verify'= {
        }
        &'soc2;evidence;help;help'= {
        }
        &'soc2;ledger'= {
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand verify 'Check the hash chain; name the first edited, removed or reordered record'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'soc2;ledger;verify'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'soc2;ledger;help'= {
            cand verify 'Check the hash chain; name the first edited, removed or reordered record'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'soc2;ledger;help;verify'= {
        }
        &'soc2;ledger;help;help'= {
        }
        &'soc2;report'= {
            cand --ledger 'The ledger written by `check --ledger`'
            cand --since 'First day of the period, inclusive (YYYY-MM-DD, UTC; default: the first record''s day)'
            cand --until 'Last day of the period, inclusive (YYYY-MM-DD, UTC; default: today)'
            cand -f '`markdown` or `html`'
            cand --format '`markdown` or `html`'
            cand -o 'Write the report to this file instead of standard output'
            cand --output 'Write the report to this file instead of standard output'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'soc2;completions'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'soc2;help'= {
            cand check 'Evaluate every control against one or more repositories'
            cand rules 'Inspect the rule catalog'
            cand facts 'Collect facts and print them as JSON, without evaluating rules'
            cand init 'Write a commented starter soc2.toml documenting every key and its default'
            cand schema 'Print a JSON Schema, for editors'
            cand evidence 'Evidence bundles for auditors: collect one, make a signing key, verify one'
            cand ledger 'The hash-chained trail of runs written by `check --ledger`'
            cand report 'Operating-effectiveness report over a period, from a ledger (Type II)'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'soc2;help;check'= {
        }
        &'soc2;help;rules'= {
            cand list 'List every rule: id, severity, criteria, scope and title'
            cand explain 'Show one rule''s full documentation and conditions'
        }
        &'soc2;help;rules;list'= {
        }
        &'soc2;help;rules;explain'= {
        }
        &'soc2;help;facts'= {
        }
        &'soc2;help;init'= {
        }
        &'soc2;help;schema'= {
        }
        &'soc2;help;evidence'= {
            cand collect 'Like `check --evidence DIR`, but exits 0 whatever the outcomes once the bundle is written'
            cand keygen 'Generate an Ed25519 key pair: FILE (secret, mode 0600) and FILE.pub (public)'
            cand verify 'Check every hash of a bundle''s manifest and its signature; list each difference'
        }
        &'soc2;help;evidence;collect'= {
        }
        &'soc2;help;evidence;keygen'= {
        }
        &'soc2;help;evidence;verify'= {
        }
        &'soc2;help;ledger'= {
            cand verify 'Check the hash chain; name the first edited, removed or reordered record'
        }
        &'soc2;help;ledger;verify'= {
        }
        &'soc2;help;report'= {
        }
        &'soc2;help;completions'= {
        }
        &'soc2;help;help'= {
        }
    ]
    $completions[$command]
}
