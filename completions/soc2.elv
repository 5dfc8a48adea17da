
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
            cand --github 'A GitHub repository to audit through the API (repeatable). Token: GITHUB_TOKEN or GH_TOKEN'
            cand --github-org 'Audit every non-archived repository of a GitHub organization (repeatable)'
            cand --include 'Only organization repositories whose name matches this glob (repeatable)'
            cand --exclude 'Skip organization repositories whose name matches this glob (repeatable)'
            cand --github-url 'GitHub API URL, for GitHub Enterprise Server (`https://ghe.example/api/v3`)'
            cand --concurrency 'GitHub API requests in flight at most [default: 8]'
            cand --max-wait 'Longest total wait for GitHub rate limits, in seconds; beyond it the evidence is unknown [default: 60]'
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
            cand -f '`table` or `json`'
            cand --format '`table` or `json`'
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
            cand --include 'Only organization repositories whose name matches this glob (repeatable)'
            cand --exclude 'Skip organization repositories whose name matches this glob (repeatable)'
            cand --github-url 'GitHub API URL, for GitHub Enterprise Server (`https://ghe.example/api/v3`)'
            cand --concurrency 'GitHub API requests in flight at most [default: 8]'
            cand --max-wait 'Longest total wait for GitHub rate limits, in seconds; beyond it the evidence is unknown [default: 60]'
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
        &'soc2;help;completions'= {
        }
        &'soc2;help;help'= {
        }
    ]
    $completions[$command]
}
