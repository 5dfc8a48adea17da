//! Located YAML: parsing pipeline files into trees whose every node knows where it was written.
//!
//! Parsing is done by `saphyr` (YAML 1.2, so `on:` is the string `"on"`, not `true`), which keeps a
//! span on every node, supports anchors, aliases, custom tags such as GitLab's `!reference` and
//! multiple documents. This module adds what the providers need on top: bounds against hostile
//! files (nesting depth, alias expansion against "billion laughs" files, copies of anchored
//! nodes), converting saphyr's character markers into [`Location`]s with byte offsets, mapping
//! lookups that honour `<<` merge keys, and scalar rendering.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use saphyr::{MarkedYaml, Scalar, YamlData};
use saphyr_parser::{Event, Marker, Span, SpannedEventReceiver};

use crate::facts::Location;

/// A YAML node with its span.
pub type Node<'a> = MarkedYaml<'a>;

/// Largest number of nodes that alias expansion may produce in one file.
pub const ALIAS_BUDGET: usize = 100_000;

/// Deepest nesting accepted before a file is reported instead of walked.
pub const MAX_DEPTH: usize = 256;

/// Largest number of nodes the loader may copy to remember anchored nodes in one file. Every
/// anchored node is copied once, with its content; anchors nested in anchors copy that content
/// again, once per enclosing anchor, so without a bound a file without a single alias could
/// make the loader hold hundreds of copies of itself.
pub const ANCHOR_BUDGET: usize = 1_000_000;

/// A parse failure with its position.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct YamlError {
    /// What went wrong, as the parser says it.
    pub message: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
}

/// The text of one file and an index of its line starts, to turn markers into locations.
#[derive(Debug)]
pub struct SourceText<'a> {
    /// Path of the file relative to the repository root, with `/` separators, shared by
    /// every location in the file.
    pub path: std::sync::Arc<str>,
    /// The whole file.
    pub text: &'a str,
    line_starts: Vec<usize>,
}

impl<'a> SourceText<'a> {
    /// Indexes `text` for location lookups.
    pub fn new(path: &'a str, text: &'a str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Self {
            path: std::sync::Arc::from(path),
            text,
            line_starts,
        }
    }

    /// Byte offset of a 1-based line and 0-based character column.
    pub fn byte_offset(&self, line: usize, col: usize) -> usize {
        let Some(&start) = self.line_starts.get(line.saturating_sub(1)) else {
            return self.text.len();
        };
        let rest = &self.text[start..];
        let line_text = rest.split('\n').next().unwrap_or("");
        if line_text.is_ascii() {
            return start + col.min(line_text.len());
        }
        start
            + line_text
                .char_indices()
                .nth(col)
                .map_or(line_text.len(), |(i, _)| i)
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (u32, u32) {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset);
        let start = self.line_starts[line - 1];
        let col = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        (line as u32, col as u32 + 1)
    }

    pub(crate) fn marker_offset(&self, m: &Marker) -> usize {
        self.byte_offset(m.line(), m.col())
    }

    /// The location of a span.
    pub fn span_location(&self, span: &Span) -> Location {
        let start = self.marker_offset(&span.start);
        let mut end = self.marker_offset(&span.end).max(start);
        // Block scalars end at the start of the next line; keep the region on the value.
        while end > start && self.text.as_bytes()[end - 1].is_ascii_whitespace() {
            end -= 1;
        }
        self.range_location(start, end)
    }

    /// The location of a byte range.
    pub fn range_location(&self, start: usize, end: usize) -> Location {
        let (line, column) = self.line_col(start);
        let (end_line, end_column) = self.line_col(end);
        Location {
            path: self.path.clone(),
            line,
            column,
            end_line,
            end_column,
            offset: start,
            length: end.saturating_sub(start),
        }
    }

    /// The location of a node.
    pub fn location(&self, node: &Node<'_>) -> Location {
        self.span_location(&node.span)
    }

