//! The starter `soc2.toml` written by `soc2 init`.
//!
//! It is generated from the configuration types themselves: every key appears, commented out,
//! with its default value and the documentation of its field (taken from the JSON Schema), so
//! the file cannot drift from what the tool accepts.

use serde_json::Value as Json;

use super::Config;

const HEADER: &str = "\
# soc2.toml: the declared policy that `soc2 check` compares your pipelines against.
#
# Every key is listed with its default value, commented out. Uncomment a key to change it;
# keys you leave out keep their default (or the profile's). `soc2 schema config` prints the
# JSON Schema of this file for editors.
";

const EXCEPTION_EXAMPLE: &str = "\
# [[exceptions]]
# rule = \"CC9-001\"                          # rule id or name
# target = \"*\"                              # glob over targets (`local:.`)
# path = \".github/workflows/legacy-*.yml\"   # glob over the file of the finding (optional)
# reason = \"Vendored workflow, reviewed quarterly; compensating control: weekly diff review\"
# approved_by = \"security@example.com\"
# expires = 2027-03-31
";

/// The starter file.
pub fn starter_file() -> String {
    let schema = serde_json::to_value(schemars::schema_for!(Config)).unwrap_or(Json::Null);
    let defaults = toml::Table::try_from(Config::default()).unwrap_or_default();
    let mut out = String::from(HEADER);
    let root_props = schema.get("properties").cloned().unwrap_or(Json::Null);

    // Top-level scalars first (TOML requires them before any table).
    for (key, value) in &defaults {
        if !matches!(value, toml::Value::Table(_)) && key != "exceptions" {
            out.push('\n');
            comment_lines(&mut out, description(&root_props, key));
            out.push_str(&format!("# {key} = {}\n", render(value)));
        }
    }
    for (key, value) in &defaults {
        if let toml::Value::Table(table) = value {
            let prop = root_props.get(key).cloned().unwrap_or(Json::Null);
            section(&mut out, &schema, key, &prop, table);
        }
    }
    out.push('\n');
    comment_lines(&mut out, description(&root_props, "exceptions"));
    out.push_str(EXCEPTION_EXAMPLE);
    out
}

fn section(out: &mut String, schema: &Json, path: &str, prop: &Json, table: &toml::Table) {
    let def = resolve(schema, prop);
    let props = def.get("properties").cloned().unwrap_or(Json::Null);
    out.push('\n');
    comment_lines(
        out,
        prop.get("description")
            .and_then(Json::as_str)
            .or_else(|| def.get("description").and_then(Json::as_str)),
    );
    out.push_str(&format!("[{path}]\n"));
    for (key, value) in table {
        if !matches!(value, toml::Value::Table(_)) {
            comment_lines(out, description(&props, key));
            out.push_str(&format!("# {key} = {}\n", render(value)));
        }
    }
    for (key, value) in table {
        if let toml::Value::Table(sub) = value {
            let sub_prop = props.get(key).cloned().unwrap_or(Json::Null);
            section(out, schema, &format!("{path}.{key}"), &sub_prop, sub);
        }
    }
}

/// Follows a `$ref` (possibly inside `allOf`) to its definition.
fn resolve(schema: &Json, prop: &Json) -> Json {
    let reference = prop
        .get("$ref")
        .or_else(|| {
            prop.get("allOf")
                .and_then(|a| a.get(0))
                .and_then(|a| a.get("$ref"))
        })
        .and_then(Json::as_str);
    match reference.and_then(|r| r.strip_prefix("#/$defs/")) {
        Some(name) => schema
            .get("$defs")
            .and_then(|d| d.get(name))
            .cloned()
            .unwrap_or(Json::Null),
        None => prop.clone(),
    }
}

fn description<'a>(props: &'a Json, key: &str) -> Option<&'a str> {
    props.get(key)?.get("description")?.as_str()
}

fn comment_lines(out: &mut String, text: Option<&str>) {
    if let Some(text) = text {
        for line in text.lines() {
            out.push_str(&format!("# {}\n", line.trim_end()).replace("# \n", "#\n"));
        }
    }
}

/// A value as TOML; long arrays one item per line (each line commented like the key).
fn render(value: &toml::Value) -> String {
    let inline = value.to_string();
    match value {
        toml::Value::Array(items) if inline.len() > 80 => {
            let mut out = String::from("[\n");
            for item in items {
                out.push_str(&format!("#     {},\n", item));
            }
            out.push_str("# ]");
            out
        }
        _ => inline,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Policy, parse};

    /// `# key = value` lines of the starter (not the commented exception example).
    fn is_key_line(l: &str) -> bool {
        let Some(rest) = l.strip_prefix("# ") else {
            return false;
        };
        let key = rest.split(" = ").next().unwrap_or("");
        rest.contains(" = ")
            && !key.is_empty()
            && key.chars().all(|c| c.is_ascii_lowercase() || c == '_')
            && !EXCEPTION_EXAMPLE.contains(l)
    }

    #[test]
    fn the_starter_file_parses_to_the_defaults() {
        let text = starter_file();
        let loaded =
            parse(std::path::Path::new("soc2.toml"), &text).expect("starter file is valid");
        assert_eq!(loaded.policy, Policy::default());
        assert!(loaded.config.exceptions.is_empty());
    }

    #[test]
    fn uncommenting_every_key_gives_the_same_defaults() {
        let text: String = starter_file()
            .lines()
            .map(|l| match l.strip_prefix("# ") {
                Some(rest) if is_key_line(l) || l.starts_with("#     ") || l == "# ]" => {
                    rest.to_string()
                }
                _ => l.to_string(),
            })
            .collect::<Vec<_>>()
            .join("\n");
        let loaded = parse(std::path::Path::new("soc2.toml"), &text)
            .expect("uncommented starter file is valid");
        assert_eq!(loaded.policy, Policy::default());
    }

    #[test]
    fn every_policy_key_is_documented() {
        let text = starter_file();
        for key in [
            "trusted_owners",
            "require_image_digest",
            "required_approvals",
            "audit_window_days",
            "deploy_commands",
            "self_hosted_labels",
            "production_environments",
            "[scanning.sast]",
            "profile",
            "[[exceptions]]",
        ] {
            assert!(text.contains(key), "{key} missing from the starter file");
        }
        // Every key line has a description above it.
        let lines: Vec<&str> = text.lines().collect();
        for (i, l) in lines.iter().enumerate() {
            if is_key_line(l) {
                let prev = lines[i - 1];
                assert!(
                    prev.starts_with('#') && !is_key_line(prev),
                    "undocumented: {l}"
                );
            }
        }
    }
}
