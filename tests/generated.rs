//! Generated files stay in step with the CLI: shell completions in `completions/` and man
//! pages in `man/` are rendered from the clap definition, and the rule catalog
//! `rules/README.md` from the rule files, and compared with the committed
//! copies. Run with `SOC2_BLESS=1` to rewrite them after changing the CLI.

use std::path::{Path, PathBuf};

use clap::CommandFactory;
use clap_complete::Shell;
use soc2::cli::Cli;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn expected_files() -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for (shell, name) in [
        (Shell::Bash, "soc2.bash"),
        (Shell::Zsh, "_soc2"),
        (Shell::Fish, "soc2.fish"),
        (Shell::PowerShell, "_soc2.ps1"),
        (Shell::Elvish, "soc2.elv"),
    ] {
        let mut buf = Vec::new();
        clap_complete::generate(shell, &mut Cli::command(), "soc2", &mut buf);
        out.push((root().join("completions").join(name), buf));
    }
    let mut cmd = Cli::command();
    cmd.build();
    let mut pages = vec![("soc2".to_string(), cmd.clone())];
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        let name = format!("soc2-{}", sub.get_name());
        pages.push((name.clone(), sub.clone().name(name.clone())));
        for subsub in sub.get_subcommands().filter(|s| s.get_name() != "help") {
            let name = format!("{name}-{}", subsub.get_name());
            pages.push((name.clone(), subsub.clone().name(name)));
        }
    }
    let rules = soc2::rules::load_embedded().expect("built-in rules load");
    out.push((
        root().join("rules").join("README.md"),
        soc2::rules::catalog::markdown(&rules).into_bytes(),
    ));
    for (name, cmd) in pages {
        let mut buf = Vec::new();
        clap_mangen::Man::new(cmd)
            .render(&mut buf)
            .expect("render man page");
        out.push((root().join("man").join(format!("{name}.1")), buf));
    }
    out
}

#[test]
fn completions_and_man_pages_are_up_to_date() {
    let bless = std::env::var_os("SOC2_BLESS").is_some();
    let mut stale = Vec::new();
    for (path, content) in expected_files() {
        if bless {
            std::fs::create_dir_all(path.parent().expect("has a parent")).expect("create dir");
            std::fs::write(&path, &content).expect("write generated file");
        } else if std::fs::read(&path).ok().as_deref() != Some(content.as_slice()) {
            stale.push(
                path.strip_prefix(root())
                    .unwrap_or(&path)
                    .display()
                    .to_string(),
            );
        }
    }
    assert!(
        stale.is_empty(),
        "stale generated files (run `SOC2_BLESS=1 cargo test --test generated`): {stale:?}"
    );
}

#[test]
fn every_subcommand_has_a_man_page() {
    let files = expected_files();
    for name in [
        "soc2.1",
        "soc2-check.1",
        "soc2-rules.1",
        "soc2-rules-explain.1",
        "soc2-facts.1",
        "soc2-evidence-verify.1",
        "soc2-ledger-verify.1",
        "soc2-report.1",
    ] {
        assert!(files.iter().any(|(p, _)| p.ends_with(name)), "{name}");
    }
}