    /// The source text a node was written as.
    pub fn node_text(&self, node: &Node<'_>) -> &'a str {
        let start = self.marker_offset(&node.span.start);
        let end = self.marker_offset(&node.span.end).max(start);
        self.text.get(start..end).unwrap_or("")
    }

    /// The location of the whole file's first line.
    pub fn file_location(&self) -> Location {
        let end = self.text.find('\n').unwrap_or(self.text.len());
        self.range_location(0, end)
    }
}

/// Parses every document of a YAML stream.
///
/// The parser's events are fed to the loader one at a time, so that hostile input is stopped
/// early and in bounded memory: nesting deeper than [`MAX_DEPTH`] ends the parse at the first
/// collection too deep (the loader would otherwise build, and drop, a tree of any depth
/// recursively), alias expansion is bounded by [`ALIAS_BUDGET`] and the copies the loader keeps
/// of anchored nodes by [`ANCHOR_BUDGET`].
pub fn parse(text: &str) -> Result<Vec<Node<'_>>, YamlError> {
    let error_at = |m: &Marker, message: String| YamlError {
        message,
        line: m.line() as u32,
        column: m.col() as u32 + 1,
    };
    let scan_error = |e: &saphyr_parser::ScanError| error_at(e.marker(), explain(e.info()));
    let mut loader = saphyr::YamlLoader::<Node<'_>>::default();
    loader.alias_limit(ALIAS_BUDGET);
    // The collections open around the current event: anchor id (0 for none) and node count.
    let mut open: Vec<(usize, usize)> = Vec::new();
    // The anchors of the current document and the node count of what they name. An anchor is
    // known from its start, as the parser knows it (the loader resolves an alias to an anchor
    // still open to a single bad value).
    let mut anchors: HashMap<usize, usize> = HashMap::new();
    // Nodes copied into the loader's anchor map so far.
    let mut copies = 0usize;
    for event in saphyr_parser::Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| scan_error(&e))?;
        let mut done: Option<usize> = None;
        match &event {
            Event::DocumentStart(_) => anchors.clear(),
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if open.len() >= MAX_DEPTH {
                    return Err(error_at(
                        &span.start,
                        format!("nesting deeper than {MAX_DEPTH} levels"),
                    ));
                }
                if *anchor > 0 {
                    anchors.insert(*anchor, 1);
                }
                open.push((*anchor, 1));
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some((anchor, nodes)) = open.pop() {
                    if anchor > 0 {
                        anchors.insert(anchor, nodes);
                        copies = copies.saturating_add(nodes);
                    }
                    done = Some(nodes);
                }
            }
            Event::Scalar(_, _, anchor, _) => {
                if *anchor > 0 {
                    anchors.insert(*anchor, 1);
                    copies = copies.saturating_add(1);
                }
                done = Some(1);
            }
            Event::Alias(id) => match anchors.get(id) {
                Some(&nodes) => done = Some(nodes),
                // An anchor of an earlier document: the parser rejects it when it loads the
                // documents itself.
                None => {
                    return Err(error_at(
                        &span.start,
                        "while parsing node, found unknown anchor".into(),
                    ));
                }
            },
            _ => {}
        }
        if let (Some(nodes), Some(parent)) = (done, open.last_mut()) {
            parent.1 = parent.1.saturating_add(nodes);
        }
        if copies > ANCHOR_BUDGET {
            return Err(error_at(
                &span.start,
                format!(
                    "anchored nodes hold more than {ANCHOR_BUDGET} nodes once copied (anchors \
                     nested in anchors?); the file is not expanded"
                ),
            ));
        }
        loader.on_event(event, span);
        if let Some(e) = loader.error() {
            return Err(scan_error(e));
        }
    }
    let docs = loader.into_documents();
    for doc in &docs {
        check_depth(doc, 0)?;
    }
    Ok(docs)
}

/// A parser message, reworded where the parser's own words are unclear.
fn explain(info: &str) -> String {
    if info.contains("alias expansion exceeded") {
        format!(
            "aliases expand to more than {ALIAS_BUDGET} nodes (a \"billion laughs\" file?); \
             the file is not expanded"
        )
    } else if info == "recursion limit exceeded" {
        "flow collections (`[...]`, `{...}`) nested deeper than 255 levels".into()
    } else {
        info.to_string()
    }
}

