//! Schedules: the steps taken from the initial state, and their text format (DESIGN.md,
//! "Schedules"): `conductor,migrate[0]:2,heal:1:finished`.

use migcheck_lang::ir::Model;

/// What a recorded choice resolved, which decides how it is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChoiceKind {
    /// A `choose` over a range: written as the integer.
    Int,
    /// A `choose` over an enum (by index into the model's enums): written as the variant name.
    Enum(u32),
    /// An `either`: written as the 0-based branch.
    Branch,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Choice {
    pub kind: ChoiceKind,
    pub value: i64,
}

/// One step: the task instance that moved and the choices its step resolved, in order.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ScheduleStep {
    pub task: usize,
    pub choices: Vec<Choice>,
}

/// A sequence of steps from the initial state.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Schedule {
    pub steps: Vec<ScheduleStep>,
}

impl Schedule {
    pub fn len(&self) -> usize {
        self.steps.len()
    }

    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// The text form; the empty schedule is the empty string.
    pub fn format(&self, model: &Model) -> String {
        let mut out = String::new();
        for (i, step) in self.steps.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(&model.tasks[step.task].name);
            for c in &step.choices {
                out.push(':');
                out.push_str(&format_choice(model, *c));
            }
        }
        out
    }
}

/// A choice as written in a schedule.
pub fn format_choice(model: &Model, c: Choice) -> String {
    match c.kind {
        ChoiceKind::Int | ChoiceKind::Branch => c.value.to_string(),
        ChoiceKind::Enum(e) => model.enums[e as usize]
            .variants
            .get(c.value as usize)
            .cloned()
            .unwrap_or_else(|| c.value.to_string()),
    }
}

/// One step of a schedule as written, before it is matched against a model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawStep {
    pub task: String,
    pub choices: Vec<String>,
    /// 1-based character column of the step in the schedule text.
    pub column: usize,
}

/// A schedule text that cannot even be split into steps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// 1-based step number.
    pub step: usize,
    /// 1-based character column in the schedule text.
    pub column: usize,
    pub reason: String,
}

/// Splits schedule text into steps: names and choices, with their positions. Whitespace around
/// commas and colons is allowed; an empty step is refused.
pub fn parse(text: &str) -> Result<Vec<RawStep>, SyntaxError> {
    let mut steps = Vec::new();
    if text.trim().is_empty() {
        return Ok(steps);
    }
    let mut column = 1;
    for (i, part) in text.split(',').enumerate() {
        let lead = part.chars().take_while(|c| c.is_whitespace()).count();
        let at = column + lead;
        let trimmed = part.trim();
        if trimmed.is_empty() {
            return Err(SyntaxError {
                step: i + 1,
                column: at,
                reason: "empty step".into(),
            });
        }
        let mut pieces = trimmed.split(':').map(str::trim);
        let task = pieces.next().unwrap_or_default().to_string();
        if task.is_empty() {
            return Err(SyntaxError {
                step: i + 1,
                column: at,
                reason: "a step must start with a task name".into(),
            });
        }
        let mut choices = Vec::new();
        for c in pieces {
            if c.is_empty() {
                return Err(SyntaxError {
                    step: i + 1,
                    column: at,
                    reason: format!("empty choice after `{task}:`"),
                });
            }
            choices.push(c.to_string());
        }
        steps.push(RawStep {
            task,
            choices,
            column: at,
        });
        column += part.chars().count() + 1;
    }
    Ok(steps)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_steps_with_choices_and_positions() {
        let steps = parse("a, migrate[1]:2:-1 ,b:finished").unwrap();
        assert_eq!(steps.len(), 3);
        assert_eq!(steps[0].task, "a");
        assert_eq!(steps[1].task, "migrate[1]");
        assert_eq!(steps[1].choices, vec!["2", "-1"]);
        assert_eq!(steps[1].column, 4);
        assert_eq!(steps[2].choices, vec!["finished"]);
    }

    #[test]
    fn empty_text_is_the_empty_schedule() {
        assert!(parse("").unwrap().is_empty());
        assert!(parse("  ").unwrap().is_empty());
    }

    #[test]
    fn empty_step_is_refused_with_its_position() {
        let e = parse("a,,b").unwrap_err();
        assert_eq!((e.step, e.column), (2, 3));
        let e = parse("a,b:").unwrap_err();
        assert_eq!(e.step, 2);
        assert!(e.reason.contains("empty choice"));
    }
}
