//! Shared variable declarations: value types, map key domains, initial values and slots.

use super::expr::{self, Scopes};
use super::suggest::did_you_mean;
use super::{Checker, Global, MAX_KEYS};
use crate::ast::{self, Item, TypeExpr};
use crate::diag::Diagnostic;
use crate::ir::{KeyDomain, ValueType};

impl Checker {
    pub(super) fn value_type(&mut self, t: &TypeExpr) -> Option<ValueType> {
        match t {
            TypeExpr::Bool(_) => Some(ValueType::Bool),
            TypeExpr::Int(_) => Some(ValueType::Int),
            TypeExpr::Range(r) => {
                let (lo, hi) = self.const_range(r)?;
                Some(ValueType::Range { lo, hi })
            }
            TypeExpr::Named(id) => match self.globals.get(&id.name) {
                Some(Global::Enum(e)) => Some(ValueType::Enum(*e)),
                Some(g) => {
                    let d = Diagnostic::new(
                        id.span,
                        format!("`{}` is {}, not a type", id.name, g.describe()),
                    );
                    self.error(d);
                    None
                }
                None => {
                    let enums = self.enums.iter().map(|e| e.name.as_str());
                    let hint =
                        did_you_mean(&id.name, enums.chain(["bool", "int"])).unwrap_or_else(|| {
                            "the types are `bool`, `int`, a range `a..b`, an enum, and `map[K] V`"
                                .to_string()
                        });
                    self.error(
                        Diagnostic::new(id.span, format!("unknown type `{}`", id.name))
                            .with_hint(hint),
                    );
                    None
                }
            },
            TypeExpr::Map { span, .. } => {
                self.error(Diagnostic::new(*span, "a map cannot hold maps"));
                None
            }
        }
    }

    fn key_domain(&mut self, t: &TypeExpr) -> Option<KeyDomain> {
        let d = match self.value_type(t)? {
            ValueType::Range { lo, hi } => KeyDomain::Range { lo, hi },
            ValueType::Enum(e) => KeyDomain::Enum(e),
            ValueType::Bool | ValueType::Int => {
                self.error(
                    Diagnostic::new(t.span(), "a map's keys must be a range or an enum")
                        .with_hint("for example `map[0..3] int` or `map[Status] bool`"),
                );
                return None;
            }
        };
        if let KeyDomain::Range { lo, hi } = d {
            if hi.saturating_sub(lo) > MAX_KEYS {
                self.error(Diagnostic::new(
                    t.span(),
                    format!("a map may have at most {MAX_KEYS} keys"),
                ));
                return None;
            }
        }
        Some(d)
    }

    /// Types, initial values and slots of the shared variables.
    pub(super) fn check_shared(&mut self, model: &ast::Model) {
        let mut id = 0usize;
        let mut base = 0usize;
        // Marked once all are done, so that an initial value that reads a failed variable is
        // still told that it cannot read shared state.
        let mut failed = Vec::new();
        for item in &model.items {
            let Item::Shared {
                ty,
                init,
                last_writer_wins,
                ..
            } = item
            else {
                continue;
            };
            let is_map = matches!(ty, TypeExpr::Map { .. });
            let (key, vty) = match ty {
                TypeExpr::Map { key, value, .. } => {
                    let k = self.key_domain(key);
                    let v = self.value_type(value);
                    (k.map(Some), v)
                }
                other => (Some(None), self.value_type(other)),
            };
            if key.is_none() || vty.is_none() {
                failed.push((id as u32, is_map));
            }
            let len = match key {
                Some(Some(k)) => k.len(&self.enums),
                _ => 1,
            };
            let values = match (key, vty) {
                (Some(k), Some(vty)) => self.init_values(init, vty, k.is_some(), len),
                _ => None,
            };
            let var = &mut self.shared[id];
            var.ty = vty.unwrap_or(ValueType::Int);
            var.key = key.flatten();
            var.base_slot = base;
            var.len = len;
            var.init = values.unwrap_or_else(|| vec![0; len]);
            var.last_writer_wins = *last_writer_wins;
            base += len;
            id += 1;
        }
        self.failed_shared.extend(failed);
    }

    /// The initial value of every slot of a variable of value type `ty`.
    fn init_values(
        &mut self,
        init: &ast::Init,
        ty: ValueType,
        is_map: bool,
        len: usize,
    ) -> Option<Vec<i64>> {
        match init {
            ast::Init::One(e) => Some(vec![self.init_value(e, ty)?; len]),
            ast::Init::List(values, span) => {
                if !is_map {
                    self.error(
                        Diagnostic::new(*span, "a list of initial values is for a map")
                            .with_hint("give a scalar one value: `= 0`"),
                    );
                    return None;
                }
                if values.len() != len {
                    self.error(
                        Diagnostic::new(
                            *span,
                            format!(
                                "the map has {len} keys but {} initial values are given",
                                values.len()
                            ),
                        )
                        .with_hint(
                            "give one value per key in domain order, or one value for all keys",
                        ),
                    );
                    return None;
                }
                let out: Vec<Option<i64>> = values.iter().map(|e| self.init_value(e, ty)).collect();
                out.into_iter().collect()
            }
        }
    }

    fn init_value(&mut self, e: &ast::Expr, ty: ValueType) -> Option<i64> {
        let (ir, found) = self.expr(e, &Scopes::default())?;
        if !self.type_fits(found, ty, e.span) {
            return None;
        }
        let v = match expr::eval_const(&ir) {
            Ok(v) => v,
            // An overflow or a division by zero.
            Err(Some(msg)) => {
                self.error(Diagnostic::new(e.span, msg));
                return None;
            }
            Err(None) => {
                self.error(
                    Diagnostic::new(e.span, "an initial value cannot read shared state")
                        .with_hint("initial values are set before any task runs: use literals, constants and variants"),
                );
                return None;
            }
        };
        if let ValueType::Range { lo, hi } = ty {
            if !(lo <= v && v < hi) {
                let holds = if lo < hi {
                    format!("the type {lo}..{hi} holds {lo} to {}", hi - 1)
                } else {
                    format!("the type {lo}..{hi} holds no value")
                };
                let hint = if v == hi {
                    format!("{holds}: a range `a..b` leaves out `b`; `a..=b` includes it")
                } else {
                    holds
                };
                self.error(
                    Diagnostic::new(
                        e.span,
                        format!("the initial value {v} is outside the type {lo}..{hi}"),
                    )
                    .with_hint(hint),
                );
                return None;
            }
        }
        Some(v)
    }
}