/// Repairs one common deviation that GitHub's and GitLab's YAML loaders accept but YAML 1.2
/// does not: lines inside a multi-line flow collection (`[...]`, `{...}`) indented no deeper
/// than the line that opened it. Such lines are indented two columns past the opening line;
/// line numbers do not change. Returns `None` when there is nothing to repair.
pub fn repair_flow_indentation(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len() + 64);
    let mut depth = 0usize;
    let mut opener_indent = 0usize;
    let mut changed = false;
    for line in text.split_inclusive('\n') {
        let indent = line.len() - line.trim_start_matches(' ').len();
        let blank = line.trim().is_empty() || line.trim_start().starts_with('#');
        if depth > 0 && !blank && indent <= opener_indent {
            out.push_str(&" ".repeat(opener_indent + 2 - indent));
            changed = true;
        }
        let start_depth = depth;
        let mut quote: Option<char> = None;
        let mut prev = ' ';
        for c in line.chars() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '#') if prev == ' ' || prev == '\t' => break,
                (None, '\'' | '"')
                    if depth > 0 || prev == ' ' || prev == '[' || prev == '{' || prev == ',' =>
                {
                    quote = Some(c)
                }
                (None, '[' | '{') => depth += 1,
                (None, ']' | '}') => depth = depth.saturating_sub(1),
                _ => {}
            }
            prev = c;
        }
        if start_depth == 0 && depth > 0 {
            opener_indent = indent;
        }
        out.push_str(line);
    }
    changed.then_some(out)
}

/// The byte ranges (half-open, sorted, merged) of every scalar written in the documents:
/// keys and values, plain, quoted and block. A `#` inside one of them is text, not a comment.
///
/// A quoted scalar's range runs from its opening to its closing quote, across lines (found in
/// the text: the parser's span of a quoted scalar can run on over a trailing comment); a block
/// scalar's (`|`, `>`) from its first content line to the start of the first line that is
/// less indented, so a comment line after the block is outside it while a `#` line inside the
/// block is inside. Aliased nodes repeat their anchor's span and add nothing.
pub fn scalar_ranges(src: &SourceText<'_>, docs: &[Node<'_>]) -> Vec<std::ops::Range<usize>> {
    fn walk(node: &Node<'_>, src: &SourceText<'_>, out: &mut Vec<std::ops::Range<usize>>) {
        match &node.data {
            YamlData::Mapping(m) => {
                for (k, v) in m {
                    walk(k, src, out);
                    walk(v, src, out);
                }
            }
            YamlData::Sequence(items) => {
                for v in items {
                    walk(v, src, out);
                }
            }
            YamlData::Tagged(_, inner) => walk(inner, src, out),
            _ => {
                let start = src.marker_offset(&node.span.start);
                let end = src.marker_offset(&node.span.end);
                if end > start {
                    out.push(start..quoted_end(src.text, start).unwrap_or(end));
                }
            }
        }
    }
    let mut out = Vec::new();
    for doc in docs {
        walk(doc, src, &mut out);
    }
    out.sort_by_key(|r| (r.start, r.end));
    let mut merged: Vec<std::ops::Range<usize>> = Vec::with_capacity(out.len());
    for r in out {
        match merged.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => merged.push(r),
        }
    }
    merged
}

/// The end (just past the closing quote) of a quoted scalar whose node starts at `start`,
/// after any tag or anchor; `None` when the scalar is not quoted.
fn quoted_end(text: &str, start: usize) -> Option<usize> {
    let b = text.as_bytes();
    let mut i = start;
    while matches!(b.get(i), Some(b'!' | b'&')) {
        while i < b.len() && !b[i].is_ascii_whitespace() {
            i += 1;
        }
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
    }
    let quote = *b.get(i).filter(|c| matches!(c, b'"' | b'\''))?;
    let mut j = i + 1;
    while j < b.len() {
        match b[j] {
            b'\\' if quote == b'"' => j += 2,
            c if c == quote => {
                if quote == b'\'' && b.get(j + 1) == Some(&b'\'') {
                    j += 2;
                } else {
                    return Some(j + 1);
                }
            }
            _ => j += 1,
        }
    }
    None
}

/// Where the comment on a line starts, as a byte offset into the file: the first `#` that is
/// at the start of the line or right after a space or tab, and is not inside a scalar
/// (`ranges` from [`scalar_ranges`]). That is YAML's rule for comments (`a#b` is text, as is
/// `"a # b"` and a `# line` inside a `run: |` block), checked against the parsed document
/// rather than re-implemented.
pub fn comment_start(
    src: &SourceText<'_>,
    ranges: &[std::ops::Range<usize>],
    line: usize,
) -> Option<usize> {
    let start = *src.line_starts.get(line.checked_sub(1)?)?;
    let text = src.text[start..].split('\n').next().unwrap_or("");
    let mut prev: Option<u8> = None;
    for (i, b) in text.bytes().enumerate() {
        if b == b'#' && matches!(prev, None | Some(b' ' | b'\t')) {
            let at = start + i;
            let idx = ranges.partition_point(|r| r.end <= at);
            if ranges.get(idx).is_none_or(|r| r.start > at) {
                return Some(at);
            }
        }
        prev = Some(b);
    }
    None
}

