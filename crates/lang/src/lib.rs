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
//! A model may include libraries (`.migl` files) and declare procs: see docs/extensions.md.
//! [`compile_file`] resolves includes through a loader the caller supplies; this crate does no
//! I/O.
//!
//! Architecture invariant: this crate knows nothing of exploration; it depends on no other
//! migcheck crate.

pub mod ast;
pub mod check;
pub mod diag;
pub mod ir;
pub mod lexer;
pub mod parser;
pub mod source;
pub mod span;
mod values;

pub use diag::Diagnostic;
pub use source::SourceFile;
pub use span::Span;

/// Parses and checks `source`, returning the lowered model or every error found.
///
/// The model has one file (index 0, with an empty path); an `include` is an error, since there is
/// no file to resolve it against: use [`compile_file`].
pub fn compile(source: &str) -> Result<ir::Model, Vec<Diagnostic>> {
    let ast = parser::parse(source)?;
    let includes: Vec<Diagnostic> = ast
        .items
        .iter()
        .filter_map(|item| match item {
            ast::Item::Include { span, .. } => Some(
                Diagnostic::new(
                    *span,
                    "`include` needs a file: check the model through a path",
                )
                .with_hint("includes are resolved relative to the model's file"),
            ),
            _ => None,
        })
        .collect();
    if !includes.is_empty() {
        return Err(includes);
    }
    let files = [SourceFile {
        path: String::new(),
        text: source.to_string(),
    }];
    check::check_sources(&ast, &files)
}

/// Why a model did not compile: every error found, and the source files they point into
/// (`Diagnostic::span.file` indexes `files`; the main file is 0). `files` holds every file that
/// was read, also when an error stopped the compilation early.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub files: Vec<SourceFile>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Compiles the model at `path` (whose text is `source`), loading included files through `load`
/// (given the resolved path, returns its text or an error message).
///
/// An `include "lib.migl"` is resolved relative to the folder of the file that holds it. Each
/// file is loaded at most once: a second include of it adds nothing, and an include cycle is an
/// error at the `include` that closes it. The declarations of an included file join the model as
/// if written at the point of its first inclusion; names are resolved once all are in.
pub fn compile_file(
    path: &str,
    source: &str,
    load: &dyn Fn(&str) -> Result<String, String>,
) -> Result<ir::Model, Failure> {
    let mut inc = source::Includer::new(path, source, load);
    let main = match parser::parse_file(source, 0, false) {
        Ok(m) => m,
        Err(diagnostics) => {
            return Err(Failure {
                files: inc.files,
                diagnostics,
            })
        }
    };
    let mut items = Vec::new();
    inc.expand(main.items, 0, &mut items);
    if !inc.errors.is_empty() {
        let mut diagnostics = inc.errors;
        diagnostics.sort_by_key(|d| (d.span.file, d.span.start));
        return Err(Failure {
            files: inc.files,
            diagnostics,
        });
    }
    let merged = ast::Model {
        name: main.name,
        doc: main.doc,
        library: false,
        items,
    };
    check::check_sources(&merged, &inc.files).map_err(|diagnostics| Failure {
        files: inc.files,
        diagnostics,
    })
}
