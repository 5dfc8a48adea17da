//! `soc2`: a SOC 2 compliance auditor for CI/CD pipelines.
//!
//! The flow is collect → evaluate → report: [`providers`] read files (and, later, APIs) into
//! typed, located [`facts`]; the [`engine`] evaluates the declarative [`rules`] (conditions in
//! CEL, see [`expr`]) against them under the declared [`config::Policy`]; [`report`]ers turn
//! the evaluations into a table, JSON, SARIF, JUnit or the auditor's Markdown and HTML report,
//! after [`suppress`] has applied the inline suppression comments. For auditors, [`evidence`]
//! writes and verifies signed evidence bundles and [`ledger`] keeps a hash-chained trail of
//! runs. [`app`] wires it to the command line.

pub mod app;
pub mod cli;
pub mod config;
pub mod engine;
pub mod evidence;
pub mod exceptions;
pub mod expr;
pub mod facts;
pub mod ledger;
pub mod providers;
pub mod report;
pub mod rules;
pub mod secrets;
pub mod suppress;
pub mod yaml;