fn check_depth(node: &Node<'_>, depth: usize) -> Result<(), YamlError> {
    if depth > MAX_DEPTH {
        return Err(YamlError {
            message: format!("nesting deeper than {MAX_DEPTH} levels"),
            line: node.span.start.line() as u32,
            column: node.span.start.col() as u32 + 1,
        });
    }
    match &node.data {
        YamlData::Mapping(m) => {
            for (k, v) in m {
                check_depth(k, depth + 1)?;
                check_depth(v, depth + 1)?;
            }
        }
        YamlData::Sequence(s) => {
            for v in s {
                check_depth(v, depth + 1)?;
            }
        }
        YamlData::Tagged(_, inner) => check_depth(inner, depth + 1)?,
        _ => {}
    }
    Ok(())
}

/// Strips tags (`!reference`, `!!str`, ...) to reach the node underneath.
pub fn untag<'n, 'a>(node: &'n Node<'a>) -> &'n Node<'a> {
    let mut node = node;
    while let YamlData::Tagged(_, inner) = &node.data {
        node = inner;
    }
    node
}

/// The tag of a node, as `!suffix` or `handle+suffix`, if any.
pub fn tag_of(node: &Node<'_>) -> Option<String> {
    match &node.data {
        YamlData::Tagged(tag, _) => Some(format!("{}{}", tag.handle, tag.suffix)),
        _ => None,
    }
}

/// Whether a node is a mapping.
pub fn is_mapping(node: &Node<'_>) -> bool {
    matches!(untag(node).data, YamlData::Mapping(_))
}

/// Whether a node is a sequence.
pub fn is_sequence(node: &Node<'_>) -> bool {
    matches!(untag(node).data, YamlData::Sequence(_))
}

/// Whether a node is null (written `~`, `null` or left empty).
pub fn is_null(node: &Node<'_>) -> bool {
    matches!(untag(node).data, YamlData::Value(Scalar::Null))
}

/// The entries of a mapping, in source order, with `<<` merge keys expanded: explicit keys
/// win over merged ones, and earlier merge sources win over later ones.
pub fn entries<'n, 'a>(node: &'n Node<'a>) -> Vec<(&'n Node<'a>, &'n Node<'a>)> {
    let mut out: Vec<(&'n Node<'a>, &'n Node<'a>)> = Vec::new();
    let YamlData::Mapping(map) = &untag(node).data else {
        return out;
    };
    let mut merged: Vec<&'n Node<'a>> = Vec::new();
    for (k, v) in map {
        if scalar_str(k).as_deref() == Some("<<") {
            match &untag(v).data {
                YamlData::Sequence(items) => merged.extend(items.iter()),
                _ => merged.push(v),
            }
        } else {
            out.push((k, v));
        }
    }
    if merged.is_empty() {
        return out;
    }
    // A set rather than a scan of `out`: merging thousands of keys stays linear.
    let mut seen: HashSet<Option<Cow<'n, str>>> = out.iter().map(|(k, _)| scalar_str(k)).collect();
    for source in merged {
        for (k, v) in entries(source) {
            if seen.insert(scalar_str(k)) {
                out.push((k, v));
            }
        }
    }
    out
}

/// Looks a string key up in a mapping (merge keys included).
pub fn get<'n, 'a>(node: &'n Node<'a>, key: &str) -> Option<&'n Node<'a>> {
    let YamlData::Mapping(map) = &untag(node).data else {
        return None;
    };
    for (k, v) in map {
        if scalar_str(k).as_deref() == Some(key) {
            return Some(v);
        }
    }
    if map.keys().any(|k| scalar_str(k).as_deref() == Some("<<")) {
        return entries(node)
            .into_iter()
            .find(|(k, _)| scalar_str(k).as_deref() == Some(key))
            .map(|(_, v)| v);
    }
    None
}

/// The items of a sequence (empty for anything else).
pub fn items<'n, 'a>(node: &'n Node<'a>) -> &'n [Node<'a>] {
    match &untag(node).data {
        YamlData::Sequence(s) => s.as_slice(),
        _ => &[],
    }
}

