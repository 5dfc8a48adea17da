//! An owned, located YAML tree for GitLab CI resolution.
//!
//! GitLab builds a pipeline by moving values between files and jobs (includes, `extends`,
//! `default:`, `!reference`). Parsed saphyr nodes borrow their file's text, so they are
//! converted here into [`LNode`]s that own their values and carry the [`Location`] where each
//! value is written. Resolution then moves nodes around freely and every value still knows
//! its file and line. Merge keys (`<<`) are expanded and aliases are already copies (bounded
//! by the parser's alias budget); `!reference [a, b]` tags are kept as [`LValue::Reference`]
//! for the resolver.

use std::borrow::Cow;
use std::collections::HashMap;

use saphyr::{Scalar, YamlData};

use crate::facts::Location;
use crate::yaml::{self, Node, SourceText};

/// A value and where it is written.
#[derive(Debug, Clone)]
pub struct LNode {
    /// The value.
    pub value: LValue,
    /// Where the value is written.
    pub loc: Location,
}

/// A YAML value.
#[derive(Debug, Clone)]
pub enum LValue {
    /// `null`, `~` or nothing.
    Null,
    /// A boolean.
    Bool(bool),
    /// A number, as written.
    Number(String),
    /// A string.
    Str(String),
    /// A sequence.
    Seq(Vec<LNode>),
    /// A mapping with string keys, in source order.
    Map(Vec<Entry>),
    /// `!reference [job, key, ...]`, not yet resolved.
    Reference(Vec<String>),
}

/// One key of a mapping.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The key.
    pub key: String,
    /// Where the key is written.
    pub key_loc: Location,
    /// The value.
    pub value: LNode,
}

impl LNode {
    /// An empty mapping at `loc`.
    pub fn empty_map(loc: Location) -> Self {
        Self {
            value: LValue::Map(Vec::new()),
            loc,
        }
    }

    /// Converts a parsed node of `src`.
    pub fn from_yaml(src: &SourceText<'_>, node: &Node<'_>) -> Self {
        let loc = quoted_extent(src, src.location(node));
        if let YamlData::Tagged(tag, inner) = &node.data
            && tag.suffix == "reference"
        {
            let path = yaml::items(inner)
                .iter()
                .filter_map(|n| yaml::scalar_str(n).map(Cow::into_owned))
                .collect();
            return Self {
                value: LValue::Reference(path),
                loc,
            };
        }
        let value = match &yaml::untag(node).data {
            YamlData::Value(Scalar::Null) => LValue::Null,
            YamlData::Value(Scalar::Boolean(b)) => LValue::Bool(*b),
            YamlData::Value(Scalar::Integer(_)) | YamlData::Value(Scalar::FloatingPoint(_)) => {
                LValue::Number(
                    yaml::scalar_str(node)
                        .map(Cow::into_owned)
                        .unwrap_or_default(),
                )
            }
            YamlData::Value(Scalar::String(s)) => LValue::Str(s.to_string()),
            YamlData::Representation(s, _, _) => LValue::Str(s.to_string()),
            YamlData::Sequence(items) => {
                LValue::Seq(items.iter().map(|n| Self::from_yaml(src, n)).collect())
            }
            YamlData::Mapping(_) => LValue::Map(
                yaml::entries(node)
                    .into_iter()
                    .filter_map(|(k, v)| {
                        let key = yaml::scalar_str(k)?.into_owned();
                        Some(Entry {
                            key,
                            key_loc: src.location(k),
                            value: Self::from_yaml(src, v),
                        })
                    })
                    .collect(),
            ),
            _ => LValue::Null,
        };
        Self { value, loc }
    }

    /// The number of nodes in the tree: this one, and every item, key and value below it.
    pub fn size(&self) -> usize {
        1 + match &self.value {
            LValue::Seq(items) => items.iter().map(LNode::size).sum(),
            LValue::Map(entries) => entries.iter().map(|e| 1 + e.value.size()).sum(),
            _ => 0,
        }
    }

    /// The value under `key`, for a mapping.
    pub fn get(&self, key: &str) -> Option<&LNode> {
        match &self.value {
            LValue::Map(entries) => entries.iter().find(|e| e.key == key).map(|e| &e.value),
            _ => None,
        }
    }

