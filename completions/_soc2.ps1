
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'soc2' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'soc2'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'soc2' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Evaluate every control against one or more repositories')
            [CompletionResult]::new('rules', 'rules', [CompletionResultType]::ParameterValue, 'Inspect the rule catalog')
            [CompletionResult]::new('facts', 'facts', [CompletionResultType]::ParameterValue, 'Collect facts and print them as JSON, without evaluating rules')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Write a commented starter soc2.toml documenting every key and its default')
            [CompletionResult]::new('schema', 'schema', [CompletionResultType]::ParameterValue, 'Print a JSON Schema, for editors')
            [CompletionResult]::new('evidence', 'evidence', [CompletionResultType]::ParameterValue, 'Evidence bundles for auditors: collect one, make a signing key, verify one')
            [CompletionResult]::new('ledger', 'ledger', [CompletionResultType]::ParameterValue, 'The hash-chained trail of runs written by `check --ledger`')
            [CompletionResult]::new('report', 'report', [CompletionResultType]::ParameterValue, 'Operating-effectiveness report over a period, from a ledger (Type II)')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'soc2;check' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'The configuration file (default: ./soc2.toml when present)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The configuration file (default: ./soc2.toml when present)')
            [CompletionResult]::new('--rules', '--rules', [CompletionResultType]::ParameterName, 'Load extra rules from this directory (repeatable)')
            [CompletionResult]::new('--select', '--select', [CompletionResultType]::ParameterName, 'Only run these rules: ids, names or id prefixes such as CC6 (comma-separated)')
            [CompletionResult]::new('--ignore', '--ignore', [CompletionResultType]::ParameterName, 'Skip these rules: ids, names or id prefixes (comma-separated)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Format written to standard output')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Format written to standard output')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Also write FORMAT to PATH (repeatable), e.g. `-o sarif=soc2.sarif`')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Also write FORMAT to PATH (repeatable), e.g. `-o sarif=soc2.sarif`')
            [CompletionResult]::new('--fail-on', '--fail-on', [CompletionResultType]::ParameterName, 'Fail the run on failing controls of this severity or higher')
            [CompletionResult]::new('--facts', '--facts', [CompletionResultType]::ParameterName, 'Evaluate a facts dump (from `soc2 facts`) instead of collecting facts; `-` reads standard input')
            [CompletionResult]::new('--evidence', '--evidence', [CompletionResultType]::ParameterName, 'Write an evidence bundle into DIR: facts, evaluations, SARIF, reports, effective configuration, rule set, run metadata and a manifest of SHA-256 hashes')
            [CompletionResult]::new('--sign-key', '--sign-key', [CompletionResultType]::ParameterName, 'Sign the bundle''s manifest with this Ed25519 secret key (from `soc2 evidence keygen`)')
            [CompletionResult]::new('--ledger', '--ledger', [CompletionResultType]::ParameterName, 'Append a hash-chained record of this run to a JSON Lines ledger (created when missing)')
            [CompletionResult]::new('--github', '--github', [CompletionResultType]::ParameterName, 'A GitHub repository to audit through the API (repeatable). Token: GITHUB_TOKEN or GH_TOKEN')
            [CompletionResult]::new('--github-org', '--github-org', [CompletionResultType]::ParameterName, 'Audit every non-archived repository of a GitHub organization (repeatable)')
            [CompletionResult]::new('--gitlab', '--gitlab', [CompletionResultType]::ParameterName, 'A GitLab project to audit through the API (repeatable). Token: GITLAB_TOKEN')
            [CompletionResult]::new('--gitlab-group', '--gitlab-group', [CompletionResultType]::ParameterName, 'Audit every non-archived project of a GitLab group and its subgroups (repeatable)')
            [CompletionResult]::new('--include', '--include', [CompletionResultType]::ParameterName, 'Only organization repositories or group projects whose name or path matches this glob (repeatable)')
            [CompletionResult]::new('--exclude', '--exclude', [CompletionResultType]::ParameterName, 'Skip organization repositories or group projects whose name or path matches this glob (repeatable)')
            [CompletionResult]::new('--github-url', '--github-url', [CompletionResultType]::ParameterName, 'GitHub API URL, for GitHub Enterprise Server (`https://ghe.example/api/v3`)')
            [CompletionResult]::new('--gitlab-url', '--gitlab-url', [CompletionResultType]::ParameterName, 'GitLab instance URL, for self-managed GitLab (`https://gitlab.example.com`); inside GitLab CI, `CI_SERVER_URL` [default: https://gitlab.com]')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'API requests in flight at most, per platform [default: 8]')
            [CompletionResult]::new('--max-wait', '--max-wait', [CompletionResultType]::ParameterName, 'Longest total wait for GitHub or GitLab rate limits, in seconds; beyond it the evidence is unknown [default: 60]')
            [CompletionResult]::new('--cache-dir', '--cache-dir', [CompletionResultType]::ParameterName, 'Directory of the HTTP cache (ETag revalidation) [default: the user cache directory]')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Treat unknown outcomes (missing evidence) as failing the run (exit code 3)')
            [CompletionResult]::new('--no-cache', '--no-cache', [CompletionResultType]::ParameterName, 'Do not read or write the HTTP cache')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'soc2;rules' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List every rule: id, severity, criteria, scope and title')
            [CompletionResult]::new('explain', 'explain', [CompletionResultType]::ParameterValue, 'Show one rule''s full documentation and conditions')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'soc2;rules;list' {
            [CompletionResult]::new('--rules', '--rules', [CompletionResultType]::ParameterName, 'Load extra rules from this directory (repeatable)')
            [CompletionResult]::new('--select', '--select', [CompletionResultType]::ParameterName, 'Only run these rules: ids, names or id prefixes such as CC6 (comma-separated)')
            [CompletionResult]::new('--ignore', '--ignore', [CompletionResultType]::ParameterName, 'Skip these rules: ids, names or id prefixes (comma-separated)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, '`table`, `json` or `markdown` (the catalog in `rules/README.md`)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, '`table`, `json` or `markdown` (the catalog in `rules/README.md`)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'soc2;rules;explain' {
            [CompletionResult]::new('--rules', '--rules', [CompletionResultType]::ParameterName, 'Extra rule directories')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'soc2;rules;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List every rule: id, severity, criteria, scope and title')
            [CompletionResult]::new('explain', 'explain', [CompletionResultType]::ParameterValue, 'Show one rule''s full documentation and conditions')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'soc2;rules;help;list' {
            break
        }
        'soc2;rules;help;explain' {
            break
        }
        'soc2;rules;help;help' {
            break
        }
        'soc2;facts' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'The configuration file (default: ./soc2.toml when present)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The configuration file (default: ./soc2.toml when present)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write the JSON to this file instead of standard output')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the JSON to this file instead of standard output')
            [CompletionResult]::new('--github', '--github', [CompletionResultType]::ParameterName, 'A GitHub repository to audit through the API (repeatable). Token: GITHUB_TOKEN or GH_TOKEN')
            [CompletionResult]::new('--github-org', '--github-org', [CompletionResultType]::ParameterName, 'Audit every non-archived repository of a GitHub organization (repeatable)')
            [CompletionResult]::new('--gitlab', '--gitlab', [CompletionResultType]::ParameterName, 'A GitLab project to audit through the API (repeatable). Token: GITLAB_TOKEN')
            [CompletionResult]::new('--gitlab-group', '--gitlab-group', [CompletionResultType]::ParameterName, 'Audit every non-archived project of a GitLab group and its subgroups (repeatable)')
            [CompletionResult]::new('--include', '--include', [CompletionResultType]::ParameterName, 'Only organization repositories or group projects whose name or path matches this glob (repeatable)')
            [CompletionResult]::new('--exclude', '--exclude', [CompletionResultType]::ParameterName, 'Skip organization repositories or group projects whose name or path matches this glob (repeatable)')
            [CompletionResult]::new('--github-url', '--github-url', [CompletionResultType]::ParameterName, 'GitHub API URL, for GitHub Enterprise Server (`https://ghe.example/api/v3`)')
            [CompletionResult]::new('--gitlab-url', '--gitlab-url', [CompletionResultType]::ParameterName, 'GitLab instance URL, for self-managed GitLab (`https://gitlab.example.com`); inside GitLab CI, `CI_SERVER_URL` [default: https://gitlab.com]')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'API requests in flight at most, per platform [default: 8]')
            [CompletionResult]::new('--max-wait', '--max-wait', [CompletionResultType]::ParameterName, 'Longest total wait for GitHub or GitLab rate limits, in seconds; beyond it the evidence is unknown [default: 60]')
            [CompletionResult]::new('--cache-dir', '--cache-dir', [CompletionResultType]::ParameterName, 'Directory of the HTTP cache (ETag revalidation) [default: the user cache directory]')
            [CompletionResult]::new('--no-cache', '--no-cache', [CompletionResultType]::ParameterName, 'Do not read or write the HTTP cache')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'soc2;init' {
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Overwrite an existing file')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'soc2;schema' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'soc2;evidence' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('collect', 'collect', [CompletionResultType]::ParameterValue, 'Like `check --evidence DIR`, but exits 0 whatever the outcomes once the bundle is written')
            [CompletionResult]::new('keygen', 'keygen', [CompletionResultType]::ParameterValue, 'Generate an Ed25519 key pair: FILE (secret, mode 0600) and FILE.pub (public)')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check every hash of a bundle''s manifest and its signature; list each difference')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'soc2;evidence;collect' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'The configuration file (default: ./soc2.toml when present)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The configuration file (default: ./soc2.toml when present)')
            [CompletionResult]::new('--rules', '--rules', [CompletionResultType]::ParameterName, 'Load extra rules from this directory (repeatable)')
            [CompletionResult]::new('--select', '--select', [CompletionResultType]::ParameterName, 'Only run these rules: ids, names or id prefixes such as CC6 (comma-separated)')
            [CompletionResult]::new('--ignore', '--ignore', [CompletionResultType]::ParameterName, 'Skip these rules: ids, names or id prefixes (comma-separated)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Format written to standard output')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Format written to standard output')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Also write FORMAT to PATH (repeatable), e.g. `-o sarif=soc2.sarif`')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Also write FORMAT to PATH (repeatable), e.g. `-o sarif=soc2.sarif`')
            [CompletionResult]::new('--fail-on', '--fail-on', [CompletionResultType]::ParameterName, 'Fail the run on failing controls of this severity or higher')
            [CompletionResult]::new('--facts', '--facts', [CompletionResultType]::ParameterName, 'Evaluate a facts dump (from `soc2 facts`) instead of collecting facts; `-` reads standard input')
            [CompletionResult]::new('--evidence', '--evidence', [CompletionResultType]::ParameterName, 'Write an evidence bundle into DIR: facts, evaluations, SARIF, reports, effective configuration, rule set, run metadata and a manifest of SHA-256 hashes')
            [CompletionResult]::new('--sign-key', '--sign-key', [CompletionResultType]::ParameterName, 'Sign the bundle''s manifest with this Ed25519 secret key (from `soc2 evidence keygen`)')
            [CompletionResult]::new('--ledger', '--ledger', [CompletionResultType]::ParameterName, 'Append a hash-chained record of this run to a JSON Lines ledger (created when missing)')
            [CompletionResult]::new('--github', '--github', [CompletionResultType]::ParameterName, 'A GitHub repository to audit through the API (repeatable). Token: GITHUB_TOKEN or GH_TOKEN')
            [CompletionResult]::new('--github-org', '--github-org', [CompletionResultType]::ParameterName, 'Audit every non-archived repository of a GitHub organization (repeatable)')
            [CompletionResult]::new('--gitlab', '--gitlab', [CompletionResultType]::ParameterName, 'A GitLab project to audit through the API (repeatable). Token: GITLAB_TOKEN')
            [CompletionResult]::new('--gitlab-group', '--gitlab-group', [CompletionResultType]::ParameterName, 'Audit every non-archived project of a GitLab group and its subgroups (repeatable)')
            [CompletionResult]::new('--include', '--include', [CompletionResultType]::ParameterName, 'Only organization repositories or group projects whose name or path matches this glob (repeatable)')
            [CompletionResult]::new('--exclude', '--exclude', [CompletionResultType]::ParameterName, 'Skip organization repositories or group projects whose name or path matches this glob (repeatable)')
            [CompletionResult]::new('--github-url', '--github-url', [CompletionResultType]::ParameterName, 'GitHub API URL, for GitHub Enterprise Server (`https://ghe.example/api/v3`)')
            [CompletionResult]::new('--gitlab-url', '--gitlab-url', [CompletionResultType]::ParameterName, 'GitLab instance URL, for self-managed GitLab (`https://gitlab.example.com`); inside GitLab CI, `CI_SERVER_URL` [default: https://gitlab.com]')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'API requests in flight at most, per platform [default: 8]')
            [CompletionResult]::new('--max-wait', '--max-wait', [CompletionResultType]::ParameterName, 'Longest total wait for GitHub or GitLab rate limits, in seconds; beyond it the evidence is unknown [default: 60]')
            [CompletionResult]::new('--cache-dir', '--cache-dir', [CompletionResultType]::ParameterName, 'Directory of the HTTP cache (ETag revalidation) [default: the user cache directory]')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Treat unknown outcomes (missing evidence) as failing the run (exit code 3)')
            [CompletionResult]::new('--no-cache', '--no-cache', [CompletionResultType]::ParameterName, 'Do not read or write the HTTP cache')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'soc2;evidence;keygen' {
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Overwrite existing key files')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'soc2;evidence;verify' {
            [CompletionResult]::new('--public-key', '--public-key', [CompletionResultType]::ParameterName, 'Require a signature by this public key (FILE.pub from `evidence keygen`)')
            [CompletionResult]::new('--ledger', '--ledger', [CompletionResultType]::ParameterName, 'Also require the bundle''s manifest digest to be recorded in this ledger (which must verify): a manifest rewritten after the run is then detected even without a signature')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'soc2;evidence;help' {
            [CompletionResult]::new('collect', 'collect', [CompletionResultType]::ParameterValue, 'Like `check --evidence DIR`, but exits 0 whatever the outcomes once the bundle is written')
            [CompletionResult]::new('keygen', 'keygen', [CompletionResultType]::ParameterValue, 'Generate an Ed25519 key pair: FILE (secret, mode 0600) and FILE.pub (public)')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check every hash of a bundle''s manifest and its signature; list each difference')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'soc2;evidence;help;collect' {
            break
        }
        'soc2;evidence;help;keygen' {
            break
        }
        'soc2;evidence;help;verify' {
            break
        }
        'soc2;evidence;help;help' {
            break
        }
        'soc2;ledger' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check the hash chain; name the first edited, removed or reordered record')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'soc2;ledger;verify' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'soc2;ledger;help' {
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check the hash chain; name the first edited, removed or reordered record')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'soc2;ledger;help;verify' {
            break
        }
        'soc2;ledger;help;help' {
            break
        }
        'soc2;report' {
            [CompletionResult]::new('--ledger', '--ledger', [CompletionResultType]::ParameterName, 'The ledger written by `check --ledger`')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'First day of the period, inclusive (YYYY-MM-DD, UTC; default: the first record''s day)')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'Last day of the period, inclusive (YYYY-MM-DD, UTC; default: today)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, '`markdown` or `html`')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, '`markdown` or `html`')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write the report to this file instead of standard output')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the report to this file instead of standard output')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'soc2;completions' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'soc2;help' {
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Evaluate every control against one or more repositories')
            [CompletionResult]::new('rules', 'rules', [CompletionResultType]::ParameterValue, 'Inspect the rule catalog')
            [CompletionResult]::new('facts', 'facts', [CompletionResultType]::ParameterValue, 'Collect facts and print them as JSON, without evaluating rules')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Write a commented starter soc2.toml documenting every key and its default')
            [CompletionResult]::new('schema', 'schema', [CompletionResultType]::ParameterValue, 'Print a JSON Schema, for editors')
            [CompletionResult]::new('evidence', 'evidence', [CompletionResultType]::ParameterValue, 'Evidence bundles for auditors: collect one, make a signing key, verify one')
            [CompletionResult]::new('ledger', 'ledger', [CompletionResultType]::ParameterValue, 'The hash-chained trail of runs written by `check --ledger`')
            [CompletionResult]::new('report', 'report', [CompletionResultType]::ParameterValue, 'Operating-effectiveness report over a period, from a ledger (Type II)')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'soc2;help;check' {
            break
        }
        'soc2;help;rules' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List every rule: id, severity, criteria, scope and title')
            [CompletionResult]::new('explain', 'explain', [CompletionResultType]::ParameterValue, 'Show one rule''s full documentation and conditions')
            break
        }
        'soc2;help;rules;list' {
            break
        }
        'soc2;help;rules;explain' {
            break
        }
        'soc2;help;facts' {
            break
        }
        'soc2;help;init' {
            break
        }
        'soc2;help;schema' {
            break
        }
        'soc2;help;evidence' {
            [CompletionResult]::new('collect', 'collect', [CompletionResultType]::ParameterValue, 'Like `check --evidence DIR`, but exits 0 whatever the outcomes once the bundle is written')
            [CompletionResult]::new('keygen', 'keygen', [CompletionResultType]::ParameterValue, 'Generate an Ed25519 key pair: FILE (secret, mode 0600) and FILE.pub (public)')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check every hash of a bundle''s manifest and its signature; list each difference')
            break
        }
        'soc2;help;evidence;collect' {
            break
        }
        'soc2;help;evidence;keygen' {
            break
        }
        'soc2;help;evidence;verify' {
            break
        }
        'soc2;help;ledger' {
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check the hash chain; name the first edited, removed or reordered record')
            break
        }
        'soc2;help;ledger;verify' {
            break
        }
        'soc2;help;report' {
            break
        }
        'soc2;help;completions' {
            break
        }
        'soc2;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
