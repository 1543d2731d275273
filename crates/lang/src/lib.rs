//! migcheck-lang: the `.mig` model language.
//!
//! Source text goes through the [`lexer`], the [`parser`] (producing an [`ast`]), and the
//! [`check`]er, which resolves names, checks types, folds constants and lowers every task to the
//! flat [`ir`] that `migcheck-engine` runs. Errors are [`Diagnostic`]s: data with spans, rendered
//! elsewhere.
//!
//! ```
//! let src = "model m\nshared x: int = 0\ntask a { x = x + 1 }\n";
//! let model = migcheck_lang::compile(src).expect("a valid model");
//! assert_eq!(model.tasks[0].name, "a");
//! ```
//!
//! Architecture invariant: this crate knows nothing of exploration; it depends on no other
//! migcheck crate.

pub mod ast;
pub mod check;
pub mod diag;
pub mod ir;
pub mod lexer;
pub mod parser;
pub mod span;
mod values;

pub use diag::Diagnostic;
pub use span::Span;

/// Parses and checks `source`, returning the lowered model or every error found.
pub fn compile(source: &str) -> Result<ir::Model, Vec<Diagnostic>> {
    let ast = parser::parse(source)?;
    check::check(&ast)
}