    /// The entry of `key`, for a mapping.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        match &self.value {
            LValue::Map(entries) => entries.iter().find(|e| e.key == key),
            _ => None,
        }
    }

    /// Removes and returns the value under `key`, for a mapping.
    pub fn remove(&mut self, key: &str) -> Option<LNode> {
        match &mut self.value {
            LValue::Map(entries) => {
                let i = entries.iter().position(|e| e.key == key)?;
                Some(entries.remove(i).value)
            }
            _ => None,
        }
    }

    /// Sets `key` to `value` (keeping the key's position when it exists).
    pub fn insert(&mut self, key: &str, key_loc: Location, value: LNode) {
        if let LValue::Map(entries) = &mut self.value {
            match entries.iter_mut().find(|e| e.key == key) {
                Some(e) => {
                    e.value = value;
                    e.key_loc = key_loc;
                }
                None => entries.push(Entry {
                    key: key.to_string(),
                    key_loc,
                    value,
                }),
            }
        }
    }

    /// The entries of a mapping (empty for anything else).
    pub fn entries(&self) -> &[Entry] {
        match &self.value {
            LValue::Map(entries) => entries,
            _ => &[],
        }
    }

    /// The items of a sequence (empty for anything else).
    pub fn items(&self) -> &[LNode] {
        match &self.value {
            LValue::Seq(items) => items,
            _ => &[],
        }
    }

    /// Whether this is a mapping.
    pub fn is_map(&self) -> bool {
        matches!(self.value, LValue::Map(_))
    }

    /// A scalar as text (strings, numbers and booleans as written); `None` otherwise.
    pub fn as_str(&self) -> Option<Cow<'_, str>> {
        match &self.value {
            LValue::Str(s) | LValue::Number(s) => Some(Cow::Borrowed(s)),
            LValue::Bool(b) => Some(Cow::Owned(b.to_string())),
            _ => None,
        }
    }

    /// A boolean, also accepting the strings `true` and `false`.
    pub fn as_bool(&self) -> Option<bool> {
        match &self.value {
            LValue::Bool(b) => Some(*b),
            LValue::Str(s) if s == "true" => Some(true),
            LValue::Str(s) if s == "false" => Some(false),
            _ => None,
        }
    }

    /// A scalar or the scalars of a sequence, as text: `a` and `[a, b]` both read as a list.
    pub fn strings(&self) -> Vec<String> {
        match &self.value {
            LValue::Seq(items) => items
                .iter()
                .filter_map(|i| i.as_str().map(Cow::into_owned))
                .collect(),
            _ => self.as_str().map(Cow::into_owned).into_iter().collect(),
        }
    }

    /// A short name for the kind of value, for diagnostics.
    pub fn kind_name(&self) -> &'static str {
        match &self.value {
            LValue::Null => "null",
            LValue::Bool(_) => "a boolean",
            LValue::Number(_) => "a number",
            LValue::Str(_) => "a string",
            LValue::Seq(_) => "a sequence",
            LValue::Map(_) => "a mapping",
            LValue::Reference(_) => "a `!reference`",
        }
    }
}

/// The parser's span of a quoted scalar can run on to a trailing comment; this cuts it at the
/// closing quote, so that the region is the value as written.
fn quoted_extent(src: &SourceText<'_>, loc: Location) -> Location {
    let Some(raw) = src.text.get(loc.offset..loc.offset + loc.length) else {
        return loc;
    };
    let bytes = raw.as_bytes();
    let Some(&quote) = bytes.first().filter(|b| **b == b'\'' || **b == b'"') else {
        return loc;
    };
    let mut i = 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quote == b'"' => i += 2,
            b'\'' if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') => i += 2,
            b if b == quote => return src.range_location(loc.offset, loc.offset + i + 1),
            _ => i += 1,
        }
    }
    loc
}

/// GitLab's deep merge: mappings merge key by key, recursively; any other value of `over`
/// replaces the one in `base` (sequences are replaced, not concatenated).
pub fn deep_merge(base: &mut LNode, over: LNode) {
    match (&mut base.value, over.value) {
        (LValue::Map(base_entries), LValue::Map(over_entries)) => {
            // Keys are looked up in an index: merging files of thousands of jobs stays linear.
            let mut index: HashMap<String, usize> = HashMap::with_capacity(base_entries.len());
            for (i, b) in base_entries.iter().enumerate() {
                index.entry(b.key.clone()).or_insert(i);
            }
            for e in over_entries {
                match index.get(&e.key).and_then(|&i| base_entries.get_mut(i)) {
                    Some(b) => {
                        b.key_loc = e.key_loc;
                        deep_merge(&mut b.value, e.value);
                    }
                    None => {
                        index.insert(e.key.clone(), base_entries.len());
                        base_entries.push(e);
                    }
                }
            }
        }
        (_, value) => {
            base.value = value;
            base.loc = over.loc;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(text: &str) -> LNode {
        let docs = yaml::parse(text).expect("parses");
        let src = SourceText::new("f.yml", text);
        LNode::from_yaml(&src, &docs[0])
    }

    #[test]
    fn references_and_merge_keys_are_kept_with_locations() {
        let t = tree(
            ".base: &base\n  image: alpine\njob:\n  <<: *base\n  script:\n    - !reference [.setup, script]\n",
        );
        let job = t.get("job").expect("job");
        let image = job.get("image").expect("merged");
        assert_eq!(image.as_str().as_deref(), Some("alpine"));
        assert_eq!(
            image.loc.line, 2,
            "an alias points where the value is written"
        );
        let item = &job.get("script").expect("script").items()[0];
        assert!(matches!(&item.value, LValue::Reference(p) if p == &[".setup", "script"]));
        assert_eq!(item.loc.line, 6);
    }

    #[test]
    fn deep_merge_merges_maps_and_replaces_the_rest() {
        let mut a = tree("job:\n  variables: {A: '1', B: '2'}\n  script: [a, b]\n");
        let b = tree("job:\n  variables: {B: '3'}\n  script: [c]\n");
        deep_merge(&mut a, b);
        let job = a.get("job").expect("job");
        let vars = job.get("variables").expect("vars");
        assert_eq!(vars.get("A").and_then(LNode::as_str).as_deref(), Some("1"));
        assert_eq!(vars.get("B").and_then(LNode::as_str).as_deref(), Some("3"));
        assert_eq!(job.get("script").expect("script").strings(), vec!["c"]);
    }
}