/// A scalar rendered as text: strings as they are, numbers and booleans as YAML writes them.
/// `None` for null, collections and invalid values.
pub fn scalar_str<'n>(node: &'n Node<'_>) -> Option<Cow<'n, str>> {
    match &untag(node).data {
        YamlData::Value(Scalar::String(s)) => Some(Cow::Borrowed(s.as_ref())),
        YamlData::Value(Scalar::Boolean(b)) => Some(Cow::Owned(b.to_string())),
        YamlData::Value(Scalar::Integer(i)) => Some(Cow::Owned(i.to_string())),
        YamlData::Value(Scalar::FloatingPoint(f)) => Some(Cow::Owned(f.to_string())),
        YamlData::Representation(s, _, _) => Some(Cow::Borrowed(s.as_ref())),
        _ => None,
    }
}

/// A boolean scalar.
pub fn as_bool(node: &Node<'_>) -> Option<bool> {
    match &untag(node).data {
        YamlData::Value(Scalar::Boolean(b)) => Some(*b),
        _ => None,
    }
}

/// Converts a node to JSON, for facts that keep a raw value (e.g. `on:` details).
pub fn to_json(node: &Node<'_>) -> serde_json::Value {
    use serde_json::Value as J;
    match &untag(node).data {
        YamlData::Value(Scalar::Null) => J::Null,
        YamlData::Value(Scalar::Boolean(b)) => J::Bool(*b),
        YamlData::Value(Scalar::Integer(i)) => J::from(*i),
        YamlData::Value(Scalar::FloatingPoint(f)) => {
            serde_json::Number::from_f64(f.into_inner()).map_or(J::Null, J::Number)
        }
        YamlData::Value(Scalar::String(s)) => J::String(s.to_string()),
        YamlData::Representation(s, _, _) => J::String(s.to_string()),
        YamlData::Sequence(items) => J::Array(items.iter().map(to_json).collect()),
        YamlData::Mapping(_) => J::Object(
            entries(node)
                .into_iter()
                .filter_map(|(k, v)| scalar_str(k).map(|k| (k.into_owned(), to_json(v))))
                .collect(),
        ),
        _ => J::Null,
    }
}

