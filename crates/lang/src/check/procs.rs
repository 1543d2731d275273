//! `proc` declarations: parameter types, the call graph (recursion, nesting depth), and whether
//! a call touches shared state. Bodies are lowered in `lower.rs`: checked once on their own, then
//! inlined at every call.

use std::collections::HashMap;
use std::rc::Rc;

use super::{Checker, Global};
use crate::ast::{self, Block, StmtKind, TypeExpr};
use crate::diag::Diagnostic;
use crate::ir::ValueType;
use crate::span::Span;

/// Calls may nest (a proc calling a proc calling ...) at most this deep: every level is inlined,
/// and the limit keeps hostile input from exhausting the stack.
pub(super) const MAX_CALL_DEPTH: u32 = 32;

/// A declared proc.
#[derive(Debug, Clone)]
pub(crate) struct ProcDef {
    pub ast: Rc<ast::Proc>,
    pub params: Vec<ParamDef>,
    /// Whether its body touches shared state (names a shared variable or a lock, has an `await`,
    /// or calls a proc that does): then a call of it does too.
    pub shared: bool,
    /// On a call cycle (an error): never inlined.
    pub recursive: bool,
    /// The longest chain of nested calls from this proc, itself included.
    pub depth: u32,
}

impl ProcDef {
    pub fn new(ast: Rc<ast::Proc>) -> ProcDef {
        ProcDef {
            ast,
            params: Vec::new(),
            shared: false,
            recursive: false,
            depth: 1,
        }
    }
}

/// A checked parameter.
#[derive(Debug, Clone)]
pub(crate) struct ParamDef {
    pub ident: ast::Ident,
    /// The type as a local has it: a range is an `int` (as for any local, only writes to shared
    /// state check ranges).
    pub ty: ValueType,
    pub out: bool,
    /// Whether its type did not check: its uses then report nothing more.
    pub failed: bool,
}

/// The type a local of declared type `t` has.
fn local_type(t: ValueType) -> ValueType {
    match t {
        ValueType::Range { .. } => ValueType::Int,
        other => other,
    }
}

impl Checker {
    /// Parameters, the call graph, and each body on its own.
    pub(super) fn check_procs(&mut self) {
        for id in 0..self.procs.len() {
            let ast = self.procs[id].ast.clone();
            let params = self.params(&ast);
            self.procs[id].params = params;
        }
        self.call_graph();
        for id in 0..self.procs.len() {
            self.check_proc_body(id as u32);
        }
    }

    fn params(&mut self, p: &ast::Proc) -> Vec<ParamDef> {
        let mut seen: HashMap<&str, Span> = HashMap::new();
        let mut out = Vec::new();
        for param in &p.params {
            if let Some(prev) = seen.get(param.name.name.as_str()) {
                let d = Diagnostic::new(
                    param.name.span,
                    format!("parameter `{}` is declared twice", param.name.name),
                )
                .with_hint(format!(
                    "the first is at {}, column {}",
                    self.position(*prev, param.name.span),
                    prev.col
                ));
                self.error(d);
            } else {
                seen.insert(&param.name.name, param.name.span);
            }
            let ty = match &param.ty {
                TypeExpr::Map { span, .. } => {
                    self.error(
                        Diagnostic::new(*span, "a parameter cannot be a map")
                            .with_hint("pass a key, and name the shared map in the proc's body"),
                    );
                    None
                }
                other => self.value_type(other),
            };
            out.push(ParamDef {
                ident: param.name.clone(),
                ty: local_type(ty.unwrap_or(ValueType::Int)),
                out: param.out,
                failed: ty.is_none(),
            });
        }
        out
    }

    /// The procs called in `b`, with the position of each call.
    fn calls_in(&self, b: &Block, out: &mut Vec<(usize, Span)>) {
        for s in &b.stmts {
            match &s.kind {
                StmtKind::Call { name, .. } => {
                    if let Some(Global::Proc(id)) = self.globals.get(&name.name) {
                        out.push((*id as usize, name.span));
                    }
                }
                StmtKind::Atomic(body)
                | StmtKind::While { body, .. }
                | StmtKind::For { body, .. } => self.calls_in(body, out),
                StmtKind::If {
                    branches,
                    otherwise,
                } => {
                    for br in branches {
                        self.calls_in(&br.body, out);
                    }
                    if let Some(o) = otherwise {
                        self.calls_in(o, out);
                    }
                }
                StmtKind::Either(bs) => {
                    for b in bs {
                        self.calls_in(b, out);
                    }
                }
                _ => {}
            }
        }
    }

    /// A depth-first walk of the call graph (with an explicit stack: the graph may be large):
    /// reports each call that closes a cycle, and computes each proc's nesting depth and shared
    /// flag once its callees are done.
    fn call_graph(&mut self) {
        let n = self.procs.len();
        let edges: Vec<Vec<(usize, Span)>> = (0..n)
            .map(|i| {
                let mut v = Vec::new();
                self.calls_in(&self.procs[i].ast.body, &mut v);
                v
            })
            .collect();
        // 0: not visited, 1: on the stack, 2: done.
        let mut state = vec![0u8; n];
        for root in 0..n {
            if state[root] != 0 {
                continue;
            }
            state[root] = 1;
            let mut stack = vec![(root, 0usize)];
            while let Some(top) = stack.last_mut() {
                let (node, i) = *top;
                if let Some(&(callee, span)) = edges[node].get(i) {
                    top.1 += 1;
                    match state[callee] {
                        0 => {
                            state[callee] = 1;
                            stack.push((callee, 0));
                        }
                        1 => {
                            let pos = stack.iter().position(|(p, _)| *p == callee).unwrap_or(0);
                            let cycle: Vec<usize> = stack[pos..].iter().map(|(p, _)| *p).collect();
                            self.recursion_error(&cycle, callee, span);
                        }
                        _ => {}
                    }
                    continue;
                }
                stack.pop();
                state[node] = 2;
                let depth = 1 + edges[node]
                    .iter()
                    .filter(|(c, _)| state[*c] == 2)
                    .map(|(c, _)| self.procs[*c].depth)
                    .max()
                    .unwrap_or(0);
                self.procs[node].depth = depth;
                if depth == MAX_CALL_DEPTH + 1 {
                    let name = self.procs[node].ast.name.clone();
                    self.error(Diagnostic::new(
                        name.span,
                        format!(
                            "calls nest more than {MAX_CALL_DEPTH} deep from `{}`",
                            name.name
                        ),
                    ));
                }
                let ast = self.procs[node].ast.clone();
                self.procs[node].shared = ast.body.stmts.iter().any(|s| self.stmt_shared(s));
            }
        }
    }

    fn recursion_error(&mut self, cycle: &[usize], callee: usize, span: Span) {
        for &p in cycle {
            self.procs[p].recursive = true;
        }
        let mut names: Vec<String> = cycle
            .iter()
            .map(|&p| format!("`{}`", self.procs[p].ast.name.name))
            .collect();
        names.push(format!("`{}`", self.procs[callee].ast.name.name));
        let msg = if cycle.len() == 1 {
            format!(
                "recursive call: `{}` calls itself",
                self.procs[callee].ast.name.name
            )
        } else {
            format!("recursive call: {}", names.join(" -> "))
        };
        self.error(Diagnostic::new(span, msg).with_hint(
            "a call is inlined, so a proc cannot call itself, directly or through other procs",
        ));
    }
}
