//! Rule conditions in CEL: compiling, checking and evaluating them.
//!
//! This is the only module that touches the `cel` crate. Rules are compiled once at load
//! ([`Expr::compile`]), which also rejects variables the rule's scope does not bind and
//! functions that do not exist. Facts are converted to CEL values once per object
//! ([`Value::from_json`]); a subject's variables are then bound by reference
//! ([`Bindings`]), so evaluating many rules on one subject converts nothing.

mod helpers;
mod template;

use std::collections::HashSet;
use std::sync::{Arc, LazyLock};

use cel::common::ast::{EntryExpr, Expr as Ast, IdedExpr};
use cel::common::value::{CowVal, Val};
use cel::context::VariableResolver;

pub use helpers::{HELPERS, secret_refs, untrusted_references};
pub use template::Template;

/// Functions of CEL's standard library and macros that rule conditions may call.
const STANDARD_FUNCTIONS: &[&str] = &[
    "size",
    "contains",
    "startsWith",
    "endsWith",
    "matches",
    "int",
    "uint",
    "double",
    "string",
    "bytes",
    "bool",
    "type",
    "dyn",
    "has",
    "all",
    "exists",
    "exists_one",
    "map",
    "filter",
    "max",
    "min",
    "duration",
    "timestamp",
    "in",
];

/// Why an expression was rejected at load.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum ExprError {
    /// Not valid CEL.
    #[error("CEL syntax error: {message}")]
    Syntax {
        /// The parser's message.
        message: String,
        /// Character offset in the expression.
        offset: usize,
    },
    /// A variable the rule's scope does not bind.
    #[error("`{name}` is not bound in this rule's scope (available: {available})")]
    UnboundVariable {
        /// The variable.
        name: String,
        /// The variables the scope binds.
        available: String,
        /// Character offset in the expression.
        offset: usize,
    },
    /// A function that is neither standard CEL nor a helper.
    #[error("unknown function `{name}`")]
    UnknownFunction {
        /// The function.
        name: String,
        /// Character offset in the expression.
        offset: usize,
    },
}

impl ExprError {
    /// Character offset of the problem in the expression.
    pub fn offset(&self) -> usize {
        match self {
            Self::Syntax { offset, .. }
            | Self::UnboundVariable { offset, .. }
            | Self::UnknownFunction { offset, .. } => *offset,
        }
    }
}

/// A compiled CEL expression.
#[derive(Debug)]
pub struct Expr {
    program: cel::Program,
    source: String,
}

impl Expr {
    /// Compiles `source`, accepting only the variables in `bound`.
    pub fn compile(source: &str, bound: &[&str]) -> Result<Self, ExprError> {
        let program = cel::Program::compile(source).map_err(|e| {
            let first = e.errors.first();
            let offset = first.map_or(0, |err| {
                char_offset(source, err.pos.0.max(1) as usize, err.pos.1.max(0) as usize)
            });
            ExprError::Syntax {
                message: first.map_or_else(|| e.to_string(), |err| err.msg.clone()),
                offset,
            }
        })?;
        let info = program.source_info();
        let offset_of = |id: u64| info.offset_for(id).map_or(0, |(start, _)| start as usize);
        let mut scope: Vec<String> = Vec::new();
        check(program.expression(), bound, &mut scope, &offset_of)?;
        Ok(Self {
            program,
            source: source.to_string(),
        })
    }

    /// The expression as written.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Evaluates to a boolean; anything else is an error with a message for the user.
    pub fn eval_bool(&self, bindings: &Bindings<'_>) -> Result<bool, String> {
        match self.eval(bindings)? {
            cel::Value::Bool(b) => Ok(b),
            other => Err(format!(
                "the condition evaluated to {} instead of a boolean",
                type_name(&other)
            )),
        }
    }

    /// Evaluates to a CEL value.
    pub fn eval(&self, bindings: &Bindings<'_>) -> Result<cel::Value, String> {
        let mut ctx = ROOT.new_inner_scope();
        ctx.set_variable_resolver(bindings);
        self.program.execute(&ctx).map_err(|e| e.to_string())
    }
}

/// The context holding the helper functions, shared by every evaluation.
static ROOT: LazyLock<cel::Context<'static, 'static>> = LazyLock::new(|| {
    let mut ctx = cel::Context::default();
    helpers::register(&mut ctx);
    ctx
});

fn type_name(v: &cel::Value) -> &'static str {
    match v {
        cel::Value::List(_) => "a list",
        cel::Value::Map(_) => "a map",
        cel::Value::Int(_) | cel::Value::UInt(_) | cel::Value::Float(_) => "a number",
        cel::Value::String(_) => "a string",
        cel::Value::Null => "null",
        _ => "a value of another type",
    }
}

/// Character offset of a 1-based line and 0-based column in `source`.
fn char_offset(source: &str, line: usize, col: usize) -> usize {
    let before: usize = source
        .split('\n')
        .take(line - 1)
        .map(|l| l.chars().count() + 1)
        .sum();
    before + col
}