/// A short name for the kind of a node, for diagnostics ("a sequence", "a string").
pub fn kind_name(node: &Node<'_>) -> &'static str {
    match &untag(node).data {
        YamlData::Mapping(_) => "a mapping",
        YamlData::Sequence(_) => "a sequence",
        YamlData::Value(Scalar::Null) => "null",
        YamlData::Value(Scalar::Boolean(_)) => "a boolean",
        YamlData::Value(Scalar::Integer(_)) | YamlData::Value(Scalar::FloatingPoint(_)) => {
            "a number"
        }
        YamlData::Value(Scalar::String(_)) | YamlData::Representation(..) => "a string",
        _ => "an invalid value",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn on_is_a_string_key() {
        let docs = parse("on:\n  push:\n").expect("parses");
        assert!(get(&docs[0], "on").is_some());
    }

    #[test]
    fn nesting_is_accepted_up_to_the_limit() {
        let nested = |levels: usize| format!("{}x\n", "- ".repeat(levels));
        assert!(parse(&nested(MAX_DEPTH)).is_ok());
        let e = parse(&nested(MAX_DEPTH + 1)).expect_err("one level too deep");
        assert_eq!(e.message, "nesting deeper than 256 levels");
        // At the first collection too deep: `- ` is two columns.
        assert_eq!((e.line, e.column), (1, 2 * MAX_DEPTH as u32 + 1));
    }

    #[test]
    fn anchors_and_aliases_stay_within_their_document() {
        let docs = parse("a: &x [1, 2]\nb: *x\n---\nc: &y 3\nd: *y\n").expect("parses");
        assert_eq!(docs.len(), 2);
        assert_eq!(items(get(&docs[0], "b").expect("b")).len(), 2);
        let e = parse("a: &x 1\n---\nb: *x\n").expect_err("an alias to another document");
        assert_eq!(e.message, "while parsing node, found unknown anchor");
        assert_eq!((e.line, e.column), (3, 4));
    }

    #[test]
    fn anchored_copies_are_counted_with_their_nested_anchors() {
        // Three nested anchors around four scalars: the loader copies 5 + 6 + 7 nodes.
        assert!(parse("a: &a [&b [&c [1, 2, 3, 4]]]\nb: *a\n").is_ok());
        let inner = "x, ".repeat(ANCHOR_BUDGET / 2);
        let e = parse(&format!("a: &a [&b [&c [{inner}]]]\n")).expect_err("over budget");
        assert!(e.message.contains("anchored nodes"), "{}", e.message);
    }

    #[test]
    fn locations_are_one_based_with_byte_offsets() {
        let text = "a:\n  b: héllo\n  c: x\n";
        let docs = parse(text).expect("parses");
        let src = SourceText::new("f.yml", text);
        let c = get(get(&docs[0], "a").expect("a"), "c").expect("c");
        let loc = src.location(c);
        assert_eq!((loc.line, loc.column), (3, 6));
        assert_eq!(&text[loc.offset..loc.offset + loc.length], "x");
    }

    #[test]
    fn merge_keys_are_expanded_and_explicit_keys_win() {
        let text = "base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  y: 3\n";
        let docs = parse(text).expect("parses");
        let m = get(&docs[0], "m").expect("m");
        assert_eq!(scalar_str(get(m, "x").expect("x")).as_deref(), Some("1"));
        assert_eq!(scalar_str(get(m, "y").expect("y")).as_deref(), Some("3"));
        assert_eq!(entries(m).len(), 2);
    }

    #[test]
    fn alias_bombs_are_bounded() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let err = parse(&text).expect_err("alias bomb must be refused");
        assert!(err.message.contains("alias"), "{}", err.message);
    }

    #[test]
    fn deep_nesting_is_refused() {
        let text = format!("{}{}", "[".repeat(600), "]".repeat(600));
        assert!(parse(&text).is_err());
    }

    #[test]
    fn tags_are_kept() {
        let docs = parse("x: !reference [a, b]\n").expect("parses");
        let x = get(&docs[0], "x").expect("x");
        assert_eq!(tag_of(x).as_deref(), Some("!reference"));
        assert_eq!(items(x).len(), 2);
    }

    #[test]
    fn under_indented_flow_sequences_are_repaired() {
        let text = "jobs:\n  a:\n    matrix:\n      - [\n        \"x\",\n      \"y\",\n      ]\n";
        assert!(parse(text).is_err());
        let fixed = repair_flow_indentation(text).expect("repairable");
        assert_eq!(fixed.lines().count(), text.lines().count());
        let docs = parse(&fixed).expect("parses after repair");
        let matrix = get(
            get(get(&docs[0], "jobs").expect("jobs"), "a").expect("a"),
            "matrix",
        )
        .expect("m");
        assert_eq!(items(&items(matrix)[0]).len(), 2);
        assert!(repair_flow_indentation("a: [1, 2]\n").is_none());
    }

    #[test]
    fn syntax_errors_have_positions() {
        let err = parse("a: [1\nb: 2\n").expect_err("invalid");
        assert_eq!(err.line, 2);
    }

    fn comment_columns(text: &str) -> Vec<(usize, usize)> {
        let docs = parse(text).expect("parses");
        let src = SourceText::new("f.yml", text);
        let ranges = scalar_ranges(&src, &docs);
        (1..=text.lines().count())
            .filter_map(|l| {
                comment_start(&src, &ranges, l).map(|at| (l, src.line_col(at).1 as usize))
            })
            .collect()
    }

    #[test]
    fn comments_are_found_where_yaml_has_them() {
        let text = "# top\na: 1 # trailing\nb: x#y\nc: \"q # \\\" not\" # yes\nd: 'p # '' not' # yes\ne: [1, \"2 # x\"] # flow\nf: !!str \"t # x\" # tagged\ng: &anchor 'a # x' # anchored\n\"k # x\": v # key\n";
        assert_eq!(
            comment_columns(text),
            vec![
                (1, 1),
                (2, 6),
                (4, 17),
                (5, 17),
                (6, 17),
                (7, 18),
                (8, 20),
                (9, 12)
            ]
        );
    }

    #[test]
    fn hashes_inside_block_and_multi_line_scalars_are_text() {
        let text = "run: | # header\n  echo hi\n  # inside\n# after\nq: \"multi\n  # in quotes\n  end\"\nk:\n  f: >-\n    x\n    # in\n  # out\n  o: 2\n";
        assert_eq!(comment_columns(text), vec![(1, 8), (4, 1), (12, 3)]);
    }
}
