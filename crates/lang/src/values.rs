//! Formatting of runtime values by their declared type.

use crate::ir::{KeyDomain, Model, ValueType};

impl Model {
    /// `line N` for a position in the model's own file, `line N of PATH` for one in an included
    /// library: how messages name a position.
    pub fn at_line(&self, span: crate::Span) -> String {
        match self.files.get(span.file as usize) {
            Some(f) if span.file > 0 => format!("line {} of {}", span.line, f.path),
            _ => format!("line {}", span.line),
        }
    }

    /// Formats a value of type `ty`: `true`, `42`, or an enum variant's name.
    pub fn format_value(&self, ty: ValueType, value: i64) -> String {
        match ty {
            ValueType::Bool => (value != 0).to_string(),
            ValueType::Int | ValueType::Range { .. } => value.to_string(),
            ValueType::Enum(e) => self.enums[e as usize]
                .variants
                .get(value as usize)
                .cloned()
                .unwrap_or_else(|| format!("<variant {value}>")),
        }
    }

    /// Formats a map key of domain `key`.
    pub fn format_key(&self, key: KeyDomain, value: i64) -> String {
        match key {
            KeyDomain::Range { .. } => value.to_string(),
            KeyDomain::Enum(e) => self.format_value(ValueType::Enum(e), value),
        }
    }

    /// The name of the shared location in `slot`: `x`, or `m[3]` for a map key.
    pub fn slot_name(&self, slot: usize) -> String {
        let var = self.var_of_slot(slot);
        let v = &self.shared[var];
        match v.key {
            None => v.name.clone(),
            Some(k) => format!(
                "{}[{}]",
                v.name,
                self.format_key(k, k.key_at(slot - v.base_slot))
            ),
        }
    }

    /// The shared variable (index into `shared`) that owns `slot`.
    pub fn var_of_slot(&self, slot: usize) -> usize {
        self.shared
            .partition_point(|v| v.base_slot + v.len <= slot)
            .min(self.shared.len().saturating_sub(1))
    }
}