fn check(
    e: &IdedExpr,
    bound: &[&str],
    scope: &mut Vec<String>,
    offset_of: &dyn Fn(u64) -> usize,
) -> Result<(), ExprError> {
    match &e.expr {
        Ast::Ident(name) => {
            if !name.starts_with('@')
                && !bound.contains(&name.as_str())
                && !scope.iter().any(|s| s == name)
            {
                return Err(ExprError::UnboundVariable {
                    name: name.clone(),
                    available: bound.join(", "),
                    offset: offset_of(e.id),
                });
            }
        }
        Ast::Call(call) => {
            let f = call.func_name.as_str();
            if !(f.starts_with('_')
                || f.starts_with('@')
                || f.starts_with('!')
                || STANDARD_FUNCTIONS.contains(&f)
                || HELPERS.iter().any(|h| h.name == f))
            {
                return Err(ExprError::UnknownFunction {
                    name: f.to_string(),
                    offset: offset_of(e.id),
                });
            }
            if let Some(target) = &call.target {
                check(target, bound, scope, offset_of)?;
            }
            for arg in &call.args {
                check(arg, bound, scope, offset_of)?;
            }
        }
        Ast::Comprehension(c) => {
            check(&c.iter_range, bound, scope, offset_of)?;
            check(&c.accu_init, bound, scope, offset_of)?;
            let depth = scope.len();
            scope.push(c.iter_var.clone());
            if let Some(v) = &c.iter_var2 {
                scope.push(v.clone());
            }
            scope.push(c.accu_var.clone());
            let r = check(&c.loop_cond, bound, scope, offset_of)
                .and_then(|()| check(&c.loop_step, bound, scope, offset_of))
                .and_then(|()| check(&c.result, bound, scope, offset_of));
            scope.truncate(depth);
            r?;
        }
        Ast::List(list) => {
            for item in &list.elements {
                check(item, bound, scope, offset_of)?;
            }
        }
        Ast::Map(map) => {
            for entry in &map.entries {
                match &entry.expr {
                    EntryExpr::StructField(f) => check(&f.value, bound, scope, offset_of)?,
                    EntryExpr::MapEntry(m) => {
                        check(&m.key, bound, scope, offset_of)?;
                        check(&m.value, bound, scope, offset_of)?;
                    }
                }
            }
        }
        Ast::Select(s) => check(&s.operand, bound, scope, offset_of)?,
        Ast::Struct(s) => {
            for entry in &s.entries {
                if let EntryExpr::StructField(f) = &entry.expr {
                    check(&f.value, bound, scope, offset_of)?;
                }
            }
        }
        Ast::Literal(_) | Ast::Unspecified => {}
    }
    Ok(())
}

/// A fact converted to a CEL value once, to be bound to many evaluations.
#[derive(Debug)]
pub struct Value(Box<dyn Val>);

impl Value {
    /// Converts JSON to a CEL value, leaving out `loc` and `locs` (locations are for reports,
    /// not conditions).
    pub fn from_json(json: &serde_json::Value) -> Self {
        let value = json_to_cel(json);
        Self(
            Box::<dyn Val>::try_from(value)
                .unwrap_or_else(|_| Box::new(cel::common::types::CelNull)),
        )
    }

    /// Serializes a fact straight to a CEL value, without its locations.
    pub fn of<T: serde::Serialize>(fact: &T) -> Self {
        let value =
            crate::facts::without_locations(|| cel::to_value(fact)).unwrap_or(cel::Value::Null);
        Self(
            Box::<dyn Val>::try_from(value)
                .unwrap_or_else(|_| Box::new(cel::common::types::CelNull)),
        )
    }

    /// A value computed by an expression (a rule's `let`).
    pub fn from_cel(value: cel::Value) -> Self {
        Self(
            Box::<dyn Val>::try_from(value)
                .unwrap_or_else(|_| Box::new(cel::common::types::CelNull)),
        )
    }

    /// CEL's `null`.
    pub fn null() -> Self {
        Self(Box::new(cel::common::types::CelNull))
    }
}

fn json_to_cel(json: &serde_json::Value) -> cel::Value {
    use serde_json::Value as J;
    match json {
        J::Null => cel::Value::Null,
        J::Bool(b) => cel::Value::Bool(*b),
        J::Number(n) => n
            .as_i64()
            .map(cel::Value::Int)
            .or_else(|| n.as_u64().map(cel::Value::UInt))
            .unwrap_or_else(|| cel::Value::Float(n.as_f64().unwrap_or(0.0))),
        J::String(s) => cel::Value::String(Arc::new(s.clone())),
        J::Array(items) => cel::Value::List(Arc::new(items.iter().map(json_to_cel).collect())),
        J::Object(map) => {
            let map: std::collections::HashMap<cel::objects::Key, cel::Value> = map
                .iter()
                .filter(|(k, _)| k.as_str() != "loc" && k.as_str() != "locs")
                .map(|(k, v)| (cel::objects::Key::from(k.as_str()), json_to_cel(v)))
                .collect();
            cel::Value::Map(cel::objects::Map { map: Arc::new(map) })
        }
    }
}

