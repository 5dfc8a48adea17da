//! Message templates: text with `{expression}` placeholders, each a CEL expression compiled at
//! load and evaluated only when a message is needed. `{{` and `}}` are literal braces.

use super::{Bindings, Expr, ExprError, display};

#[derive(Debug)]
enum Part {
    Text(String),
    Expr(Expr),
}

/// A compiled message template.
#[derive(Debug)]
pub struct Template {
    parts: Vec<Part>,
}

impl Template {
    /// Compiles a template; an error carries the character offset of the placeholder.
    pub fn compile(source: &str, bound: &[&str]) -> Result<Self, ExprError> {
        let mut parts = Vec::new();
        let mut text = String::new();
        let mut chars = source.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            match c {
                '{' if chars.peek().map(|&(_, c)| c) == Some('{') => {
                    chars.next();
                    text.push('{');
                }
                '}' if chars.peek().map(|&(_, c)| c) == Some('}') => {
                    chars.next();
                    text.push('}');
                }
                '{' => {
                    let start = i + 1;
                    let mut end = None;
                    let mut depth = 0usize;
                    for (j, c) in chars.by_ref() {
                        match c {
                            '{' => depth += 1,
                            '}' if depth == 0 => {
                                end = Some(j);
                                break;
                            }
                            '}' => depth -= 1,
                            _ => {}
                        }
                    }
                    let offset = source[..start].chars().count();
                    let Some(end) = end else {
                        return Err(ExprError::Syntax {
                            message: "unclosed `{` in message (write `{{` for a literal brace)"
                                .into(),
                            offset,
                        });
                    };
                    if !text.is_empty() {
                        parts.push(Part::Text(std::mem::take(&mut text)));
                    }
                    let expr =
                        Expr::compile(&source[start..end], bound).map_err(|e| shift(e, offset))?;
                    parts.push(Part::Expr(expr));
                }
                c => text.push(c),
            }
        }
        if !text.is_empty() {
            parts.push(Part::Text(text));
        }
        Ok(Self { parts })
    }

    /// The template's text when it has no placeholder (a fixed statement such as a rule's
    /// declared `expected:`), else `None`.
    pub fn literal(&self) -> Option<&str> {
        match self.parts.as_slice() {
            [Part::Text(t)] => Some(t),
            _ => None,
        }
    }

    /// Renders the template on one line (YAML folding can leave line breaks in a message);
    /// a placeholder that fails to evaluate renders as `?`.
    pub fn render(&self, bindings: &Bindings<'_>) -> String {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Text(t) => out.push_str(t),
                Part::Expr(e) => match e.eval(bindings) {
                    Ok(v) => out.push_str(&display(&v)),
                    Err(_) => out.push('?'),
                },
            }
        }
        if out.contains('\n') {
            out = out.split_whitespace().collect::<Vec<_>>().join(" ");
        }
        out
    }
}

fn shift(e: ExprError, by: usize) -> ExprError {
    match e {
        ExprError::Syntax { message, offset } => ExprError::Syntax {
            message,
            offset: offset + by,
        },
        ExprError::UnboundVariable {
            name,
            available,
            offset,
        } => ExprError::UnboundVariable {
            name,
            available,
            offset: offset + by,
        },
        ExprError::UnknownFunction { name, offset } => ExprError::UnknownFunction {
            name,
            offset: offset + by,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::Value;

    #[test]
    fn renders_placeholders_and_escapes() {
        let t = Template::compile("`{step.uses}` is {{mutable}}", &["step"]).expect("compiles");
        let step = Value::from_json(&serde_json::json!({"uses": "a/b@v1"}));
        assert_eq!(
            t.render(&Bindings::new().bind("step", &step)),
            "`a/b@v1` is {mutable}"
        );
    }

    #[test]
    fn placeholder_errors_point_into_the_template() {
        let err = Template::compile("x {job.id}", &["step"]).expect_err("unbound");
        assert_eq!(err.offset(), 3);
    }
}