/// The variables of one evaluation, bound by reference.
#[derive(Clone)]
pub struct Bindings<'a> {
    vars: Vec<(&'a str, &'a Value)>,
    /// Named values computed on first use from `base` (a rule's `let:`).
    lets: Option<(&'a [Lazy<'a>], &'a Bindings<'a>)>,
}

/// A rule's `let` value: computed from the subject's variables the first time an expression
/// reads it, then kept for the other expressions of the same subject.
pub struct Lazy<'a> {
    name: &'a str,
    expr: &'a Expr,
    value: std::sync::OnceLock<Option<Value>>,
}

impl<'a> Lazy<'a> {
    /// A value named `name`, computed by `expr`.
    pub fn new(name: &'a str, expr: &'a Expr) -> Self {
        Self {
            name,
            expr,
            value: std::sync::OnceLock::new(),
        }
    }
}

impl<'a> Bindings<'a> {
    /// No variables.
    pub fn new() -> Self {
        Self {
            vars: Vec::with_capacity(8),
            lets: None,
        }
    }

    /// These bindings plus the `lets`, each computed from `self` when first read. An
    /// evaluation error in a `let` leaves it unbound, so the expression reading it fails
    /// (an `unknown` outcome, never a pass).
    pub fn with_lets(&'a self, lets: &'a [Lazy<'a>]) -> Self {
        Self {
            vars: self.vars.clone(),
            lets: Some((lets, self)),
        }
    }

    /// Binds `name` to `value`.
    pub fn bind(mut self, name: &'a str, value: &'a Value) -> Self {
        self.vars.push((name, value));
        self
    }

    /// The names bound.
    pub fn names(&self) -> HashSet<&'a str> {
        self.vars.iter().map(|(n, _)| *n).collect()
    }
}

impl Default for Bindings<'_> {
    fn default() -> Self {
        Self::new()
    }
}

/// A variable the loader accepted but this subject does not bind (a rule with several scopes
/// uses each platform's variables) is `null`.
static UNBOUND: cel::common::types::CelNull = cel::common::types::CelNull;

impl VariableResolver for Bindings<'_> {
    fn resolve<'b>(&'b self, variable: &str) -> Option<CowVal<'b, 'b>> {
        if let Some((_, v)) = self.vars.iter().find(|(n, _)| *n == variable) {
            return Some(CowVal::Borrowed(v.0.as_ref()));
        }
        if let Some((lets, base)) = self.lets
            && let Some(l) = lets.iter().find(|l| l.name == variable)
        {
            let value = l
                .value
                .get_or_init(|| l.expr.eval(base).ok().map(Value::from_cel));
            return value.as_ref().map(|v| CowVal::Borrowed(v.0.as_ref()));
        }
        // CEL first asks for qualified names (`repo.id`) before selecting fields; only plain
        // identifiers are variables.
        (!variable.contains('.')).then_some(CowVal::Borrowed(&UNBOUND))
    }
}

/// Renders a CEL value as message text: strings as they are, lists joined with `, `.
pub fn display(value: &cel::Value) -> String {
    match value {
        cel::Value::String(s) => s.to_string(),
        cel::Value::Int(i) => i.to_string(),
        cel::Value::UInt(u) => u.to_string(),
        cel::Value::Float(f) => f.to_string(),
        cel::Value::Bool(b) => b.to_string(),
        cel::Value::Null => "null".into(),
        cel::Value::List(items) => items.iter().map(display).collect::<Vec<_>>().join(", "),
        other => format!("{other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compiles_and_evaluates_with_bindings() {
        let e = Expr::compile(
            "step.uses.startsWith('actions/') && is_sha(step.ref)",
            &["step"],
        )
        .expect("compiles");
        let step =
            Value::from_json(&serde_json::json!({"uses": "actions/checkout@v4", "ref": "v4"}));
        let b = Bindings::new().bind("step", &step);
        assert_eq!(e.eval_bool(&b), Ok(false));
    }

    #[test]
    fn unbound_variables_and_unknown_functions_are_rejected() {
        let err = Expr::compile("job.id == 'x'", &["step"]).expect_err("unbound");
        assert!(matches!(err, ExprError::UnboundVariable { ref name, .. } if name == "job"));
        let err = Expr::compile("no_such(step)", &["step"]).expect_err("unknown fn");
        assert!(matches!(err, ExprError::UnknownFunction { .. }));
        assert!(Expr::compile("step.x.exists(s, s == 1)", &["step"]).is_ok());
    }

    #[test]
    fn syntax_errors_have_offsets() {
        let err = Expr::compile("a &&& b", &["a", "b"]).expect_err("syntax");
        assert!(matches!(err, ExprError::Syntax { .. }));
    }

    #[test]
    fn evaluation_errors_are_reported_not_panics() {
        let e = Expr::compile("step.missing == 1", &["step"]).expect("compiles");
        let step = Value::from_json(&serde_json::json!({}));
        assert!(e.eval_bool(&Bindings::new().bind("step", &step)).is_err());
    }
}
